/**
 * Migration `0007_security_info_registrations`: registrations of security info in progress
 * (the Management API's "My security info"), between their start and their verification: a
 * TOTP secret encrypted by the caller, or a WebAuthn challenge. Each expires (`expires_at`,
 * ISO-8601 text) and counts wrong codes (`attempts`); rows go with their user.
 */
import { type Kysely, type Migration, sql } from "kysely";

// biome-ignore lint/suspicious/noExplicitAny: migrations must not depend on today's row types.
type AnyDatabase = Kysely<any>;

export const securityInfoRegistrationsMigration: Migration = {
  async up(db: AnyDatabase): Promise<void> {
    await db.schema
      .createTable("security_info_registrations")
      .addColumn("id", "text", (c) => c.primaryKey())
      .addColumn("user_id", "text", (c) => c.notNull().references("users.id").onDelete("cascade"))
      .addColumn("method_type", "text", (c) => c.notNull().check(sql`method_type in ('softwareOath', 'fido2')`))
      .addColumn("secret_ciphertext", "text")
      .addColumn("challenge", "text")
      .addColumn("attempts", "integer", (c) => c.notNull())
      .addColumn("created_date_time", "text", (c) => c.notNull())
      .addColumn("expires_at", "text", (c) => c.notNull())
      .addCheckConstraint(
        "security_info_registrations_shape_check",
        sql`(method_type = 'softwareOath' and secret_ciphertext is not null) or (method_type = 'fido2' and challenge is not null)`,
      )
      .execute();
    await db.schema.createIndex("security_info_registrations_user_id_idx").on("security_info_registrations").column("user_id").execute();
    await db.schema
      .createIndex("security_info_registrations_expires_at_idx")
      .on("security_info_registrations")
      .column("expires_at")
      .execute();
  },
};
