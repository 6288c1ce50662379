/**
 * Names for the statements the store sends with parameters, so that each connection parses and plans a statement
 * once and then only binds and executes it. PostgreSQL spent about two thirds of a purchase statement's time in
 * parse and plan (0.96 of 1.31 ms, from its statement log at 20 purchases a second), on every purchase.
 *
 * A name stands for one SQL text (the texts are the store's own: a few dozen, and one per list length of an `in`);
 * past `maxNames` texts, the rest run unnamed, as before. A prepared `select *` or `returning *` fails once its table
 * gains a column ("cached plan must not change result type", which a migration run by a newer replica causes): that
 * text then gets a new name, so the next run prepares it again, and a statement outside a transaction is retried at
 * once (inside one, the transaction has failed already and its caller's retry will find the new name).
 */
import { createHash } from 'node:crypto';

export class PreparedNames {
  private readonly names = new Map<string, string>();
  private generation = 0;

  constructor(private readonly maxNames = 500) {}

  /** The name to prepare `text` under, or undefined to send it unnamed. */
  of(text: string): string | undefined {
    const known = this.names.get(text);
    if (known !== undefined || this.names.size >= this.maxNames) return known;
    const name = `s${this.generation}_${createHash('sha1').update(text).digest('hex').slice(0, 20)}`;
    this.names.set(text, name);
    return name;
  }

  /** Gives `text` a new name: its plan outlived a change to a table it reads. */
  renew(text: string): void {
    this.generation += 1;
    this.names.delete(text);
  }
}

/** PostgreSQL's answer when a prepared statement's result columns changed under it (a column added or dropped). */
export function isStalePlan(error: unknown): boolean {
  const { code, message } = (error ?? {}) as { code?: unknown; message?: unknown };
  return code === '0A000' && typeof message === 'string' && message.includes('cached plan must not change result type');
}
