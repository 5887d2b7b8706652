import type { Kysely } from "kysely";
import type { Database } from "./database.js";

/** What every repository is built from: a connection (or a transaction), a clock and ids. */
export interface RepositoryContext {
  readonly db: Kysely<Database>;
  /** Now as ISO-8601 UTC text. */
  now(): string;
  /**
   * The time of a new audit record: `at` (or now), moved 1 ms past the previous record's
   * when it would tie or go back, so records keep the order they were written in within
   * this store (several nodes: ties fall back to the record id).
   */
  auditNow(at?: string): string;
  /** A new object id (a lowercase GUID). */
  newId(): string;
  /** Work the store awaits before it closes its connections (rows still being group-committed). */
  readonly beforeClose?: (() => Promise<void>)[];
}

/**
 * Runs `work` in a transaction: the caller's when `ctx.db` already is one (Kysely does not
 * nest transactions), a new one otherwise.
 */
export async function inTransaction<T>(ctx: RepositoryContext, work: (tx: RepositoryContext) => Promise<T>): Promise<T> {
  if (ctx.db.isTransaction) return work(ctx);
  return ctx.db.transaction().execute((trx) => work({ ...ctx, db: trx }));
}
