/**
 * Committed changes that in-process caches must hear of: a binding bound, revoked, renamed or expired, a title
 * upserted. In one process (PGlite) the store tells its listeners after commit. On a PostgreSQL server every replica
 * must hear of every other's changes, so each change is also announced with NOTIFY inside its transaction (delivered
 * at commit, never for a rollback) and each replica LISTENs on a dedicated connection. While that connection is down,
 * nothing arrives: `live()` is false and caches must not serve what they hold; on loss and on reconnection a `reset`
 * clears them, since changes made meanwhile were never heard of.
 */
import { sql, type Kysely } from 'kysely';
import pg from 'pg';

export type StoreChange =
  | { readonly kind: 'binding' | 'content'; readonly id: string }
  /** Anything may have changed: forget everything. */
  | { readonly kind: 'reset' };

export type ChangeListener = (change: StoreChange) => void;

export interface ChangeFeed {
  /** In the change's transaction: other replicas hear of it once it commits. Nothing to do in one process. */
  announce(trx: Kysely<unknown>, change: StoreChange): Promise<void>;
  /** After the change committed: this process's listeners, at once. */
  emit: (change: StoreChange) => void;
  subscribe: (listener: ChangeListener) => () => void;
  /** True while every replica's changes reach the listeners. */
  live(): boolean;
  close(): Promise<void>;
}

export interface FeedLogger {
  warn(obj: object, msg?: string): void;
  info(obj: object, msg?: string): void;
}

/** One channel for every schema on the server; the payload names the schema, so test schemas stay apart. */
export const CHANGE_CHANNEL = 'entitlement_api_changes';

function listeners(): Pick<ChangeFeed, 'emit' | 'subscribe'> {
  const set = new Set<ChangeListener>();
  return {
    emit: (change: StoreChange): void => {
      for (const listener of set) {
        try {
          listener(change);
        } catch {
          // A listener's fault must not keep the others from hearing of the change.
        }
      }
    },
    subscribe: (listener: ChangeListener): (() => void) => {
      set.add(listener);
      return () => set.delete(listener);
    },
  };
}

/** One process (PGlite): every change is made here, so telling this process's listeners is enough. */
export function createLocalChangeFeed(): ChangeFeed {
  const { emit, subscribe } = listeners();
  return {
    announce: () => Promise.resolve(),
    emit,
    subscribe,
    live: () => true,
    close: () => Promise.resolve(),
  };
}

export interface PgChangeFeedOptions {
  readonly connectionString: string;
  readonly schema: string;
  readonly applicationName?: string;
  readonly logger?: FeedLogger;
  /** First reconnection delay; doubles up to `maxRetryMs` (defaults 100 ms and 5 s). */
  readonly retryMs?: number;
  readonly maxRetryMs?: number;
}

const KIND_CODES = { binding: 'b', content: 'c' } as const;

/**
 * A PostgreSQL server shared by replicas: LISTEN on a connection of its own (not the pool's: a pooled connection
 * changes hands and would drop notifications), opened when the first listener subscribes (a store nothing caches
 * over holds no extra connection), reopened with backoff whenever it is lost. Not live until it listens.
 */
export function createPgChangeFeed(options: PgChangeFeedOptions): ChangeFeed {
  const { emit, subscribe } = listeners();
  const { schema, logger } = options;
  const baseRetry = options.retryMs ?? 100;
  const maxRetry = options.maxRetryMs ?? 5000;
  let client: pg.Client | undefined;
  let connected = false;
  let closed = false;
  let retry = baseRetry;
  let timer: NodeJS.Timeout | undefined;

  const onNotification = (message: pg.Notification): void => {
    if (message.channel !== CHANGE_CHANNEL || message.payload === undefined) return;
    // `<schema> <kind> <id>`: ids are UUIDs or content ids, which hold no space.
    const [s, kind, id] = message.payload.split(' ');
    if (s !== schema || id === undefined) return;
    if (kind === KIND_CODES.binding) emit({ kind: 'binding', id });
    else if (kind === KIND_CODES.content) emit({ kind: 'content', id });
  };

  const lost = (current: pg.Client, error?: Error): void => {
    if (client !== current) return;
    client = undefined;
    current.removeAllListeners('notification');
    current.end().catch(() => undefined);
    if (closed) return;
    if (connected) {
      connected = false;
      logger?.warn(
        { err: error ? { message: error.message } : undefined },
        'Lost the connection that hears of other replicas’ changes; caches are bypassed until it is back',
      );
      emit({ kind: 'reset' });
    }
    timer = setTimeout(() => void connect(), retry);
    timer.unref();
    retry = Math.min(maxRetry, retry * 2);
  };

  const connect = async (): Promise<void> => {
    if (closed) return;
    const next = new pg.Client({
      connectionString: options.connectionString,
      application_name: options.applicationName,
      connectionTimeoutMillis: 10_000,
      keepAlive: true,
    });
    client = next;
    next.on('error', (error) => lost(next, error));
    next.on('end', () => lost(next));
    next.on('notification', onNotification);
    try {
      await next.connect();
      await next.query(`LISTEN ${CHANGE_CHANNEL}`);
    } catch (error) {
      lost(next, error as Error);
      return;
    }
    if (closed || client !== next) return;
    connected = true;
    retry = baseRetry;
    // Whatever was cached before may have changed while nobody listened.
    emit({ kind: 'reset' });
  };

  let started = false;
  return {
    async announce(trx, change) {
      if (change.kind === 'reset') return;
      await sql`select pg_notify(${CHANGE_CHANNEL}, ${`${schema} ${KIND_CODES[change.kind]} ${change.id}`})`.execute(
        trx,
      );
    },
    emit,
    subscribe(listener) {
      if (!started) {
        started = true;
        void connect();
      }
      return subscribe(listener);
    },
    live: () => connected,
    async close() {
      closed = true;
      connected = false;
      if (timer) clearTimeout(timer);
      const current = client;
      client = undefined;
      await current?.end().catch(() => undefined);
    },
  };
}
