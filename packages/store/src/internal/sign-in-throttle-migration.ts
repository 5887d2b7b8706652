/**
 * Migration `0005_sign_in_throttle`: the sign-in service's counters of failed password and
 * code attempts, one row per throttle key (e.g. an account, an IP address, an account from one
 * IP address), shared by every node. Times are ISO-8601 text.
 */
import type { Kysely, Migration } from "kysely";

// biome-ignore lint/suspicious/noExplicitAny: migrations must not depend on today's row types.
type AnyDatabase = Kysely<any>;

export const signInThrottleMigration: Migration = {
  async up(db: AnyDatabase): Promise<void> {
    await db.schema
      .createTable("sign_in_throttle")
      .addColumn("key", "text", (c) => c.primaryKey())
      .addColumn("failures", "integer", (c) => c.notNull())
      .addColumn("window_started_at", "text", (c) => c.notNull())
      .addColumn("lockouts", "integer", (c) => c.notNull())
      .addColumn("locked_until", "text")
      .addColumn("last_failure_at", "text", (c) => c.notNull())
      .execute();
    await db.schema.createIndex("sign_in_throttle_last_failure_at_idx").on("sign_in_throttle").column("last_failure_at").execute();
  },
};
