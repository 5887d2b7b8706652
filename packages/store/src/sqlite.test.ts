import { existsSync, mkdtempSync, readdirSync, rmSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import SqliteDatabase from "better-sqlite3";
import { afterAll, describe, expect, it } from "vitest";
import { openStore } from "./open-store.js";
import { registerStoreContract } from "./store.contract.js";

/** One temporary folder per run, one database file per test; removed at the end. */
const folder = mkdtempSync(join(tmpdir(), "gatehouse-store-"));
let counter = 0;

afterAll(() => rmSync(folder, { recursive: true, force: true }));

registerStoreContract({
  dialect: "sqlite",
  async createDatabase() {
    counter += 1;
    const sqlitePath = join(folder, `test-${counter}`, "gatehouse.db");
    return {
      open: (options) => openStore({ sqlitePath, ...options }),
      async drop() {
        rmSync(join(folder, `test-${counter}`), { recursive: true, force: true });
      },
    };
  },
});

describe("the SQLite store", () => {
  it("creates its data folder, and its file is in WAL mode with foreign keys on", async () => {
    const sqlitePath = join(folder, "fresh", "nested", "gatehouse.db");
    const store = await openStore({ sqlitePath });
    await store.users.create({ userPrincipalName: "alice@contoso.test", displayName: "Alice" });
    expect(existsSync(sqlitePath)).toBe(true);
    expect(readdirSync(join(folder, "fresh", "nested"))).toContain("gatehouse.db-wal");
    await store.close();

    const raw = new SqliteDatabase(sqlitePath);
    expect(raw.pragma("journal_mode", { simple: true })).toBe("wal");
    const tables = raw
      .prepare("select name from sqlite_master where type = 'table' order by name")
      .all()
      .map((r) => (r as { name: string }).name);
    expect(tables).toEqual(
      expect.arrayContaining(["audit_log", "group_members", "policies", "schema_migration", "schema_migration_lock", "users"]),
    );
    raw.close();
  });

  it("enforces foreign keys on the connection it opens", async () => {
    const store = await openStore({ sqlitePath: ":memory:" });
    // A credential for a missing application is refused by the store's own check and, below it, by the foreign key.
    await expect(store.applications.addPasswordCredential("missing", { secretHash: "h" })).rejects.toMatchObject({ code: "notFound" });
    await store.close();
  });

  it("refuses a path it cannot create with unavailable", async () => {
    const blocker = join(folder, "a-file");
    rmSync(blocker, { force: true });
    (await import("node:fs")).writeFileSync(blocker, "not a folder");
    await expect(openStore({ sqlitePath: join(blocker, "gatehouse.db") })).rejects.toMatchObject({ code: "unavailable" });
  });
});
