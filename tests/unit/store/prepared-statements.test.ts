/**
 * Statements with parameters run prepared, by name, on a real server (store/prepared-statements.ts): one name per
 * SQL text, a new one after PostgreSQL says a plan outlived a change to its table, and a retry only outside a
 * transaction. The store on PostgreSQL runs them for real in store-postgres.test.ts.
 */
import type pg from 'pg';
import { describe, expect, it } from 'vitest';
import { dropConnectionsThatDied } from '../../../src/store/create-store.js';
import { PreparedNames } from '../../../src/store/prepared-statements.js';

type Sent = string | { name: string; text: string; values: unknown[] };

const stalePlan = () =>
  Object.assign(new Error('cached plan must not change result type'), { code: '0A000', severity: 'ERROR' });

/** A pool whose one client records what it is sent and fails the queries `fail` picks. */
function fakePool(fail: (sent: Sent, count: number) => Error | undefined = () => undefined) {
  const sent: Sent[] = [];
  const client = {
    query: async (text: string | { name: string; text: string; values: unknown[] }) => {
      sent.push(text);
      const error = fail(text, sent.length);
      if (error) throw error;
      return { rows: [], command: 'SELECT', rowCount: 0 };
    },
    release: () => undefined,
  };
  const pool = { connect: async () => client, end: async () => undefined } as unknown as Pick<
    pg.Pool,
    'connect' | 'end'
  >;
  return { pool, sent };
}

const nameOf = (sent: Sent) => (typeof sent === 'string' ? undefined : sent.name);

describe('PreparedNames', () => {
  it('names one text the same every time, another text otherwise, and stops naming past its bound', () => {
    const names = new PreparedNames(2);
    const a = names.of('select $1');
    expect(a).toBeDefined();
    expect(names.of('select $1')).toBe(a);
    expect(names.of('select $2')).not.toBe(a);
    expect(names.of('select $3')).toBeUndefined();
    names.renew('select $1');
    expect(names.of('select $1')).not.toBe(a);
  });
});

describe('the store connection on a real server', () => {
  it('sends statements with parameters by name and the others as text', async () => {
    const { pool, sent } = fakePool();
    const connection = await dropConnectionsThatDied(pool, { prepare: true }).connect();
    await connection.query('select * from t where id = $1', [1]);
    await connection.query('select * from t where id = $1', [2]);
    await connection.query('begin', []);
    expect(nameOf(sent[0])).toMatch(/^s\d+_[0-9a-f]{20}$/);
    expect(nameOf(sent[1])).toBe(nameOf(sent[0]));
    expect(sent[2]).toBe('begin');
  });

  it('on PGlite (one session for every client) sends everything unnamed', async () => {
    const { pool, sent } = fakePool();
    const connection = await dropConnectionsThatDied(pool, { prepare: false }).connect();
    await connection.query('select * from t where id = $1', [1]);
    expect(sent).toEqual(['select * from t where id = $1']);
  });

  it('prepares a statement again under a new name when its plan went stale, retrying at once outside a transaction', async () => {
    const { pool, sent } = fakePool((s, count) => (count === 2 ? stalePlan() : undefined));
    const connection = await dropConnectionsThatDied(pool, { prepare: true }).connect();
    await connection.query('select * from t where id = $1', [1]);
    await expect(connection.query('select * from t where id = $1', [1])).resolves.toBeDefined();
    expect(sent).toHaveLength(3);
    expect(nameOf(sent[2])).not.toBe(nameOf(sent[1]));
  });

  it('inside a transaction lets the stale plan fail (the transaction is lost anyway) and uses the new name next time', async () => {
    const { pool, sent } = fakePool((s, count) => (count === 3 ? stalePlan() : undefined));
    const connection = await dropConnectionsThatDied(pool, { prepare: true }).connect();
    await connection.query('select * from t where id = $1', [1]);
    await connection.query('begin', []);
    await expect(connection.query('select * from t where id = $1', [1])).rejects.toThrow(/cached plan/);
    await connection.query('rollback', []);
    await connection.query('select * from t where id = $1', [1]);
    expect(sent.map(nameOf)).toEqual([nameOf(sent[0]), undefined, nameOf(sent[0]), undefined, expect.any(String)]);
    expect(nameOf(sent[4])).not.toBe(nameOf(sent[0]));
  });
});
