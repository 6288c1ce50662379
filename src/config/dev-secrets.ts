/**
 * The embedded defaults keep their secrets in the data folder, generated on first start, so `npm start` needs
 * no credential and a restart keeps tokens and stored content keys valid. Production sets both explicitly.
 */
import path from 'node:path';
import { loadOrCreateKeyFile } from '../store/content-key-cipher.js';
import type { Config } from './config.js';

export interface Secrets {
  readonly jwtSecret: string | undefined;
  readonly contentKeyEncryptionKey: Buffer;
}

export const devJwtSecretPath = (dataDir: string): string => path.join(dataDir, 'dev-jwt-secret.key');
export const devContentKeyPath = (dataDir: string): string => path.join(dataDir, 'content-key-encryption.key');

export async function resolveSecrets(config: Config): Promise<Secrets> {
  const { dataDir } = config.database;
  const jwtSecret =
    config.auth.jwtSecret ??
    (config.auth.jwksUrl ? undefined : (await loadOrCreateKeyFile(devJwtSecretPath(dataDir))).toString('hex'));
  const contentKeyEncryptionKey =
    config.contentKeyEncryptionKey ?? (await loadOrCreateKeyFile(devContentKeyPath(dataDir)));
  return { jwtSecret, contentKeyEncryptionKey };
}
