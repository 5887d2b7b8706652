/**
 * Migration `0006_key_credentials`: Graph's `keyCredentials` of applications (X.509
 * certificates, public part only: `key` is the certificate's base64 DER), used for
 * `private_key_jwt` client authentication. Removed with their application (cascade).
 */
import type { Kysely, Migration } from "kysely";

// biome-ignore lint/suspicious/noExplicitAny: migrations must not depend on today's row types.
type AnyDatabase = Kysely<any>;

export const keyCredentialsMigration: Migration = {
  async up(db: AnyDatabase): Promise<void> {
    await db.schema
      .createTable("key_credentials")
      .addColumn("key_id", "text", (c) => c.primaryKey())
      .addColumn("application_id", "text", (c) => c.notNull().references("applications.id").onDelete("cascade"))
      .addColumn("custom_key_identifier", "text", (c) => c.notNull())
      .addColumn("display_name", "text")
      .addColumn("type", "text", (c) => c.notNull())
      .addColumn("usage", "text", (c) => c.notNull())
      .addColumn("key", "text", (c) => c.notNull())
      .addColumn("start_date_time", "text", (c) => c.notNull())
      .addColumn("end_date_time", "text", (c) => c.notNull())
      .execute();
    await db.schema.createIndex("key_credentials_application_id_idx").on("key_credentials").column("application_id").execute();
  },
};
