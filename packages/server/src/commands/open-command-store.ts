import { join, resolve } from "node:path";
import { openStore, type Store } from "@gatehouse/store";
import { CommandFailure, EXIT } from "./command-io.js";

/** The SQLite file inside a data folder. */
export const SQLITE_FILE_NAME = "gatehouse.sqlite";

/** `--data DIR` | `--database-url URL` (+ `--schema NAME` for PostgreSQL), as every server command takes them. */
export interface StoreLocationOptions {
  data?: string;
  databaseUrl?: string;
  schema?: string;
}

export type StoreLocation = { kind: "sqlite"; path: string } | { kind: "postgres"; databaseUrl: string; schema?: string };

/**
 * Which database the options name; a usage error unless exactly one of `--data` and
 * `--database-url` is given. With neither, the `DATABASE_URL` environment variable names
 * PostgreSQL (for several nodes).
 */
export function storeLocation(options: StoreLocationOptions, env: Record<string, string | undefined> = process.env): StoreLocation {
  const hasData = typeof options.data === "string" && options.data !== "";
  let hasUrl = typeof options.databaseUrl === "string" && options.databaseUrl !== "";
  if (!hasData && !hasUrl && typeof env.DATABASE_URL === "string" && env.DATABASE_URL !== "") {
    options = { ...options, databaseUrl: env.DATABASE_URL };
    hasUrl = true;
  }
  if (hasData === hasUrl)
    throw new CommandFailure(
      "give either --data DIR (embedded SQLite) or --database-url postgres://... (PostgreSQL; or set DATABASE_URL)",
      EXIT.usage,
    );
  if (hasUrl) {
    const url = options.databaseUrl as string;
    if (!/^postgres(ql)?:\/\//i.test(url))
      throw new CommandFailure(`--database-url must be a postgres:// URL, not "${redactUrl(url)}"`, EXIT.usage);
    return { kind: "postgres", databaseUrl: url, ...(options.schema ? { schema: options.schema } : {}) };
  }
  if (options.schema) throw new CommandFailure("--schema applies to --database-url (PostgreSQL) only", EXIT.usage);
  return { kind: "sqlite", path: join(resolve(options.data as string), SQLITE_FILE_NAME) };
}

/** The URL without its password, for messages. */
export function redactUrl(url: string): string {
  return url.replace(/^([a-z]+:\/\/[^:/@]+):[^@]*@/i, "$1:***@");
}

/** Where the store is, for messages. */
export function describeLocation(location: StoreLocation): string {
  return location.kind === "sqlite"
    ? location.path
    : `${redactUrl(location.databaseUrl)}${location.schema ? ` (schema ${location.schema})` : ""}`;
}

/** Opens (creating the folder and migrating when needed) the store the options name. */
export async function openCommandStore(
  options: StoreLocationOptions,
  extra: { now?: () => Date } = {},
): Promise<{ store: Store; location: StoreLocation }> {
  const location = storeLocation(options);
  const store =
    location.kind === "sqlite"
      ? await openStore({ sqlitePath: location.path, ...extra })
      : await openStore({ databaseUrl: location.databaseUrl, ...(location.schema ? { schema: location.schema } : {}), ...extra });
  return { store, location };
}

/** Opens the store, runs `work`, and always closes it. */
export async function withCommandStore<T>(
  options: StoreLocationOptions,
  work: (store: Store, location: StoreLocation) => Promise<T>,
): Promise<T> {
  const { store, location } = await openCommandStore(options);
  try {
    return await work(store, location);
  } finally {
    await store.close();
  }
}

/** Adds `--data`, `--database-url` and `--schema` to a command. */
export function storeOptionsHelp(): [flags: string, description: string][] {
  return [
    ["--data <dir>", `data folder of the embedded SQLite database (${SQLITE_FILE_NAME}; created when missing)`],
    ["--database-url <url>", "PostgreSQL instead of a data folder: postgres://user@host:5432/db"],
    ["--schema <name>", "PostgreSQL schema (default public)"],
  ];
}
