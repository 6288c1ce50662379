/**
 * Which webhook URLs the service may call (SSRF). An admin's endpoint must not make the service reach its own network:
 * only https, and only public addresses. Not loopback, private (RFC 1918, IPv6 unique-local), link-local (cloud
 * metadata at 169.254.169.254), carrier-grade NAT, multicast, unspecified, documentation or reserved ranges, in IPv4 and
 * IPv6, with IPv4-mapped and NAT64 IPv6 addresses judged by the IPv4 address they carry. Checked when an endpoint is
 * registered and again when each attempt connects, on the address actually dialled, so a name that later resolves to
 * a private address (DNS rebinding) is refused then. WEBHOOK_ALLOW_PRIVATE_URLS lifts both rules (tests, local use).
 */
import { lookup as dnsLookup, type LookupAddress, type LookupAllOptions } from 'node:dns';
import { BlockList, isIP } from 'node:net';

const ALLOW_SWITCH = 'WEBHOOK_ALLOW_PRIVATE_URLS=true';

const NON_PUBLIC = new BlockList();
for (const [network, prefix] of [
  ['0.0.0.0', 8], // "this network", unspecified
  ['10.0.0.0', 8],
  ['100.64.0.0', 10], // carrier-grade NAT
  ['127.0.0.0', 8],
  ['169.254.0.0', 16], // link-local, cloud metadata
  ['172.16.0.0', 12],
  ['192.0.0.0', 24], // IETF protocol assignments
  ['192.0.2.0', 24], // documentation
  ['192.88.99.0', 24], // 6to4 relay
  ['192.168.0.0', 16],
  ['198.18.0.0', 15], // benchmarking
  ['198.51.100.0', 24],
  ['203.0.113.0', 24],
  ['224.0.0.0', 4], // multicast
  ['240.0.0.0', 4], // reserved, broadcast
] as const) {
  NON_PUBLIC.addSubnet(network, prefix, 'ipv4');
}
for (const [network, prefix] of [
  ['::', 128], // unspecified
  ['::1', 128],
  ['100::', 64], // discard
  ['2001:db8::', 32], // documentation
  ['fc00::', 7], // unique local
  ['fe80::', 10], // link-local
  ['fec0::', 10], // site-local (deprecated)
  ['ff00::', 8], // multicast
] as const) {
  NON_PUBLIC.addSubnet(network, prefix, 'ipv6');
}

/**
 * What kind of address `address` (an IP literal) is when it may not be called, or undefined when it is public. Not
 * the address itself: messages never repeat what a client sent.
 */
export function nonPublicReason(address: string): string | undefined {
  const family = isIP(address);
  if (family === 0) return 'not an IP address';
  if (family === 6) {
    const embedded = embeddedIPv4(address);
    if (embedded !== undefined) return nonPublicReason(embedded);
  }
  return NON_PUBLIC.check(address, family === 4 ? 'ipv4' : 'ipv6')
    ? 'a loopback, private, link-local, carrier-grade NAT, multicast, unspecified or reserved address'
    : undefined;
}

/** The IPv4 address an IPv4-mapped (::ffff:a.b.c.d) or NAT64 (64:ff9b::a.b.c.d) address carries. */
function embeddedIPv4(address: string): string | undefined {
  const bytes = ipv6Bytes(address);
  if (bytes === undefined) return undefined;
  const mapped = bytes.subarray(0, 10).every((b) => b === 0) && bytes[10] === 0xff && bytes[11] === 0xff;
  const nat64 = [0, 0x64, 0xff, 0x9b].every((b, i) => bytes[i] === b) && bytes.subarray(4, 12).every((b) => b === 0);
  return mapped || nat64 ? Array.from(bytes.subarray(12)).join('.') : undefined;
}

