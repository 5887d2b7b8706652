/**
 * A prepared-statement cache for better-sqlite3 under Kysely. Kysely's SQLite driver prepares
 * every query anew, and compiling SQL was a sixth of the token endpoint's CPU time; a query
 * builder produces a few hundred distinct SQL texts, so they are kept (least recently used out
 * beyond `capacity`). Safe because Kysely runs one query at a time on the connection (its
 * mutex), streamed ones included; SQLite re-prepares a statement itself after a schema change.
 */
import type { SqliteDatabase, SqliteStatement } from "kysely";

export function withStatementCache(database: SqliteDatabase, capacity = 512): SqliteDatabase {
  const statements = new Map<string, SqliteStatement>();
  return {
    close: () => {
      statements.clear();
      database.close();
    },
    prepare(sql) {
      let statement = statements.get(sql);
      if (statement !== undefined) {
        // Most recently used last: Map keeps insertion order.
        statements.delete(sql);
        statements.set(sql, statement);
        return statement;
      }
      statement = database.prepare(sql);
      statements.set(sql, statement);
      if (statements.size > capacity) statements.delete(statements.keys().next().value as string);
      return statement;
    },
  };
}
