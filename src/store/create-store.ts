/**
 * Opens the store: a real PostgreSQL server when a URL is given, otherwise embedded PGlite. Both are reached through
 * the same pg.Pool and Kysely code path, so what passes against one runs against the other.
 */
import { mkdir } from 'node:fs/promises';
import { resolve } from 'node:path';
import { PGlite } from '@electric-sql/pglite';
import { createPgConfig } from '@electric-sql/pglite/node-postgres';
import { Kysely, PostgresDialect, type PostgresPool, type PostgresPoolClient } from 'kysely';
import pg from 'pg';
import { createLocalChangeFeed, createPgChangeFeed, type ChangeFeed } from './change-feed.js';
import { ContentKeyDecryptionError, createContentKeyCipher, type ContentKeyCipher } from './content-key-cipher.js';
import { lockDataDir, type DataDirLock } from './data-dir-lock.js';
import type { Database } from './database.js';
import { migrateToLatest } from './migrate.js';
import { createPgStore } from './pg-store.js';
import { isStalePlan, PreparedNames } from './prepared-statements.js';
import { secretContext } from './webhook-outbox.js';
import { DataDirUnusableError, EncryptionKeyMismatchError, StoreStartupError } from './startup-errors.js';
import type { Store } from './types.js';

export interface StoreLogger {
  warn(obj: object, msg?: string): void;
  info(obj: object, msg?: string): void;
}

export interface CreateStoreOptions {
  /** A real PostgreSQL server. Takes precedence over every PGlite option. */
  readonly databaseUrl?: string;
  /**
   * Embedded PGlite on disk in this folder (created if missing), locked for this process until close() or exit:
   * PGlite is one process, and a second one on the folder is refused (DataDirLockedError).
   */
  readonly dataDir?: string;
  /** Embedded PGlite in memory: gone on close. */
  readonly memory?: boolean;
  /**
   * An already open PGlite (tests hand in a clone of a migrated template). The store closes it on close() unless
   * `keepPgliteOpen`. One PGlite serves one open store at a time: it is a single database session.
   */
  readonly pglite?: PGlite;
  readonly keepPgliteOpen?: boolean;
  /** 32 bytes; encrypts content keys at rest. */
  readonly contentKeyEncryptionKey: Buffer;
  /** PostgreSQL schema holding every table (created if missing); `public` by default. */
  readonly schema?: string;
  /** Connections to a real server; PGlite always uses one. Default 10. */
  readonly poolSize?: number;
  /** Seconds an unused connection to a real server stays open; 0 keeps it open. Default 300. */
  readonly poolIdleSeconds?: number;
  /** Statements with parameters run prepared on a real server (prepared-statements.ts). Default true. */
  readonly preparedStatements?: boolean;
  /** Shown in pg_stat_activity on a real server, to tell our connections apart. */
  readonly applicationName?: string;
  readonly logger?: StoreLogger;
}

const SCHEMA_NAME = /^[a-z_][a-z0-9_]{0,62}$/;

