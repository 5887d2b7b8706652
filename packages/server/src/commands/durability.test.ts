/**
 * "A test kills the server process (SIGKILL) in the middle of a stream of policy writes and
 * checks that every write the API acknowledged is present after restart, on both databases."
 *
 * Runs the built CLI (`node packages/cli/dist/main.js serve`) as a child process on loopback.
 * Builds it first; when the build is impossible (outside CI) or PostgreSQL is unreachable
 * (outside CI) the affected test is skipped with a plain message. With CI=true both fail instead.
 */
import { type ChildProcess, spawn, spawnSync } from "node:child_process";
import { randomBytes } from "node:crypto";
import { existsSync, mkdtempSync, rmSync } from "node:fs";
import { tmpdir } from "node:os";
import { join, resolve } from "node:path";
import { fileURLToPath } from "node:url";
import { openStore, POSTGRES_MIGRATION_LOCK, type StoreOptions } from "@gatehouse/store";
import pg from "pg";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { initTenant } from "../bootstrap/init-tenant.js";
import { GATEHOUSE_CLI_APP_ID } from "../bootstrap/well-known-applications.js";
import { issueManagementToken } from "../signing-keys.js";

const ROOT = resolve(fileURLToPath(new URL("../../../../", import.meta.url)));
const CLI = join(ROOT, "packages/cli/dist/main.js");
const CI = process.env.CI === "true";
const POSTGRES_URL = process.env.GATEHOUSE_TEST_DATABASE_URL ?? "postgres://postgres@127.0.0.1:5432/test";
const POLICIES = "/v1.0/identity/conditionalAccess/policies";
/** Writes before the kill, and the most the stream will ever attempt. */
const KILL_AFTER_ACKNOWLEDGED = 25;
const MAX_WRITES = 400;
const CONCURRENCY = 4;

let buildProblem: string | null = null;

beforeAll(() => {
  const build = spawnSync("npx", ["tsc", "-b", "packages/cli", "packages/server"], { cwd: ROOT, encoding: "utf8", timeout: 240_000 });
  if (build.status !== 0)
    buildProblem = `the CLI and server do not build (${(build.stdout || build.stderr || String(build.error)).split("\n")[0]})`;
  else if (!existsSync(CLI)) buildProblem = `${CLI} is missing after the build`;
}, 300_000);

function skipOrFail(reason: string, skip: (note: string) => void): void {
  if (CI) throw new Error(`durability test cannot run on CI: ${reason}`);
  console.warn(`skipped: ${reason}`);
  skip(reason);
}

interface Running {
  child: ChildProcess;
  url: string;
  exited: Promise<number | null>;
}

/** Starts `gatehouse serve ... --port 0` and resolves once it prints its URL (at most 20 s). */
function startServer(locationArgs: string[]): Promise<Running> {
  const child = spawn(process.execPath, [CLI, "serve", ...locationArgs, "--port", "0", "--host", "127.0.0.1"], {
    cwd: ROOT,
    stdio: ["ignore", "pipe", "pipe"],
  });
  const exited = new Promise<number | null>((done) => child.once("exit", (code) => done(code)));
  return new Promise<Running>((resolveStart, reject) => {
    let output = "";
    const timer = setTimeout(() => {
      child.kill("SIGKILL");
      reject(new Error(`the server did not start within 20 s: ${output}`));
    }, 20_000);
    const onData = (chunk: Buffer): void => {
      output += chunk.toString();
      const match = /listening on (http:\/\/127\.0\.0\.1:\d+)/.exec(output);
      if (match) {
        clearTimeout(timer);
        resolveStart({ child, url: match[1] as string, exited });
      }
    };
    child.stdout?.on("data", onData);
    child.stderr?.on("data", (chunk: Buffer) => {
      output += chunk.toString();
    });
    void exited.then((code) => {
      clearTimeout(timer);
      reject(new Error(`the server exited (${code}) before listening: ${output}`));
    });
  });
}

function policyBody(n: number): unknown {
  return {
    displayName: `Durability ${n} ${randomBytes(3).toString("hex")}`,
    state: "disabled",
    conditions: { users: { includeUsers: ["All"] }, applications: { includeApplications: ["All"] }, clientAppTypes: ["all"] },
    grantControls: { operator: "OR", builtInControls: ["mfa"] },
  };
}

/**
 * Streams creates with a few in flight at a time, kills the server with SIGKILL once
 * `KILL_AFTER_ACKNOWLEDGED` were acknowledged, and returns the ids of every 201.
 */
