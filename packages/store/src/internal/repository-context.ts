import type { Kysely } from "kysely";
import type { Database } from "./database.js";

/** What every repository is built from: a connection (or a transaction), a clock and ids. */
export interface RepositoryContext {
  readonly db: Kysely<Database>;
  /** Now as ISO-8601 UTC text. */
  now(): string;
  /** A new object id (a lowercase GUID). */
  newId(): string;
}

/**
 * Runs `work` in a transaction: the caller's when `ctx.db` already is one (Kysely does not
 * nest transactions), a new one otherwise.
 */
export async function inTransaction<T>(ctx: RepositoryContext, work: (tx: RepositoryContext) => Promise<T>): Promise<T> {
  if (ctx.db.isTransaction) return work(ctx);
  return ctx.db.transaction().execute((trx) => work({ ...ctx, db: trx }));
}
