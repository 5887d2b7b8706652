/**
 * Versioned migrations, run at open by Kysely's Migrator (its `schema_migration` table records
 * which ran; its lock table serializes concurrent opens). Written with the schema builder only,
 * so the same code runs on SQLite and PostgreSQL: ids, timestamps (ISO-8601) and JSON are TEXT,
 * booleans INTEGER 0/1. Never edit a migration that has shipped; add the next one.
 */
import { type Kysely, type Migration, type MigrationProvider, sql } from "kysely";
import { authenticationMethodsMigration } from "./authentication-methods-migration.js";
import { keyCredentialsMigration } from "./key-credentials-migration.js";
import { oidcPayloadsMigration } from "./oidc-payloads-migration.js";
import { securityInfoRegistrationsMigration } from "./security-info-registrations-migration.js";
import { signInThrottleMigration } from "./sign-in-throttle-migration.js";

export const MIGRATION_TABLE = "schema_migration";
export const MIGRATION_LOCK_TABLE = "schema_migration_lock";

// biome-ignore lint/suspicious/noExplicitAny: migrations must not depend on today's row types.
type AnyDatabase = Kysely<any>;

const initial: Migration = {
  async up(db: AnyDatabase): Promise<void> {
    await db.schema
      .createTable("tenant_settings")
      .addColumn("singleton", "integer", (c) => c.primaryKey().check(sql`singleton = 1`))
      .addColumn("tenant_id", "text", (c) => c.notNull())
      .addColumn("display_name", "text", (c) => c.notNull())
      .addColumn("emergency_access_user_ids", "text", (c) => c.notNull())
      .addColumn("emergency_access_group_ids", "text", (c) => c.notNull())
      .addColumn("naming_standard_pattern", "text")
      .addColumn("settings", "text", (c) => c.notNull())
      .addColumn("modified_date_time", "text", (c) => c.notNull())
      .execute();

    await db.schema
      .createTable("users")
      .addColumn("id", "text", (c) => c.primaryKey())
      .addColumn("user_principal_name", "text", (c) => c.notNull())
      .addColumn("display_name", "text", (c) => c.notNull())
      .addColumn("user_type", "text", (c) => c.notNull())
      .addColumn("account_enabled", "integer", (c) => c.notNull())
      .addColumn("external_user_type", "text")
      .addColumn("external_tenant_id", "text")
      .addColumn("password_hash", "text")
      .addColumn("created_date_time", "text", (c) => c.notNull())
      .execute();
    await db.schema.createIndex("users_user_principal_name_key").on("users").unique().expression(sql`lower(user_principal_name)`).execute();
    await db.schema.createIndex("users_display_name_idx").on("users").column("display_name").execute();

    await db.schema
      .createTable("groups")
      .addColumn("id", "text", (c) => c.primaryKey())
      .addColumn("display_name", "text", (c) => c.notNull())
      .addColumn("description", "text")
      .addColumn("is_assignable_to_role", "integer", (c) => c.notNull())
      .addColumn("created_date_time", "text", (c) => c.notNull())
      .execute();
    await db.schema.createIndex("groups_display_name_idx").on("groups").column("display_name").execute();

    await db.schema
      .createTable("group_members")
      .addColumn("group_id", "text", (c) => c.notNull().references("groups.id").onDelete("cascade"))
      .addColumn("member_id", "text", (c) => c.notNull())
      .addColumn("member_type", "text", (c) => c.notNull().check(sql`member_type in ('user', 'group')`))
      .addPrimaryKeyConstraint("group_members_pkey", ["group_id", "member_id"])
      .execute();
    await db.schema.createIndex("group_members_member_id_idx").on("group_members").column("member_id").execute();

    await db.schema
      .createTable("role_assignments")
      .addColumn("id", "text", (c) => c.primaryKey())
      .addColumn("role_template_id", "text", (c) => c.notNull())
      .addColumn("principal_id", "text", (c) => c.notNull())
      .addColumn("directory_scope_id", "text", (c) => c.notNull().defaultTo("/"))
      .addColumn("created_date_time", "text", (c) => c.notNull())
      .execute();
    await db.schema
      .createIndex("role_assignments_assignment_key")
      .on("role_assignments")
      .unique()
      .columns(["role_template_id", "principal_id", "directory_scope_id"])
      .execute();
    await db.schema.createIndex("role_assignments_principal_id_idx").on("role_assignments").column("principal_id").execute();

    await db.schema
      .createTable("applications")
      .addColumn("id", "text", (c) => c.primaryKey())
      .addColumn("app_id", "text", (c) => c.notNull())
      .addColumn("display_name", "text", (c) => c.notNull())
      .addColumn("description", "text")
      .addColumn("sign_in_audience", "text", (c) => c.notNull())
      .addColumn("identifier_uris", "text", (c) => c.notNull())
      .addColumn("redirect_uris", "text", (c) => c.notNull())
      .addColumn("is_public_client", "integer", (c) => c.notNull())
      .addColumn("created_date_time", "text", (c) => c.notNull())
      .execute();
    await db.schema.createIndex("applications_app_id_key").on("applications").unique().expression(sql`lower(app_id)`).execute();

    await db.schema
      .createTable("password_credentials")
      .addColumn("key_id", "text", (c) => c.primaryKey())
      .addColumn("application_id", "text", (c) => c.notNull().references("applications.id").onDelete("cascade"))
      .addColumn("secret_hash", "text", (c) => c.notNull())
      .addColumn("hint", "text")
      .addColumn("display_name", "text")
      .addColumn("start_date_time", "text", (c) => c.notNull())
      .addColumn("end_date_time", "text")
      .execute();
    await db.schema.createIndex("password_credentials_application_id_idx").on("password_credentials").column("application_id").execute();

    await db.schema
      .createTable("service_principals")
      .addColumn("id", "text", (c) => c.primaryKey())
      .addColumn("app_id", "text", (c) => c.notNull())
      .addColumn("display_name", "text", (c) => c.notNull())
      .addColumn("service_principal_type", "text", (c) => c.notNull())
      .addColumn("app_owner_organization_id", "text")
      .addColumn("account_enabled", "integer", (c) => c.notNull())
      .addColumn("custom_security_attributes", "text", (c) => c.notNull())
      .addColumn("created_date_time", "text", (c) => c.notNull())
      .execute();
    await db.schema.createIndex("service_principals_app_id_key").on("service_principals").unique().expression(sql`lower(app_id)`).execute();

    await db.schema
      .createTable("named_locations")
      .addColumn("id", "text", (c) => c.primaryKey())
      .addColumn("odata_type", "text", (c) => c.notNull())
      .addColumn("display_name", "text", (c) => c.notNull())
      .addColumn("body", "text", (c) => c.notNull())
      .addColumn("created_date_time", "text", (c) => c.notNull())
      .addColumn("modified_date_time", "text")
      .execute();

    await db.schema
      .createTable("authentication_strengths")
      .addColumn("id", "text", (c) => c.primaryKey())
      .addColumn("display_name", "text", (c) => c.notNull())
      .addColumn("body", "text", (c) => c.notNull())
      .addColumn("created_date_time", "text", (c) => c.notNull())
      .addColumn("modified_date_time", "text")
      .execute();

    await db.schema
      .createTable("authentication_contexts")
      .addColumn("id", "text", (c) => c.primaryKey())
      .addColumn("display_name", "text", (c) => c.notNull())
      .addColumn("description", "text")
      .addColumn("is_available", "integer", (c) => c.notNull())
      .execute();

    await db.schema
      .createTable("policies")
      .addColumn("id", "text", (c) => c.primaryKey())
      .addColumn("display_name", "text", (c) => c.notNull())
      .addColumn("state", "text", (c) => c.notNull())
      .addColumn("template_id", "text")
      .addColumn("body", "text", (c) => c.notNull())
      .addColumn("created_date_time", "text", (c) => c.notNull())
      .addColumn("modified_date_time", "text")
      .addColumn("version", "integer", (c) => c.notNull())
      .execute();
    await db.schema.createIndex("policies_state_idx").on("policies").column("state").execute();

    await db.schema
      .createTable("audit_log")
      .addColumn("id", "text", (c) => c.primaryKey())
      .addColumn("activity_date_time", "text", (c) => c.notNull())
      .addColumn("category", "text", (c) => c.notNull())
      .addColumn("activity_display_name", "text", (c) => c.notNull())
      .addColumn("operation_type", "text", (c) => c.notNull())
      .addColumn("initiated_by", "text", (c) => c.notNull())
      .addColumn("target_resources", "text", (c) => c.notNull())
      .addColumn("result", "text", (c) => c.notNull())
      .addColumn("result_reason", "text")
      .addColumn("correlation_id", "text", (c) => c.notNull())
      .addColumn("logged_by_service", "text", (c) => c.notNull())
      .addColumn("additional_details", "text", (c) => c.notNull())
      .execute();
    await db.schema.createIndex("audit_log_activity_idx").on("audit_log").columns(["activity_date_time", "id"]).execute();
    await db.schema.createIndex("audit_log_correlation_id_idx").on("audit_log").column("correlation_id").execute();
  },
};

