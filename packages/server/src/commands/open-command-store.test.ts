import { describe, expect, it } from "vitest";
import { storeLocation } from "./open-command-store.js";

describe("storeLocation", () => {
  it("uses the data folder's SQLite file", () => {
    expect(storeLocation({ data: "/tmp/g" }, {})).toEqual({ kind: "sqlite", path: "/tmp/g/gatehouse.sqlite" });
  });

  it("takes PostgreSQL from DATABASE_URL when neither --data nor --database-url is given", () => {
    expect(storeLocation({}, { DATABASE_URL: "postgres://u@db:5432/g" })).toEqual({
      kind: "postgres",
      databaseUrl: "postgres://u@db:5432/g",
    });
  });

  it("prefers an explicit --data over DATABASE_URL", () => {
    expect(storeLocation({ data: "/tmp/g" }, { DATABASE_URL: "postgres://u@db/g" }).kind).toBe("sqlite");
  });

  it("refuses to guess when nothing names a database", () => {
    expect(() => storeLocation({}, {})).toThrow(/--data DIR .* DATABASE_URL/);
  });
});