export async function createStore(options: CreateStoreOptions): Promise<Store> {
  const schema = options.schema ?? 'public';
  // The name goes into a startup parameter and into SQL, unquoted: accept only plain lower-case identifiers.
  if (!SCHEMA_NAME.test(schema)) {
    throw new RangeError(`The database schema name must match ${SCHEMA_NAME}, got "${schema}"`);
  }
  const cipher = createContentKeyCipher(options.contentKeyEncryptionKey);
  const { logger } = options;

  let pool: pg.Pool;
  let lite: PGlite | undefined;
  let ownsLite = false;
  let lock: DataDirLock | undefined;
  if (options.databaseUrl !== undefined) {
    pool = new pg.Pool({
      connectionString: options.databaseUrl,
      max: options.poolSize ?? 10,
      // pg's default closes a connection after 10 s unused, so a quiet spell followed by a burst paid for new
      // connections on the burst's first requests: a server process forked, then its first statements planned
      // against empty catalog caches (measured as purchases at 20 req/s with every pool connection replaced
      // between bursts). The pool's size is what the server has to allow for anyway; keeping it open costs no more.
      idleTimeoutMillis: (options.poolIdleSeconds ?? 300) * 1000,
      application_name: options.applicationName,
      // Set at connection start-up, so every connection the pool ever opens (also after a server restart) resolves
      // unqualified table names in our schema, with no extra round trip and no window where it does not.
      ...(schema === 'public' ? {} : { options: `-c search_path=${schema}` }),
      // Without it, a server that does not answer makes every query wait for the OS TCP timeout.
      connectionTimeoutMillis: 10_000,
      keepAlive: true,
    });
  } else {
    if (options.pglite) {
      lite = options.pglite;
      ownsLite = !options.keepPgliteOpen;
    } else if (options.memory) {
      lite = await PGlite.create();
      ownsLite = true;
    } else if (options.dataDir !== undefined) {
      ({ lite, lock } = await openDataDir(resolve(options.dataDir)));
      ownsLite = true;
    } else {
      throw new TypeError('createStore needs databaseUrl, dataDir, memory or pglite');
    }
    if (schema !== 'public') {
      // PGlite ignores start-up parameters, but it is a single session: setting the path once holds for every pg
      // client the pool puts on top of it.
      try {
        await lite.exec(`create schema if not exists ${schema}; set search_path to ${schema}`);
      } catch (error) {
        if (ownsLite) await lite.close().catch(() => undefined);
        await lock?.release();
        throw error;
      }
    }
    // We create the PGlite and pass it in (never let createPgConfig create it): pool.end() does not close a PGlite,
    // and one left open keeps the process alive. max 1: the PGlite is one session, and two pg clients on it would
    // interleave their transactions.
    pool = new pg.Pool({ ...(createPgConfig(lite) as unknown as pg.PoolConfig), max: 1 });
  }

  // A server restart or a dropped connection makes idle clients emit 'error'; with no listener that would crash the
  // process. pg.Pool has already discarded the client when this fires, and opens a new one for the next query.
  pool.on('error', (error) => {
    logger?.warn({ err: describeError(error) }, 'Database connection lost; it will be reopened on the next query');
  });
  // The pool listens for errors only on idle clients. A client checked out when its connection dies emits 'error'
  // too; a listener keeps that from crashing the process. The failed query rejects, and since the client is no
  // longer queryable the pool drops it on release instead of handing it out again.
  pool.on('connect', (client) => {
    client.on('error', () => undefined);
  });

  const db = new Kysely<Database>({
    dialect: new PostgresDialect({
      pool: dropConnectionsThatDied(pool, { prepare: lite === undefined && options.preparedStatements !== false }),
    }),
  });
  const release = async (): Promise<void> => {
    try {
      await db.destroy();
      if (lite && ownsLite) await lite.close();
    } finally {
      // Only once PGlite has written its last page may another process open the folder.
      await lock?.release();
    }
  };

  try {
    await migrateToLatest(db as unknown as Kysely<unknown>, schema, logger);
    await checkEncryptionKey(db, cipher);
  } catch (error) {
    await release().catch(() => undefined);
    if (lock && !(error instanceof StoreStartupError)) throw damagedDataDir(lock.dataDir, error as Error);
    throw error;
  }
  // Replicas share a server, and hear of one another's changes through it; PGlite is one process.
  const feed: ChangeFeed =
    options.databaseUrl !== undefined
      ? createPgChangeFeed({
          connectionString: options.databaseUrl,
          schema,
          applicationName: options.applicationName,
          logger,
        })
      : createLocalChangeFeed();
  return createPgStore({ db, cipher, feed, onClose: release });
}

/**
 * Fail at start-up, not on the first token request or webhook, when the key cannot read what is stored: a content key,
 * or else a webhook secret (encrypted with the same key).
 */
async function checkEncryptionKey(db: Kysely<Database>, cipher: ContentKeyCipher): Promise<void> {
  const content = await db.selectFrom('contents').select(['id', 'content_key_ciphertext']).limit(1).executeTakeFirst();
  const endpoint = content
    ? undefined
    : await db.selectFrom('webhook_endpoints').select(['id', 'secret_ciphertext']).limit(1).executeTakeFirst();
  const stored = content
    ? { what: `the content key of "${content.id}"`, ciphertext: content.content_key_ciphertext, context: content.id }
    : endpoint
      ? {
          what: `the secret of webhook endpoint "${endpoint.id}"`,
          ciphertext: endpoint.secret_ciphertext,
          context: secretContext(endpoint.id),
        }
      : undefined;
  if (!stored) return;
  try {
    cipher.decrypt(stored.ciphertext, stored.context);
  } catch (error) {
    if (!(error instanceof ContentKeyDecryptionError)) throw error;
    // The cipher's message carries no key material, and neither does this one.
    throw new EncryptionKeyMismatchError(
      'CONTENT_KEY_ENCRYPTION_KEY does not match the key the stored content keys were written with ' +
        `(${stored.what} does not decrypt). Set it to the key this database was written with ` +
        '(unset, the embedded default reads content-key-encryption.key in DATA_DIR); a new key cannot read existing data.',
      { cause: error },
    );
  }
}

