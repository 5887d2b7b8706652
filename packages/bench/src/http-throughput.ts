/**
 * `evaluate-throughput`: requests per second of `POST /v1.0/identity/conditionalAccess/evaluate`
 * (Graph's What If, with a valid Management API token) on loopback, against a trivial Fastify
 * route (`GET /bench/trivial` -> `{}`) on a bare Fastify instance registered only here (the
 * server is already booted when `createServer` returns), measured by the same client
 * loop (fetch with keep-alive, `concurrency` requests in flight) in the same run. The issue's
 * goal: evaluate reaches at least 70% of the trivial route.
 *
 * The server is loaded from its build (`packages/server/dist`) at run time, so the engine
 * benchmark still runs when the server package does not build; the section then reports why
 * it was skipped.
 */
import { mkdtempSync, rmSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { loadBuiltModules, runClientWorker } from "./internal/server-bench.js";

export interface HttpThroughputOptions {
  /** Requests in flight (default 16). */
  concurrency?: number;
  /** Timed seconds per route (default 3). */
  seconds?: number;
  /** Untimed warm-up seconds per route (default 1). */
  warmupSeconds?: number;
}

export interface HttpThroughputReport {
  evaluatePerSecond: number;
  /** `GET /livez` on the same server: the same stack (hooks, helmet, request ids), no work. */
  trivialPerSecond: number;
  /** evaluatePerSecond / trivialPerSecond (goal: >= 0.7). */
  ratio: number;
  /** The same evaluate request with `appliedPoliciesOnly: true` (a much smaller answer). */
  evaluateAppliedOnlyPerSecond: number;
  /** A trivial route on a bare Fastify instance, for reference. */
  bareFastifyPerSecond: number;
  /** Size of one evaluate answer (every policy in full, as Graph answers). */
  evaluateResponseBytes: number;
  concurrency: number;
  seconds: number;
  evaluateRequests: number;
  trivialRequests: number;
  /** Non-2xx answers or failed requests during the timed runs (must be 0). */
  errors: number;
  /** The tenant behind the evaluate route: `gatehouse init --demo` on a temporary SQLite file. */
  tenant: { store: "sqlite"; users: number; policies: number };
}

export type HttpThroughputResult = HttpThroughputReport | { skipped: string };

interface FastifyLike {
  get(path: string, handler: () => Promise<unknown>): unknown;
  listen(options: { port: number; host: string }): Promise<string>;
  close(): Promise<unknown>;
  server: { address(): unknown };
}
interface StoreLike {
  close(): Promise<void>;
  loadTenantSnapshot(): Promise<{ users: unknown[]; policies: unknown[] }>;
}
interface ServerModules {
  fastify(options: { logger: boolean }): FastifyLike & { ready(): Promise<unknown> };
  openStore(options: { sqlitePath: string }): Promise<StoreLike>;
  createServer(options: { store: StoreLike; logger?: boolean; rateLimitPerMinute?: number }): Promise<FastifyLike>;
  issueManagementToken(
    store: StoreLike,
    claims: { userId: string; appId?: string; amr?: string[]; lifetimeSeconds?: number },
  ): Promise<string>;
  initTenant(
    store: StoreLike,
    options: { adminUpn: string; adminPassword: string; demo: boolean; now: Date },
  ): Promise<{ admin: { id: string }; applications: { cli: { appId: string }; managementApi: { appId: string } } }>;
}

/** Loads the built server modules; a string says why they are unavailable. */
async function loadServerModules(): Promise<ServerModules | string> {
  // Specifiers in variables: the bench package does not depend on the server at compile time.
  const paths = {
    createServer: new URL("../../server/dist/create-server.js", import.meta.url).href,
    signingKeys: new URL("../../server/dist/signing-keys.js", import.meta.url).href,
    bootstrap: new URL("../../server/dist/bootstrap/index.js", import.meta.url).href,
    store: "@gatehouse/store",
    fastify: "fastify",
  };
  return loadBuiltModules<ServerModules>(paths, (m) => ({
    fastify: m.fastify?.default,
    openStore: m.store?.openStore,
    createServer: m.createServer?.createServer,
    issueManagementToken: m.signingKeys?.issueManagementToken,
    initTenant: m.bootstrap?.initTenant,
  }));
}

interface LoopResult {
  requests: number;
  errors: number;
  seconds: number;
}

interface ClientRequest {
  url: string;
  method?: string;
  headers?: Record<string, string>;
  body?: string;
}

/**
 * The client loop, run in a worker thread so the server keeps its own event loop (and the
 * other core): `concurrency` keep-alive connections (node:http, lighter than fetch), requests
 * back to back until the deadline, each answer read in full.
 */
const CLIENT_SOURCE = `
const { parentPort, workerData } = require("node:worker_threads");
const http = require("node:http");
const { request, concurrency, seconds } = workerData;
const agent = new http.Agent({ keepAlive: true, maxSockets: concurrency });
const url = new URL(request.url);
const body = request.body === undefined ? undefined : Buffer.from(request.body);
const headers = { ...(request.headers ?? {}), ...(body ? { "content-length": String(body.length) } : {}) };
const send = () =>
  new Promise((resolve) => {
    const req = http.request(
      { agent, host: url.hostname, port: url.port, path: url.pathname, method: request.method ?? "GET", headers },
      (res) => {
        res.on("data", () => {});
        res.on("end", () => resolve(res.statusCode >= 200 && res.statusCode < 300));
        res.on("error", () => resolve(false));
      },
    );
    req.on("error", () => resolve(false));
    req.end(body);
  });
(async () => {
  let requests = 0;
  let errors = 0;
  const start = performance.now();
  const deadline = start + seconds * 1000;
  const worker = async () => {
    while (performance.now() < deadline) {
      if (await send()) requests++;
      else errors++;
    }
  };
  await Promise.all(Array.from({ length: concurrency }, worker));
  agent.destroy();
  parentPort.postMessage({ requests, errors, seconds: (performance.now() - start) / 1000 });
})();
`;

function clientLoop(request: ClientRequest, concurrency: number, seconds: number): Promise<LoopResult> {
  return runClientWorker<LoopResult>(CLIENT_SOURCE, { request, concurrency, seconds });
}

export async function measureHttpThroughput(
  options: HttpThroughputOptions = {},
  progress: (message: string) => void = () => {},
): Promise<HttpThroughputResult> {
  const concurrency = options.concurrency ?? 16;
  const seconds = options.seconds ?? 3;
  const warmupSeconds = options.warmupSeconds ?? 1;
  const modules = await loadServerModules();
  if (typeof modules === "string") return { skipped: modules };

  const dir = mkdtempSync(join(tmpdir(), "gatehouse-bench-http-"));
  const store = await modules.openStore({ sqlitePath: join(dir, "gatehouse.sqlite") });
  let app: FastifyLike | undefined;
  let bare: FastifyLike | undefined;
  try {
    progress("http: seeding the demo tenant (gatehouse init --demo) on SQLite");
    const tenant = await modules.initTenant(store, {
      adminUpn: "bench@contoso.example",
      adminPassword: "bench-password-not-secret",
      demo: true,
      now: new Date(),
    });
    const snapshot = await store.loadTenantSnapshot();
    const token = await modules.issueManagementToken(store, {
      userId: tenant.admin.id,
      appId: tenant.applications.cli.appId,
      amr: ["pwd", "mfa"],
      lifetimeSeconds: 3600,
    });
    // The per-client rate limit is a deployment setting; the bare trivial route has none either.
    app = await modules.createServer({ store, logger: false, rateLimitPerMinute: 0 });
    await app.listen({ port: 0, host: "127.0.0.1" });
    const base = `http://127.0.0.1:${(app.server.address() as { port: number }).port}`;
    bare = modules.fastify({ logger: false });
    bare.get("/bench/trivial", async () => ({}));
    await bare.listen({ port: 0, host: "127.0.0.1" });
    const trivialBase = `http://127.0.0.1:${(bare.server.address() as { port: number }).port}`;

    const evaluateBody = JSON.stringify({
      signInIdentity: { "@odata.type": "#microsoft.graph.userSignIn", userId: tenant.admin.id },
      signInContext: {
        "@odata.type": "#microsoft.graph.applicationContext",
        includeApplications: [tenant.applications.managementApi.appId],
      },
      signInConditions: { devicePlatform: "windows", clientAppType: "browser", ipAddress: "203.0.113.25" },
      appliedPoliciesOnly: false,
    });
    const evaluate: ClientRequest = {
      url: `${base}/v1.0/identity/conditionalAccess/evaluate`,
      method: "POST",
      headers: { authorization: `Bearer ${token}`, "content-type": "application/json" },
      body: evaluateBody,
    };
    // The trivial route on the same server and stack (hooks, helmet, request ids) and, for
    // reference, on a bare Fastify instance.
    const trivial: ClientRequest = { url: `${base}/livez` };
    const bareTrivial: ClientRequest = { url: `${trivialBase}/bench/trivial` };

    const probe = await fetch(evaluate.url, { method: "POST", headers: evaluate.headers, body: evaluateBody });
    const probeText = await probe.text();
    if (!probe.ok)
      return { skipped: `POST /v1.0/identity/conditionalAccess/evaluate answered ${probe.status}: ${probeText.slice(0, 200)}` };

    progress(`http: trivial route, ${concurrency} in flight, ${warmupSeconds} s warm-up + ${seconds} s`);
    await clientLoop(trivial, concurrency, warmupSeconds);
    const trivialRun = await clientLoop(trivial, concurrency, seconds);
    progress(`http: bare Fastify trivial route, ${concurrency} in flight, ${warmupSeconds} s warm-up + ${seconds} s`);
    await clientLoop(bareTrivial, concurrency, warmupSeconds);
    const bareRun = await clientLoop(bareTrivial, concurrency, seconds);
    progress(`http: POST /evaluate, ${concurrency} in flight, ${warmupSeconds} s warm-up + ${seconds} s`);
    await clientLoop(evaluate, concurrency, warmupSeconds);
    const evaluateRun = await clientLoop(evaluate, concurrency, seconds);
    // The same sign-in asking only for the policies that apply (Graph's appliedPoliciesOnly).
    const appliedOnly: ClientRequest = { ...evaluate, body: JSON.stringify({ ...JSON.parse(evaluateBody), appliedPoliciesOnly: true }) };
    progress(`http: POST /evaluate (appliedPoliciesOnly), ${concurrency} in flight, ${warmupSeconds} s warm-up + ${seconds} s`);
    await clientLoop(appliedOnly, concurrency, warmupSeconds);
    const appliedOnlyRun = await clientLoop(appliedOnly, concurrency, seconds);

    const evaluatePerSecond = Math.round(evaluateRun.requests / evaluateRun.seconds);
    const trivialPerSecond = Math.round(trivialRun.requests / trivialRun.seconds);
    return {
      evaluatePerSecond,
      trivialPerSecond,
      ratio: trivialPerSecond === 0 ? 0 : Math.round((evaluatePerSecond / trivialPerSecond) * 1000) / 1000,
      bareFastifyPerSecond: Math.round(bareRun.requests / bareRun.seconds),
      evaluateAppliedOnlyPerSecond: Math.round(appliedOnlyRun.requests / appliedOnlyRun.seconds),
      evaluateResponseBytes: probeText.length,
      concurrency,
      seconds,
      evaluateRequests: evaluateRun.requests,
      trivialRequests: trivialRun.requests,
      errors: evaluateRun.errors + trivialRun.errors + bareRun.errors + appliedOnlyRun.errors,
      tenant: { store: "sqlite", users: snapshot.users.length, policies: snapshot.policies.length },
    };
  } catch (error) {
    return { skipped: `the HTTP benchmark failed: ${(error as Error).message.split("\n")[0]}` };
  } finally {
    await bare?.close().catch(() => {});
    await app?.close().catch(() => {});
    await store.close().catch(() => {});
    rmSync(dir, { recursive: true, force: true });
  }
}
