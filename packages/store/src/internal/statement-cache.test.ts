import SqliteDatabase from "better-sqlite3";
import { describe, expect, it } from "vitest";
import { withStatementCache } from "./statement-cache.js";

describe("withStatementCache", () => {
  it("prepares each SQL text once, evicts the least recently used beyond capacity, and still sees schema changes", () => {
    const raw = new SqliteDatabase(":memory:");
    let prepared = 0;
    const counting = {
      close: () => raw.close(),
      prepare: (sql: string) => {
        prepared++;
        return raw.prepare(sql);
      },
    };
    const db = withStatementCache(counting, 2);
    db.prepare("create table t (a integer)").run([]);
    const insert = db.prepare("insert into t (a) values (?)");
    insert.run([1]);
    expect(db.prepare("insert into t (a) values (?)")).toBe(insert);
    db.prepare("insert into t (a) values (?)").run([2]);
    const select = "select a from t order by a";
    expect(db.prepare(select).all([])).toEqual([{ a: 1 }, { a: 2 }]);
    expect(prepared).toBe(3);
    // Capacity 2: the create statement went first; the insert (used after it) is still there.
    db.prepare("insert into t (a) values (?)");
    expect(prepared).toBe(3);
    db.prepare("select count(*) as n from t");
    db.prepare(select);
    expect(prepared).toBe(5);
    // A cached statement after the table changed shape: SQLite re-prepares it by itself.
    raw.exec("alter table t add column b text default 'x'");
    expect(db.prepare("select * from t order by a").all([])).toEqual([
      { a: 1, b: "x" },
      { a: 2, b: "x" },
    ]);
    db.close();
    expect(raw.open).toBe(false);
  });
});
