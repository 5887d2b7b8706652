/**
 * Migration `0003_authentication_methods`: a user's second factors. TOTP secrets are stored
 * encrypted by the caller (`secret_ciphertext`); `last_time_step` is the TOTP replay guard.
 * Passkeys keep what WebAuthn needs to verify an assertion (credential id and public key as
 * base64url, the signature counter). The counter is BIGINT: WebAuthn's is a uint32, beyond
 * PostgreSQL's INTEGER. Rows go with their user (foreign key, on delete cascade).
 */
import { type Kysely, type Migration, sql } from "kysely";

// biome-ignore lint/suspicious/noExplicitAny: migrations must not depend on today's row types.
type AnyDatabase = Kysely<any>;

export const authenticationMethodsMigration: Migration = {
  async up(db: AnyDatabase): Promise<void> {
    await db.schema
      .createTable("authentication_methods")
      .addColumn("id", "text", (c) => c.primaryKey())
      .addColumn("user_id", "text", (c) => c.notNull().references("users.id").onDelete("cascade"))
      .addColumn("method_type", "text", (c) => c.notNull().check(sql`method_type in ('softwareOath', 'fido2')`))
      .addColumn("display_name", "text", (c) => c.notNull())
      .addColumn("created_date_time", "text", (c) => c.notNull())
      .addColumn("last_used_date_time", "text")
      .addColumn("secret_ciphertext", "text")
      .addColumn("last_time_step", "integer")
      .addColumn("credential_id", "text")
      .addColumn("public_key", "text")
      .addColumn("counter", "bigint")
      .addColumn("transports", "text")
      .addColumn("aaguid", "text")
      .addColumn("device_type", "text")
      .addColumn("backed_up", "integer")
      .addCheckConstraint(
        "authentication_methods_shape_check",
        sql`(method_type = 'softwareOath' and secret_ciphertext is not null) or (method_type = 'fido2' and credential_id is not null and public_key is not null and counter is not null)`,
      )
      .execute();
    await db.schema.createIndex("authentication_methods_user_id_idx").on("authentication_methods").column("user_id").execute();
    await db.schema
      .createIndex("authentication_methods_credential_id_key")
      .on("authentication_methods")
      .unique()
      .column("credential_id")
      .execute();
  },
};