function ipv6Bytes(address: string): Uint8Array | undefined {
  let text = address.split('%')[0];
  // A dotted IPv4 tail (::ffff:127.0.0.1) as two hex groups.
  const tail = /(\d+)\.(\d+)\.(\d+)\.(\d+)$/.exec(text);
  if (tail) {
    const [a, b, c, d] = tail.slice(1).map(Number) as [number, number, number, number];
    text = `${text.slice(0, tail.index)}${((a << 8) | b).toString(16)}:${((c << 8) | d).toString(16)}`;
  }
  const [head, rest] = text.split('::') as [string, string | undefined];
  const groups = (part: string) => (part === '' ? [] : part.split(':'));
  const left = groups(head);
  const right = rest === undefined ? [] : groups(rest);
  const missing = 8 - left.length - right.length;
  if (missing < 0 || (rest === undefined && missing !== 0)) return undefined;
  const all = [...left, ...Array<string>(missing).fill('0'), ...right];
  const bytes = new Uint8Array(16);
  all.forEach((group, i) => {
    const value = parseInt(group, 16);
    bytes[i * 2] = value >> 8;
    bytes[i * 2 + 1] = value & 0xff;
  });
  return bytes;
}

export type Resolve = (hostname: string) => Promise<readonly LookupAddress[]>;

export const resolveAll: Resolve = (hostname) =>
  new Promise((resolve, reject) => {
    dnsLookup(hostname, { all: true, verbatim: true } satisfies LookupAllOptions, (error, addresses) =>
      error ? reject(error) : resolve(addresses),
    );
  });

/**
 * Why `raw` may not be a webhook endpoint, or undefined when it may: an absolute https URL (http too with the switch)
 * without credentials, whose host is a public address or resolves only to public addresses.
 */
export async function webhookUrlProblem(
  raw: string,
  options: { allowPrivate: boolean; resolve?: Resolve },
): Promise<string | undefined> {
  let url: URL;
  try {
    url = new URL(raw);
  } catch {
    return 'url must be an absolute https:// URL.';
  }
  if (url.protocol !== 'https:' && !(options.allowPrivate && url.protocol === 'http:')) {
    return `url must use https:// (http:// is allowed only with ${ALLOW_SWITCH}, for local tests).`;
  }
  if (url.username !== '' || url.password !== '') {
    return 'url must not carry a user name or password: receivers authenticate webhooks by their signature.';
  }
  if (options.allowPrivate) return undefined;
  const host = url.hostname.replace(/^\[(.*)\]$/, '$1');
  if (isIP(host) !== 0) {
    const reason = nonPublicReason(host);
    return reason === undefined ? undefined : refusal(`its host is ${reason}`);
  }
  let addresses: readonly LookupAddress[];
  try {
    addresses = await (options.resolve ?? resolveAll)(host);
  } catch {
    return "url's host does not resolve; register a host name that does.";
  }
  for (const { address } of addresses) {
    const reason = nonPublicReason(address);
    if (reason !== undefined) return refusal(`its host resolves to ${reason}`);
  }
  return addresses.length === 0 ? "url's host does not resolve; register a host name that does." : undefined;
}

function refusal(reason: string): string {
  return `url must point at a public address: ${reason}. Such addresses are refused to keep webhooks from reaching the service's own network (set ${ALLOW_SWITCH} only for tests and local walk-throughs).`;
}

/** Thrown by guardedLookup when a name resolves to an address that may not be called. */
export class AddressRefusedError extends Error {
  override readonly name = 'AddressRefusedError';
  readonly code = 'EADDRREFUSED';
}

type LookupCallback = (error: Error | null, address: string | LookupAddress[], family?: number) => void;

/**
 * A `lookup` for the sockets webhooks are sent on: resolves the name, refuses it when any address is not public, and
 * hands the socket the addresses it checked, so what is dialled is what was judged (no second resolution between).
 */
export function guardedLookup(resolve: Resolve = resolveAll) {
  return (hostname: string, options: { all?: boolean } | number | undefined, callback: LookupCallback): void => {
    const all = typeof options === 'object' && options.all === true;
    resolve(hostname).then(
      (addresses) => {
        const refused = addresses.map((a) => nonPublicReason(a.address)).find((r) => r !== undefined);
        if (refused !== undefined) return callback(new AddressRefusedError(`${hostname} resolves to ${refused}`), '');
        if (addresses.length === 0) return callback(new Error(`${hostname} does not resolve`), '');
        if (all) return callback(null, [...addresses]);
        const [first] = addresses as [LookupAddress];
        callback(null, first.address, first.family);
      },
      (error: Error) => callback(error, ''),
    );
  };
}
