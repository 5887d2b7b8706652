/**
 * `openStore`: the durable store on SQLite (the embedded default) or PostgreSQL, one Kysely
 * code path over both. Migrations run at open.
 */
import { randomUUID } from "node:crypto";
import { mkdirSync } from "node:fs";
import { dirname } from "node:path";
import SqliteDatabase from "better-sqlite3";
import { type Dialect, Kysely, Migrator, PostgresDialect, SqliteDialect, sql } from "kysely";
import pg from "pg";
import { GatehouseError } from "./gatehouse-error.js";
import { createRepositories } from "./internal/create-repositories.js";
import type { Database } from "./internal/database.js";
import { MIGRATION_LOCK_TABLE, MIGRATION_TABLE, migrationProvider } from "./internal/migrations.js";
import type { RepositoryContext } from "./internal/repository-context.js";
import { withStatementCache } from "./internal/statement-cache.js";
import { toGatehouseError } from "./internal/to-gatehouse-error.js";
import type {
  AppliedMigration,
  PostgresStoreOptions,
  Repositories,
  SqliteStoreOptions,
  Store,
  StoreDialect,
  StoreOptions,
} from "./types.js";

/** PostgreSQL schema names we accept: plain identifiers (they end up in `search_path`). */
const SCHEMA_NAME = /^[A-Za-z_][A-Za-z0-9_]{0,62}$/;

function openSqlite(options: SqliteStoreOptions): Dialect {
  const path = options.sqlitePath;
  if (typeof path !== "string" || path === "") throw new TypeError("sqlitePath must be a file path or :memory:");
  try {
    if (path !== ":memory:") mkdirSync(dirname(path), { recursive: true });
    const database = new SqliteDatabase(path);
    database.pragma("journal_mode = WAL");
    database.pragma("foreign_keys = ON");
    database.pragma("busy_timeout = 5000");
    return new SqliteDialect({ database: withStatementCache(database) });
  } catch (error) {
    const mapped = toGatehouseError(error, "database");
    throw mapped instanceof GatehouseError
      ? mapped
      : new GatehouseError("unavailable", `the SQLite database ${path} cannot be opened: ${String(error)}`, { cause: error });
  }
}

function openPostgres(options: PostgresStoreOptions): { dialect: Dialect; schema: string } {
  if (typeof options.databaseUrl !== "string" || options.databaseUrl === "") throw new TypeError("databaseUrl must be a postgres:// URL");
  const schema = options.schema ?? "public";
  if (!SCHEMA_NAME.test(schema)) throw new TypeError(`schema must be a plain SQL identifier, not ${JSON.stringify(schema)}`);
  const pool = new pg.Pool({
    connectionString: options.databaseUrl,
    max: options.maxConnections ?? 10,
    // Every connection resolves unqualified table names in our schema only.
    options: `-c search_path="${schema}"`,
  });
  // An idle client losing its connection must not crash the process; the next query reports it.
  pool.on("error", () => {});
  return { dialect: new PostgresDialect({ pool }), schema };
}

/** Advisory lock key taken while creating schemas or migrating (and by tests dropping schemas). */
export const POSTGRES_MIGRATION_LOCK = 7_140_211_901;

function createMigrator(db: Kysely<Database>, schema: string | undefined): Migrator {
  return new Migrator({
    db,
    provider: migrationProvider,
    migrationTableName: MIGRATION_TABLE,
    migrationLockTableName: MIGRATION_LOCK_TABLE,
    ...(schema === undefined ? {} : { migrationTableSchema: schema }),
  });
}

/** Opens (creating and migrating when needed) the store. Fails with `unavailable` when the database cannot be reached. */
export async function openStore(options: StoreOptions): Promise<Store> {
  let dialect: Dialect;
  let schema: string | undefined;
  let kind: StoreDialect;
  if (typeof options !== "object" || options === null) throw new TypeError("openStore needs { sqlitePath } or { databaseUrl }");
  if ("sqlitePath" in options) {
    dialect = openSqlite(options);
    kind = "sqlite";
  } else if ("databaseUrl" in options) {
    ({ dialect, schema } = openPostgres(options));
    kind = "postgres";
  } else {
    throw new TypeError("openStore needs { sqlitePath } or { databaseUrl }");
  }

  const db = new Kysely<Database>({ dialect });
  try {
    if (schema === undefined) {
      const { error } = await createMigrator(db, schema).migrateToLatest();
      if (error !== undefined) throw error;
    } else {
      // PostgreSQL: nodes starting together (and anything creating or dropping schemas in the
      // same database) take turns: the migrator's introspection reads every schema, and a
      // schema dropped meanwhile would fail it. One session-level advisory lock serialises them.
      await db.connection().execute(async (connection) => {
        await sql`select pg_advisory_lock(${POSTGRES_MIGRATION_LOCK})`.execute(connection);
        try {
          await sql`create schema if not exists ${sql.id(schema)}`.execute(connection);
          const { error } = await createMigrator(connection, schema).migrateToLatest();
          if (error !== undefined) throw error;
        } finally {
          await sql`select pg_advisory_unlock(${POSTGRES_MIGRATION_LOCK})`.execute(connection);
        }
      });
    }
  } catch (error) {
    await db.destroy().catch(() => {});
    const mapped = toGatehouseError(error, "database");
    if (mapped instanceof GatehouseError) throw mapped;
    throw new GatehouseError("unavailable", `the ${kind} database could not be migrated: ${String(error)}`, { cause: error });
  }

  const clock = options.now ?? (() => new Date());
  let lastAuditMs = Number.NEGATIVE_INFINITY;
  const auditNow = (at?: string): string => {
    lastAuditMs = Math.max(at === undefined ? clock().getTime() : Date.parse(at), lastAuditMs + 1);
    return new Date(lastAuditMs).toISOString();
  };
  const beforeClose: (() => Promise<void>)[] = [];
  const ctx: RepositoryContext = { db, now: () => clock().toISOString(), auditNow, newId: () => randomUUID(), beforeClose };
  const repositories = createRepositories(ctx);
  let closed = false;

  return {
    ...repositories,
    dialect: kind,
    async transaction<T>(work: (tx: Repositories) => Promise<T>): Promise<T> {
      try {
        return await db.transaction().execute((trx) => work(createRepositories({ ...ctx, db: trx, beforeClose: undefined })));
      } catch (error) {
        throw toGatehouseError(error, "transaction");
      }
    },
    async migrations(): Promise<AppliedMigration[]> {
      const list = await createMigrator(db, schema).getMigrations();
      return list.map((m) => ({ name: m.name, executedAt: m.executedAt ?? null }));
    },
    async close() {
      if (closed) return;
      closed = true;
      for (const work of beforeClose) await work().catch(() => {});
      await db.destroy();
    },
  };
}