/** Sign-in logs (Graph's signIn): the full record in `body`, the filtered and ordered fields as columns. */
const signInLogs: Migration = {
  async up(db: AnyDatabase): Promise<void> {
    await db.schema
      .createTable("sign_ins")
      .addColumn("id", "text", (c) => c.primaryKey())
      .addColumn("created_date_time", "text", (c) => c.notNull())
      .addColumn("user_id", "text")
      .addColumn("user_principal_name", "text")
      .addColumn("app_id", "text")
      .addColumn("service_principal_id", "text")
      .addColumn("conditional_access_status", "text", (c) => c.notNull())
      .addColumn("correlation_id", "text", (c) => c.notNull())
      .addColumn("status_error_code", "integer", (c) => c.notNull())
      .addColumn("body", "text", (c) => c.notNull())
      .execute();
    await db.schema.createIndex("sign_ins_created_idx").on("sign_ins").columns(["created_date_time", "id"]).execute();
    await db.schema.createIndex("sign_ins_user_id_idx").on("sign_ins").column("user_id").execute();
    await db.schema.createIndex("sign_ins_app_id_idx").on("sign_ins").column("app_id").execute();
  },
};

/** Migrations by name; names sort in the order they must run. */
export const MIGRATIONS: Readonly<Record<string, Migration>> = {
  "0001_initial": initial,
  "0002_sign_in_logs": signInLogs,
  "0003_authentication_methods": authenticationMethodsMigration,
  "0004_oidc_payloads": oidcPayloadsMigration,
  "0005_sign_in_throttle": signInThrottleMigration,
  "0006_key_credentials": keyCredentialsMigration,
  "0007_security_info_registrations": securityInfoRegistrationsMigration,
};

export const migrationProvider: MigrationProvider = {
  getMigrations: async () => ({ ...MIGRATIONS }),
};
