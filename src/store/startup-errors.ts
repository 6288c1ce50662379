/**
 * Why the store could not open, said so that an operator can act on it: main.ts prints the message as one line and
 * exits with `exitCode`, with no stack trace. Every message names the folder, variable or process concerned.
 */
export class StoreStartupError extends Error {
  override readonly name: string = 'StoreStartupError';
  /** 78 (EX_CONFIG) for a configuration problem, as for ConfigError; 1 otherwise. */
  readonly exitCode: number = 1;
}

export interface LockHolder {
  readonly pid: number;
  readonly host: string;
  /** When the holding process started. */
  readonly startedAt: string;
}

/** Another process holds the embedded database's data directory. */
export class DataDirLockedError extends StoreStartupError {
  override readonly name = 'DataDirLockedError';
  constructor(
    readonly dataDir: string,
    readonly lockFile: string,
    readonly holder: LockHolder,
    sameHost: boolean,
  ) {
    super(
      `The data directory ${dataDir} is in use by process ${holder.pid} on host ${holder.host} (started ${holder.startedAt}): ` +
        'embedded PGlite serves one process. Stop that process or use another DATA_DIR; to run several processes on ' +
        'one database, set DATABASE_URL to a PostgreSQL server. ' +
        (sameHost
          ? `(If process ${holder.pid} is not this service, delete ${lockFile}.)`
          : `(Whether it still runs cannot be told from this host: once it is gone, delete ${lockFile}.)`),
    );
  }
}

/** The data directory cannot be created or read, or what is in it is not a database PGlite can open. */
export class DataDirUnusableError extends StoreStartupError {
  override readonly name = 'DataDirUnusableError';
  constructor(
    readonly dataDir: string,
    message: string,
    options?: ErrorOptions,
  ) {
    super(message, options);
  }
}

/** The configured key does not decrypt the content keys stored in the database. */
export class EncryptionKeyMismatchError extends StoreStartupError {
  override readonly name = 'EncryptionKeyMismatchError';
  override readonly exitCode = 78;
}
