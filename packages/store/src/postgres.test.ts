/**
 * The contract on PostgreSQL: `GATEHOUSE_TEST_DATABASE_URL` or postgres://postgres@127.0.0.1:5432/test.
 * Each test gets a fresh random schema, dropped afterwards. An unreachable server skips the
 * suite with a message, except in CI (`CI=true`), where it fails.
 */
import { randomBytes } from "node:crypto";
import pg from "pg";
import { afterAll, describe, expect, it } from "vitest";
import { openStore, POSTGRES_MIGRATION_LOCK } from "./open-store.js";
import { registerStoreContract } from "./store.contract.js";

const databaseUrl = process.env.GATEHOUSE_TEST_DATABASE_URL ?? "postgres://postgres@127.0.0.1:5432/test";
const inCi = process.env.CI === "true";
const runPrefix = `gatehouse_test_${randomBytes(4).toString("hex")}`;

async function probe(): Promise<string | null> {
  const client = new pg.Client({ connectionString: databaseUrl, connectionTimeoutMillis: 3000 });
  client.on("error", () => {});
  try {
    await client.connect();
    await client.query("select 1");
    return null;
  } catch (error) {
    return error instanceof Error ? error.message || String((error as { code?: unknown }).code) : String(error);
  } finally {
    await client.end().catch(() => {});
  }
}

async function dropSchemas(pattern: string): Promise<void> {
  const client = new pg.Client({ connectionString: databaseUrl });
  await client.connect();
  try {
    // Under the store's migration lock: a store migrating meanwhile must not see a schema vanish.
    await client.query("select pg_advisory_lock($1)", [POSTGRES_MIGRATION_LOCK]);
    try {
      const { rows } = await client.query<{ nspname: string }>("select nspname from pg_namespace where nspname like $1", [pattern]);
      for (const { nspname } of rows) await client.query(`drop schema if exists "${nspname}" cascade`);
    } finally {
      await client.query("select pg_advisory_unlock($1)", [POSTGRES_MIGRATION_LOCK]);
    }
  } finally {
    await client.end();
  }
}

const problem = await probe();
const redacted = databaseUrl.replace(/\/\/([^:@/]+):[^@/]*@/, "//$1:***@");

if (problem !== null) {
  const message = `PostgreSQL is not reachable at ${redacted} (${problem}); start it or set GATEHOUSE_TEST_DATABASE_URL`;
  if (inCi) {
    it("PostgreSQL is reachable in CI", () => {
      throw new Error(message);
    });
  } else {
    console.warn(`skipping the PostgreSQL store contract: ${message}`);
    it.skip(`the PostgreSQL store contract (skipped: ${message})`, () => {});
  }
} else {
  let counter = 0;
  afterAll(() => dropSchemas(`${runPrefix}_%`));

  registerStoreContract({
    dialect: "postgres",
    async createDatabase() {
      counter += 1;
      const schema = `${runPrefix}_${counter}`;
      return {
        open: (options) => openStore({ databaseUrl, schema, maxConnections: 4, ...options }),
        drop: () => dropSchemas(schema),
      };
    },
  });

  describe("the PostgreSQL store", () => {
    it("keeps its tables and migration records in its own schema", async () => {
      const schema = `${runPrefix}_own`;
      const store = await openStore({ databaseUrl, schema });
      await store.close();
      const client = new pg.Client({ connectionString: databaseUrl });
      await client.connect();
      try {
        const { rows } = await client.query<{ table_name: string }>(
          "select table_name from information_schema.tables where table_schema = $1 order by table_name",
          [schema],
        );
        expect(rows.map((r) => r.table_name)).toEqual(
          expect.arrayContaining(["audit_log", "policies", "schema_migration", "schema_migration_lock", "users"]),
        );
      } finally {
        await client.end();
        await dropSchemas(schema);
      }
    });

    it("opens two schemas side by side without one seeing the other's data or migrations", async () => {
      const a = await openStore({ databaseUrl, schema: `${runPrefix}_side_a` });
      const b = await openStore({ databaseUrl, schema: `${runPrefix}_side_b` });
      try {
        await a.users.create({ userPrincipalName: "alice@contoso.test", displayName: "Alice" });
        expect((await b.users.list()).value).toEqual([]);
        await b.users.create({ userPrincipalName: "alice@contoso.test", displayName: "Alice in B" });
        expect((await b.migrations()).every((m) => m.executedAt !== null)).toBe(true);
      } finally {
        await a.close();
        await b.close();
        await dropSchemas(`${runPrefix}_side_%`);
      }
    });

    it("refuses a schema name that is not a plain identifier", async () => {
      await expect(openStore({ databaseUrl, schema: 'x"; drop schema public; --' })).rejects.toBeInstanceOf(TypeError);
    });

    it("fails with unavailable when the server cannot be reached", async () => {
      const error = await openStore({ databaseUrl: "postgres://postgres@127.0.0.1:1/test" }).catch((e: unknown) => e);
      expect(error).toMatchObject({ name: "GatehouseError", code: "unavailable" });
    });
  });
}
