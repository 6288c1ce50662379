import { randomBytes } from 'node:crypto';
import { mkdtemp, readFile, rm, stat, writeFile } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterEach, beforeEach, describe, expect, it } from 'vitest';
import {
  ContentKeyDecryptionError,
  createContentKeyCipher,
  loadOrCreateKeyFile,
} from '../../../src/store/content-key-cipher.js';

const cek = 'f'.repeat(8) + randomBytes(12).toString('hex');

function thrown(fn: () => unknown): Error {
  try {
    fn();
  } catch (error) {
    return error as Error;
  }
  throw new Error('expected a throw');
}

describe('createContentKeyCipher', () => {
  const key = randomBytes(32);
  const cipher = createContentKeyCipher(key);

  it('round-trips, in the v1 format, with a fresh IV on every write', () => {
    const a = cipher.encrypt(cek, 'content-1');
    const b = cipher.encrypt(cek, 'content-1');
    expect(a).toMatch(/^v1:[A-Za-z0-9+/]{16}:[A-Za-z0-9+/]{22}==:[A-Za-z0-9+/=]+$/);
    expect(a).not.toBe(b);
    expect(a).not.toContain(cek);
    expect(cipher.decrypt(a, 'content-1')).toBe(cek);
    expect(cipher.decrypt(b, 'content-1')).toBe(cek);
  });

  it('fails loudly with another key, and the error carries no key material', () => {
    const stored = cipher.encrypt(cek, 'content-1');
    const otherKey = randomBytes(32);
    const error = thrown(() => createContentKeyCipher(otherKey).decrypt(stored, 'content-1'));
    expect(error).toBeInstanceOf(ContentKeyDecryptionError);
    expect(error.name).toBe('ContentKeyDecryptionError');
    expect(error.message).toContain('content-1');
    expect(error.cause).toBeUndefined();
    const everything = `${error.message}\n${error.stack}\n${JSON.stringify(error)}`;
    for (const secret of [
      key.toString('hex'),
      key.toString('base64'),
      otherKey.toString('hex'),
      otherKey.toString('base64'),
      cek,
    ]) {
      expect(everything).not.toContain(secret);
    }
    expect(everything).not.toContain(stored.split(':')[3]);
  });

  it('refuses a ciphertext presented for another content, or altered', () => {
    const stored = cipher.encrypt(cek, 'content-1');
    expect(() => cipher.decrypt(stored, 'content-2')).toThrow(ContentKeyDecryptionError);
    const [v, iv, tag, ct] = stored.split(':') as [string, string, string, string];
    const flipped = Buffer.from(ct, 'base64');
    flipped[0] = flipped[0] ^ 1;
    expect(() => cipher.decrypt([v, iv, tag, flipped.toString('base64')].join(':'), 'content-1')).toThrow(
      ContentKeyDecryptionError,
    );
    expect(() => cipher.decrypt(`v2:${iv}:${tag}:${ct}`, 'content-1')).toThrow(/format/);
    expect(() => cipher.decrypt(cek, 'content-1')).toThrow(ContentKeyDecryptionError);
    expect(() => cipher.decrypt(`v1:${iv}:AAAA:${ct}`, 'content-1')).toThrow(/malformed/);
  });

  it('accepts only 32-byte keys, and keeps its own copy', () => {
    expect(() => createContentKeyCipher(randomBytes(16))).toThrow(/32 bytes, got 16/);
    const mutable = randomBytes(32);
    const c = createContentKeyCipher(mutable);
    const stored = c.encrypt(cek, 'x');
    mutable.fill(0);
    expect(c.decrypt(stored, 'x')).toBe(cek);
  });
});

describe('loadOrCreateKeyFile', () => {
  let dir: string;
  beforeEach(async () => {
    dir = await mkdtemp(join(tmpdir(), 'key-file-'));
  });
  afterEach(async () => {
    await rm(dir, { recursive: true, force: true });
  });

  it('creates a random key as hex, mode 0600, parent folders included, and reads the same key back', async () => {
    const path = join(dir, 'nested', 'data', 'content-key');
    const key = await loadOrCreateKeyFile(path);
    expect(key).toHaveLength(32);
    expect((await readFile(path, 'utf8')).trim()).toBe(key.toString('hex'));
    expect((await stat(path)).mode & 0o777).toBe(0o600);
    expect(await loadOrCreateKeyFile(path)).toEqual(key);
    expect(await loadOrCreateKeyFile(join(dir, 'other'))).not.toEqual(key);
  });

  it('gives every concurrent caller the same key and leaves no temporary files', async () => {
    const path = join(dir, 'content-key');
    const keys = await Promise.all(Array.from({ length: 10 }, () => loadOrCreateKeyFile(path)));
    for (const key of keys) expect(key).toEqual(keys[0]);
    const { readdir } = await import('node:fs/promises');
    expect(await readdir(dir)).toEqual(['content-key']);
  });

  it('reads an existing key written by hand (upper case, no newline)', async () => {
    const key = randomBytes(32);
    const path = join(dir, 'k');
    await writeFile(path, key.toString('hex').toUpperCase());
    expect(await loadOrCreateKeyFile(path)).toEqual(key);
  });

  it('refuses a file that is not 64 hex digits, without quoting it', async () => {
    const path = join(dir, 'k');
    const base64Key = randomBytes(32).toString('base64');
    await writeFile(path, base64Key);
    const error = await loadOrCreateKeyFile(path).then(
      () => undefined,
      (e: unknown) => e as Error,
    );
    expect(error?.message).toMatch(/64 hex digits/);
    expect(error?.message).not.toContain(base64Key);
  });
});
