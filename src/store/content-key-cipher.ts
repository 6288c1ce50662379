/**
 * Encryption at rest of content keys (CEKs): AES-256-GCM under the 32-byte CONTENT_KEY_ENCRYPTION_KEY, so that a
 * database dump or backup alone does not hand out the keys that unlock the content.
 */
import { createCipheriv, createDecipheriv, randomBytes } from 'node:crypto';
import { mkdir } from 'node:fs/promises';
import { dirname } from 'node:path';
import { createExclusive, readTextIfExists } from './exclusive-file.js';
import { StoreStartupError } from './startup-errors.js';

const VERSION = 'v1';
const KEY_BYTES = 32;
// 96-bit IVs are GCM's native size; random per write is safe far beyond the number of contents we will ever hold.
const IV_BYTES = 12;
const TAG_BYTES = 16;

/**
 * A stored content key could not be decrypted: the encryption key is not the one it was written with, or the row was
 * altered. The message never carries key material or ciphertext.
 */
export class ContentKeyDecryptionError extends Error {
  override readonly name = 'ContentKeyDecryptionError';
}

export interface ContentKeyCipher {
  /**
   * `context` is authenticated but not stored (GCM associated data). We pass the content id, so a ciphertext copied
   * onto another content's row does not decrypt there.
   */
  encrypt(contentKey: string, context: string): string;
  decrypt(stored: string, context: string): string;
}

export function createContentKeyCipher(encryptionKey: Buffer): ContentKeyCipher {
  if (encryptionKey.length !== KEY_BYTES) {
    throw new RangeError(`The content key encryption key must be ${KEY_BYTES} bytes, got ${encryptionKey.length}`);
  }
  // Our own copy: a caller zeroing or reusing its buffer must not change what we decrypt with.
  const key = Buffer.from(encryptionKey);

  return {
    encrypt(contentKey, context) {
      const iv = randomBytes(IV_BYTES);
      const cipher = createCipheriv('aes-256-gcm', key, iv, { authTagLength: TAG_BYTES });
      cipher.setAAD(Buffer.from(context, 'utf8'));
      const ciphertext = Buffer.concat([cipher.update(contentKey, 'utf8'), cipher.final()]);
      const tag = cipher.getAuthTag();
      return [VERSION, iv.toString('base64'), tag.toString('base64'), ciphertext.toString('base64')].join(':');
    },

    decrypt(stored, context) {
      const parts = stored.split(':');
      if (parts.length !== 4 || parts[0] !== VERSION) {
        throw new ContentKeyDecryptionError(
          `The stored content key of "${context}" is not in a format this version understands`,
        );
      }
      const [, ivB64, tagB64, ciphertextB64] = parts as [string, string, string, string];
      const iv = Buffer.from(ivB64, 'base64');
      const tag = Buffer.from(tagB64, 'base64');
      if (iv.length !== IV_BYTES || tag.length !== TAG_BYTES) {
        throw new ContentKeyDecryptionError(`The stored content key of "${context}" is malformed`);
      }
      try {
        const decipher = createDecipheriv('aes-256-gcm', key, iv, { authTagLength: TAG_BYTES });
        decipher.setAAD(Buffer.from(context, 'utf8'));
        decipher.setAuthTag(tag);
        return Buffer.concat([decipher.update(Buffer.from(ciphertextB64, 'base64')), decipher.final()]).toString(
          'utf8',
        );
      } catch {
        // Node's own message ("unable to authenticate data") says nothing useful; no cause is attached, so nothing
        // from inside the crypto call can end up in a log.
        throw new ContentKeyDecryptionError(
          `The stored content key of "${context}" cannot be decrypted: CONTENT_KEY_ENCRYPTION_KEY is not the key it was written with, or the row was altered`,
        );
      }
    },
  };
}

/**
 * Reads a 32-byte key kept as hex in `path`, or creates the file with a random key (mode 0600, parent folders
 * created). Used for the embedded default, where no CONTENT_KEY_ENCRYPTION_KEY is configured.
 */
export async function loadOrCreateKeyFile(path: string): Promise<Buffer> {
  try {
    return await readOrCreateKeyFile(path);
  } catch (error) {
    if (error instanceof StoreStartupError) throw error;
    // A start-up error, not a stack trace: the folder is not writable, or the path is not a folder.
    throw new StoreStartupError(
      `Cannot read or create the key file ${path} (${(error as Error).message}): set DATA_DIR to a folder this process may write.`,
      { cause: error },
    );
  }
}

async function readOrCreateKeyFile(path: string): Promise<Buffer> {
  const existing = await readKeyFile(path);
  if (existing) return existing;

  await mkdir(dirname(path), { recursive: true, mode: 0o700 });
  const key = randomBytes(KEY_BYTES);
  // Created whole or not at all, so two processes starting at once agree on one key: the loser reads the winner's.
  if (await createExclusive(path, `${key.toString('hex')}\n`, 0o600)) return key;
  const winner = await readKeyFile(path);
  if (!winner) throw new Error(`${path} vanished while it was being created`);
  return winner;
}

async function readKeyFile(path: string): Promise<Buffer | undefined> {
  const text = await readTextIfExists(path);
  if (text === undefined) return undefined;
  const hex = text.trim();
  if (!/^[0-9a-fA-F]{64}$/.test(hex)) {
    // Deliberately not quoting the content: it may be a key in another encoding.
    throw new StoreStartupError(`The key file ${path} must hold exactly 64 hex digits (a 32-byte key)`);
  }
  return Buffer.from(hex, 'hex');
}
