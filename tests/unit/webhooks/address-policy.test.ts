import type { LookupAddress } from 'node:dns';
import { describe, expect, it } from 'vitest';
import { guardedLookup, nonPublicReason, webhookUrlProblem } from '../../../src/webhooks/address-policy.js';

/** A resolver with fixed answers: no test depends on the network's DNS. */
const resolver =
  (table: Record<string, string[]>) =>
  (hostname: string): Promise<LookupAddress[]> => {
    const addresses = table[hostname];
    if (!addresses) return Promise.reject(Object.assign(new Error('ENOTFOUND'), { code: 'ENOTFOUND' }));
    return Promise.resolve(addresses.map((address) => ({ address, family: address.includes(':') ? 6 : 4 })));
  };

const dns = resolver({
  'hooks.example.com': ['93.184.215.14', '2606:2800:21f:cb07:6820:80da:af6b:8b2c'],
  'rebind.example.com': ['93.184.215.14', '127.0.0.1'],
  'internal.example.com': ['10.1.2.3'],
  localhost: ['127.0.0.1', '::1'],
});

describe('webhook URL policy (SSRF)', () => {
  it.each([
    '127.0.0.1',
    '127.8.9.10',
    '10.0.0.1',
    '172.16.5.4',
    '192.168.1.1',
    '169.254.169.254',
    '100.64.0.1',
    '0.0.0.0',
    '224.0.0.1',
    '255.255.255.255',
    '::1',
    '::',
    'fe80::1',
    'fd00::1',
    'ff02::1',
    '::ffff:127.0.0.1',
    '::ffff:7f00:1',
    '::ffff:10.0.0.1',
    '::ffff:a9fe:a9fe',
    '64:ff9b::a9fe:a9fe',
  ])('refuses %s', (address) => {
    expect(nonPublicReason(address)).toMatch(/loopback, private/);
  });

  it.each(['93.184.215.14', '8.8.8.8', '2606:4700:4700::1111', '::ffff:8.8.8.8'])('allows %s', (address) => {
    expect(nonPublicReason(address)).toBeUndefined();
  });

  const problem = (url: string, allowPrivate = false) => webhookUrlProblem(url, { allowPrivate, resolve: dns });

  it('refuses loopback, private, link-local and mapped literals, and names that resolve to them, naming the switch', async () => {
    for (const url of [
      'https://127.0.0.1/hooks',
      'https://10.0.0.8/hooks',
      'https://169.254.169.254/latest/meta-data',
      'https://[::1]/hooks',
      'https://[::ffff:127.0.0.1]/hooks',
      'https://localhost/hooks',
      'https://internal.example.com/hooks',
      'https://rebind.example.com/hooks',
    ]) {
      const refused = await problem(url);
      expect(refused, url).toMatch(/must point at a public address/);
      expect(refused).toContain('WEBHOOK_ALLOW_PRIVATE_URLS=true');
      // What the client sent is not repeated.
      expect(refused).not.toContain(new URL(url).hostname);
    }
  });

  it('wants https without credentials, on a name that resolves', async () => {
    expect(await problem('https://hooks.example.com/in')).toBeUndefined();
    expect(await problem('http://hooks.example.com/in')).toMatch(/https:\/\/.*WEBHOOK_ALLOW_PRIVATE_URLS=true/);
    expect(await problem('ftp://hooks.example.com/in')).toMatch(/https:\/\//);
    expect(await problem('not a url')).toMatch(/absolute https:\/\/ URL/);
    expect(await problem('https://user:pw@hooks.example.com/in')).toMatch(/user name or password/);
    expect(await problem('https://nowhere.example.com/in')).toMatch(/does not resolve/);
  });

  it('allows http and private addresses with the switch', async () => {
    expect(await problem('http://127.0.0.1:8080/hooks', true)).toBeUndefined();
    expect(await problem('https://localhost/hooks', true)).toBeUndefined();
  });

  it('refuses at connect time a name that now resolves to a private address (DNS rebinding)', async () => {
    const lookup = guardedLookup(dns);
    const ask = (host: string, all: boolean) =>
      new Promise<{ error: Error | null; address: unknown }>((resolve) =>
        lookup(host, { all }, (error, address) => resolve({ error, address })),
      );
    expect(await ask('rebind.example.com', true)).toMatchObject({ error: { code: 'EADDRREFUSED' } });
    expect(await ask('localhost', false)).toMatchObject({ error: { code: 'EADDRREFUSED' } });
    expect(await ask('hooks.example.com', false)).toEqual({ error: null, address: '93.184.215.14' });
    expect((await ask('hooks.example.com', true)).address).toHaveLength(2);
  });
});
