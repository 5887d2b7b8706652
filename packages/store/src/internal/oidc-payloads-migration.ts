/**
 * Migration `0004_oidc_payloads`: the sign-in service's protocol state (oidc-provider's models:
 * sessions, interactions, grants, authorization and device codes, refresh tokens...), one row
 * per (model, id) with the payload as JSON text. `grant_id`, `user_code` and `uid` are copied
 * out of the payload for the adapter's lookups; `expires_at` and `consumed_at` are ISO-8601.
 */
import type { Kysely, Migration } from "kysely";

// biome-ignore lint/suspicious/noExplicitAny: migrations must not depend on today's row types.
type AnyDatabase = Kysely<any>;

export const oidcPayloadsMigration: Migration = {
  async up(db: AnyDatabase): Promise<void> {
    await db.schema
      .createTable("oidc_payloads")
      .addColumn("model", "text", (c) => c.notNull())
      .addColumn("id", "text", (c) => c.notNull())
      .addColumn("payload", "text", (c) => c.notNull())
      .addColumn("grant_id", "text")
      .addColumn("user_code", "text")
      .addColumn("uid", "text")
      .addColumn("expires_at", "text")
      .addColumn("consumed_at", "text")
      .addPrimaryKeyConstraint("oidc_payloads_pkey", ["model", "id"])
      .execute();
    await db.schema.createIndex("oidc_payloads_grant_id_idx").on("oidc_payloads").column("grant_id").execute();
    await db.schema.createIndex("oidc_payloads_user_code_idx").on("oidc_payloads").columns(["model", "user_code"]).execute();
    await db.schema.createIndex("oidc_payloads_uid_idx").on("oidc_payloads").columns(["model", "uid"]).execute();
    await db.schema.createIndex("oidc_payloads_expires_at_idx").on("oidc_payloads").column("expires_at").execute();
  },
};