/**
 * Opens embedded PGlite in `dataDir` for this process alone: locks the folder first, and turns what PGlite throws
 * on a damaged folder (a wasm `RuntimeError: Aborted()`) into an error that says which folder and what to do.
 */
async function openDataDir(dataDir: string): Promise<{ lite: PGlite; lock: DataDirLock }> {
  try {
    await mkdir(dataDir, { recursive: true });
  } catch (error) {
    throw new DataDirUnusableError(
      dataDir,
      `Cannot create the data directory ${dataDir} (${(error as Error).message}): set DATA_DIR to a folder this process may write.`,
      { cause: error },
    );
  }
  const lock = await lockDataDir(dataDir).catch((error: unknown) => {
    if (error instanceof StoreStartupError) throw error;
    throw new DataDirUnusableError(
      dataDir,
      `Cannot lock the data directory ${dataDir} (${(error as Error).message}): set DATA_DIR to a folder this process may write.`,
      { cause: error },
    );
  });
  try {
    return { lite: await PGlite.create(dataDir), lock };
  } catch (error) {
    await lock.release();
    throw damagedDataDir(dataDir, error as Error);
  }
}

/**
 * PGlite aborts on damaged files (a wasm `RuntimeError: Aborted()`), or opens and then fails its first queries (a
 * migration finds tables that its own bookkeeping says were never made). Either way the folder needs an operator.
 */
function damagedDataDir(dataDir: string, error: Error): DataDirUnusableError {
  // PGlite's own words ("Aborted(). Build with -sASSERTIONS…") would only confuse; a database's error is worth saying.
  const cause = error.cause instanceof Error ? error.cause : error;
  const detail = 'severity' in cause ? ` (${error.message}: ${cause.message})` : '';
  return new DataDirUnusableError(
    dataDir,
    `The embedded database in ${dataDir} cannot be opened${detail}: its files are damaged or are not a PGlite database. Restore the folder from a backup, or move it aside to start with an empty database.`,
    { cause: error },
  );
}

/**
 * The pool as Kysely sees it: statements with parameters run prepared, by name (prepared-statements.ts), and a
 * connection the server ended is dropped. When the server ends a session (pg_terminate_backend, a shutdown, a
 * crash), the query running on it fails with a FATAL error before the socket closes. pg.Pool judges a released
 * client by its socket, which may still look open then: it would hand the dead connection to the next query, which
 * fails too. Releasing the client with the error makes the pool destroy it instead.
 */
export function dropConnectionsThatDied(
  pool: Pick<pg.Pool, 'connect' | 'end'>,
  { prepare }: { prepare: boolean },
): PostgresPool {
  // Not on PGlite: it is one database session for every client this process opens on it (a store reopened on it, a
  // test's clone), so a name prepared by one client would collide with the next client's.
  const names = new PreparedNames(prepare ? undefined : 0);
  return {
    async connect(): Promise<PostgresPoolClient> {
      const client = await pool.connect();
      let died: Error | undefined;
      // Kysely opens and ends its transactions with these statements on the connection it holds for them.
      let inTransaction = false;
      const run = (sql: string, values: unknown[]) => {
        const name = values.length > 0 ? names.of(sql) : undefined;
        return name === undefined ? client.query(sql, values) : client.query({ name, text: sql, values });
      };
      const query = async (sql: string, parameters: ReadonlyArray<unknown>) => {
        const values = parameters as unknown[];
        // Those take no parameters: the statements that do (nearly all) skip both tests.
        if (values.length === 0) {
          if (/^(begin|start transaction)\b/i.test(sql)) inTransaction = true;
          else if (/^(commit|rollback)$/i.test(sql)) inTransaction = false;
        }
        try {
          return await run(sql, values);
        } catch (error) {
          if (endsTheSession(error)) died = error as Error;
          if (!isStalePlan(error)) throw error;
          names.renew(sql);
          if (inTransaction) throw error;
          return await run(sql, values);
        }
      };
      // Only the (sql, parameters) form: the dialect is given no cursor, so Kysely never passes one.
      return { query: query as unknown as PostgresPoolClient['query'], release: () => client.release(died) };
    },
    end: () => pool.end(),
  };
}

/** PostgreSQL closes the session after any FATAL or PANIC error. */
function endsTheSession(error: unknown): boolean {
  const severity = (error as { severity?: unknown } | null)?.severity;
  return severity === 'FATAL' || severity === 'PANIC';
}

function describeError(error: Error): { message: string; code?: string } {
  const code = (error as { code?: unknown }).code;
  return typeof code === 'string' ? { message: error.message, code } : { message: error.message };
}