async function streamAndKill(server: Running, token: string): Promise<{ acknowledged: string[]; attempted: number }> {
  const acknowledged: string[] = [];
  let attempted = 0;
  let killed = false;
  const worker = async (): Promise<void> => {
    while (attempted < MAX_WRITES) {
      const n = attempted++;
      try {
        const response = await fetch(`${server.url}${POLICIES}`, {
          method: "POST",
          headers: { authorization: `Bearer ${token}`, "content-type": "application/json" },
          body: JSON.stringify(policyBody(n)),
          signal: AbortSignal.timeout(10_000),
        });
        const text = await response.text();
        if (response.status === 201) {
          const id = (JSON.parse(text) as { id?: unknown }).id;
          if (typeof id !== "string") throw new Error(`201 without an id: ${text}`);
          acknowledged.push(id);
        } else if (!killed) {
          throw new Error(`POST ${POLICIES} answered ${response.status}: ${text.slice(0, 300)}`);
        }
      } catch (error) {
        if (!killed) throw error;
        return; // the connection died with the server: expected after the kill
      }
      if (!killed && acknowledged.length >= KILL_AFTER_ACKNOWLEDGED) {
        killed = true;
        server.child.kill("SIGKILL");
      }
      if (killed) return;
    }
  };
  await Promise.all(Array.from({ length: CONCURRENCY }, worker));
  if (!killed) server.child.kill("SIGKILL");
  await server.exited;
  return { acknowledged, attempted };
}

async function runDurability(storeOptions: StoreOptions, locationArgs: string[]): Promise<void> {
  const store = await openStore(storeOptions);
  let token: string;
  try {
    const result = await initTenant(store, { adminUpn: "ada@contoso.com", adminPassword: "correct horse battery staple", now: new Date() });
    token = await issueManagementToken(store, {
      userId: result.admin.id,
      appId: GATEHOUSE_CLI_APP_ID,
      amr: ["pwd", "mfa"],
      lifetimeSeconds: 900,
    });
  } finally {
    await store.close();
  }

  const first = await startServer(locationArgs);
  const { acknowledged } = await streamAndKill(first, token);
  expect(acknowledged.length).toBeGreaterThanOrEqual(KILL_AFTER_ACKNOWLEDGED);

  const second = await startServer(locationArgs);
  try {
    const missing: string[] = [];
    for (const id of acknowledged) {
      const response = await fetch(`${second.url}${POLICIES}/${id}`, {
        headers: { authorization: `Bearer ${token}` },
        signal: AbortSignal.timeout(10_000),
      });
      await response.arrayBuffer();
      if (response.status !== 200) missing.push(`${id} (${response.status})`);
    }
    expect(missing).toEqual([]);
  } finally {
    second.child.kill("SIGTERM");
    const code = await Promise.race([second.exited, new Promise<"timeout">((r) => setTimeout(() => r("timeout"), 10_000))]);
    if (code === "timeout") second.child.kill("SIGKILL");
    expect(code).toBe(0);
  }
}

describe("durability: every acknowledged policy write survives SIGKILL", () => {
  const dirs: string[] = [];
  afterAll(() => {
    for (const dir of dirs) rmSync(dir, { recursive: true, force: true });
  });

  it("on the embedded SQLite database", async (context) => {
    if (buildProblem !== null) return skipOrFail(buildProblem, (note) => context.skip(note));
    const dir = mkdtempSync(join(tmpdir(), "gatehouse-durability-"));
    dirs.push(dir);
    await runDurability({ sqlitePath: join(dir, "gatehouse.sqlite") }, ["--data", dir]);
  }, 120_000);

  it("on PostgreSQL, in a fresh schema", async (context) => {
    if (buildProblem !== null) return skipOrFail(buildProblem, (note) => context.skip(note));
    const client = new pg.Client({ connectionString: POSTGRES_URL, connectionTimeoutMillis: 3000 });
    try {
      await client.connect();
    } catch (error) {
      await client.end().catch(() => {});
      return skipOrFail(`PostgreSQL is unreachable at ${POSTGRES_URL} (${(error as Error).message})`, (note) => context.skip(note));
    }
    const schema = `durability_${randomBytes(6).toString("hex")}`;
    try {
      await runDurability({ databaseUrl: POSTGRES_URL, schema }, ["--database-url", POSTGRES_URL, "--schema", schema]);
    } finally {
      // Under the store's migration lock, so a store migrating elsewhere never sees it vanish.
      await client.query("select pg_advisory_lock($1)", [POSTGRES_MIGRATION_LOCK]).catch(() => {});
      await client.query(`drop schema if exists "${schema}" cascade`).catch(() => {});
      await client.query("select pg_advisory_unlock($1)", [POSTGRES_MIGRATION_LOCK]).catch(() => {});
      await client.end();
    }
  }, 120_000);
});
