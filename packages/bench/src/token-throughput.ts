/**
 * `token-throughput`: tokens per second of the sign-in service's token endpoint on loopback,
 * with Conditional Access (spec R2: an evaluation and a sign-in record per token) and, in the
 * same run on the same store, the same flow with Conditional Access switched off
 * (`oidc.conditionalAccess: false`, a benchmark-only baseline that no serve flag exposes).
 * Flows:
 * - the refresh_token grant of the Gatehouse CLI (sessions signed in with the device code flow
 *   through the device pages and the sign-in page; each connection chains its rotated refresh
 *   token);
 * - client credentials with `private_key_jwt` (a fresh ES256 client assertion per request);
 * - client credentials with a client secret (argon2id verification dominates; for reference).
 * The aim: Conditional Access costs less than 10% of the baseline's throughput.
 * The server is loaded from its build (`packages/server/dist`), as in http-throughput.ts.
 */
import { generateKeyPairSync } from "node:crypto";
import { mkdtempSync, rmSync } from "node:fs";
import { createServer as createNetServer } from "node:net";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { loadBuiltModules, runClientWorker } from "./internal/server-bench.js";

export interface TokenThroughputOptions {
  /** Connections in flight (default 8). */
  concurrency?: number;
  /** Timed seconds per round, flow and mode (default 1). */
  seconds?: number;
  /** Timed rounds per flow and mode, alternating the order (default 6). */
  rounds?: number;
  warmupSeconds?: number;
}

export interface TokenFlowResult {
  /** Tokens per second with Conditional Access. */
  withConditionalAccess: number;
  /** Tokens per second of the same flow with Conditional Access off (baseline). */
  baseline: number;
  /** withConditionalAccess / baseline (aim: >= 0.90). */
  ratio: number;
  /** Non-200 answers during the timed runs (must be 0). */
  errors: number;
}

export interface TokenThroughputReport {
  refreshToken: TokenFlowResult;
  clientCredentialsPrivateKeyJwt: TokenFlowResult;
  clientCredentialsSecret: TokenFlowResult;
  concurrency: number;
  seconds: number;
  rounds: number;
  /** Sign-in records written during the run (one per evaluated token). */
  signInRecords: number;
  tenant: { store: "sqlite"; users: number; policies: number };
}

export type TokenThroughputResult = TokenThroughputReport | { skipped: string };

interface AppLike {
  listen(options: { port: number; host: string }): Promise<string>;
  close(): Promise<unknown>;
}
interface StoreLike {
  close(): Promise<void>;
  loadTenantSnapshot(): Promise<{ users: unknown[]; policies: unknown[] }>;
  applications: {
    create(a: { displayName: string }): Promise<{ id: string; appId: string }>;
    addPasswordCredential(id: string, c: { secretHash: string }): Promise<unknown>;
    addKeyCredential(id: string, c: Record<string, unknown>): Promise<unknown>;
  };
  servicePrincipals: { create(sp: { appId: string; displayName: string; appOwnerOrganizationId?: string }): Promise<{ id: string }> };
  signIns: { list(o: { top: number }): Promise<{ value: unknown[]; nextSkip: number | null }> };
}
interface Modules {
  openStore(options: { sqlitePath: string }): Promise<StoreLike>;
  createServer(options: Record<string, unknown>): Promise<AppLike>;
  initTenant(
    store: StoreLike,
    options: { adminUpn: string; adminPassword: string; demo: boolean; now: Date },
  ): Promise<{
    tenantId: string;
    emergencyAccess: { accounts: Array<{ userPrincipalName: string; password: string }> };
    applications: { cli: { appId: string } };
  }>;
  hashPassword(secret: string): Promise<string>;
  createSelfSignedCertificate(options: { privateKey: unknown; commonName: string; notBefore: Date; notAfter: Date }): Buffer;
}

async function loadModules(): Promise<Modules | string> {
  const paths = {
    createServer: new URL("../../server/dist/create-server.js", import.meta.url).href,
    bootstrap: new URL("../../server/dist/bootstrap/index.js", import.meta.url).href,
    certificate: new URL("../../server/dist/operations/applications/self-signed-certificate.js", import.meta.url).href,
    store: "@gatehouse/store",
  };
  return loadBuiltModules<Modules>(paths, (m) => ({
    openStore: m.store?.openStore,
    createServer: m.createServer?.createServer,
    initTenant: m.bootstrap?.initTenant,
    hashPassword: m.bootstrap?.hashPassword,
    createSelfSignedCertificate: m.certificate?.createSelfSignedCertificate,
  }));
}

async function freePort(): Promise<number> {
  return new Promise((resolve, reject) => {
    const probe = createNetServer();
    probe.once("error", reject);
    probe.listen(0, "127.0.0.1", () => {
      const address = probe.address();
      const port = typeof address === "object" && address !== null ? address.port : 0;
      probe.close(() => resolve(port));
    });
  });
}

/** A browser for the device code pages and the sign-in page: a cookie jar over fetch. */
function browser(origin: string) {
  const jar = new Map<string, string>();
  const request = async (url: string, init: RequestInit = {}) => {
    const cookie = [...jar].map(([k, v]) => `${k}=${v}`).join("; ");
    const res = await fetch(new URL(url, origin), {
      ...init,
      redirect: "manual",
      headers: { ...(init.headers as Record<string, string>), cookie },
    });
    for (const line of res.headers.getSetCookie()) {
      const pair = line.split(";")[0] ?? "";
      const eq = pair.indexOf("=");
      jar.set(pair.slice(0, eq).trim(), pair.slice(eq + 1).trim());
    }
    return { status: res.status, location: res.headers.get("location"), body: await res.text() };
  };
  const post = (url: string, fields: Record<string, string>) =>
    request(url, {
      method: "POST",
      headers: { "content-type": "application/x-www-form-urlencoded" },
      body: new URLSearchParams(fields).toString(),
    });
  return { get: (url: string) => request(url), post };
}

const hiddenFields = (html: string): Record<string, string> =>
  Object.fromEntries(
    [...html.matchAll(/<input type="hidden" name="([^"]+)" value="([^"]*)"/g)].map((m) => [m[1] as string, m[2] as string]),
  );

/** `gatehouse login`'s device code flow, completed as a person would: a refresh token. */
async function deviceCodeRefreshToken(origin: string, clientId: string, username: string, password: string): Promise<string> {
  const form = (fields: Record<string, string>) => ({
    method: "POST",
    headers: { "content-type": "application/x-www-form-urlencoded" },
    body: new URLSearchParams(fields).toString(),
  });
  const start = (await (
    await fetch(
      `${origin}/oauth2/device/auth`,
      form({ client_id: clientId, scope: "openid offline_access api://gatehouse-management/.default" }),
    )
  ).json()) as { device_code: string; user_code: string; verification_uri: string };
  const b = browser(origin);
  const entry = await b.get(start.verification_uri);
  const confirm = await b.post(start.verification_uri, { ...hiddenFields(entry.body), user_code: start.user_code });
  const signIn = await b.post(start.verification_uri, { ...hiddenFields(confirm.body), confirm: "yes" });
  const page = await b.get(String(signIn.location));
  const action = (/<form method="post" action="([^"]+)"/.exec(page.body)?.[1] ?? "").replaceAll("&amp;", "&");
  const login = await b.post(action, { ...hiddenFields(page.body), username, password });
  const done = await b.get(String(login.location));
  if (done.status !== 200)
    throw new Error(`the device code sign-in of ${username} did not complete (HTTP ${login.status} then ${done.status})`);
  const token = (await (
    await fetch(
      `${origin}/oauth2/token`,
      form({ grant_type: "urn:ietf:params:oauth:grant-type:device_code", client_id: clientId, device_code: start.device_code }),
    )
  ).json()) as { refresh_token?: string; error_description?: string };
  if (typeof token.refresh_token !== "string")
    throw new Error(`the device code sign-in gave no refresh token: ${token.error_description ?? "?"}`);
  return token.refresh_token;
}

interface LoopResult {
  requests: number;
  errors: number;
  seconds: number;
  /** Refresh mode: the connections' current refresh tokens after the run. */
  tokens?: string[];
}

type ClientWork =
  | { mode: "refresh"; url: string; clientId: string; tokens: string[] }
  | { mode: "assertion"; url: string; audience: string; appId: string; keyPem: string; x5t: string; scope: string }
  | { mode: "form"; url: string; body: string };

/**
 * The client, in a worker thread (the server keeps its event loop): `concurrency` keep-alive
 * connections, requests back to back until the deadline. Refresh chains each connection's
 * rotated token; assertions are signed per request (ES256, a new jti each).
 */
const CLIENT_SOURCE = `
const { parentPort, workerData } = require("node:worker_threads");
const http = require("node:http");
const crypto = require("node:crypto");
const { work, concurrency, seconds } = workerData;
const agent = new http.Agent({ keepAlive: true, maxSockets: concurrency });
const url = new URL(work.url);
const key = work.mode === "assertion" ? crypto.createPrivateKey(work.keyPem) : null;
const b64 = (o) => Buffer.from(JSON.stringify(o)).toString("base64url");
function assertion() {
  const now = Math.floor(Date.now() / 1000);
  const input = b64({ alg: "ES256", typ: "JWT", x5t: work.x5t }) + "." + b64({ iss: work.appId, sub: work.appId, aud: work.audience, jti: crypto.randomUUID(), iat: now, exp: now + 300 });
  const signature = crypto.sign("sha256", Buffer.from(input), { key, dsaEncoding: "ieee-p1363" }).toString("base64url");
  return input + "." + signature;
}
function bodyFor(slot) {
  if (work.mode === "form") return work.body;
  if (work.mode === "refresh") return new URLSearchParams({ grant_type: "refresh_token", client_id: work.clientId, refresh_token: work.tokens[slot] }).toString();
  return new URLSearchParams({ grant_type: "client_credentials", client_assertion_type: "urn:ietf:params:oauth:client-assertion-type:jwt-bearer", client_assertion: assertion(), scope: work.scope }).toString();
}
const send = (slot) =>
  new Promise((resolve) => {
    const body = Buffer.from(bodyFor(slot));
    const req = http.request(
      { agent, host: url.hostname, port: url.port, path: url.pathname, method: "POST",
        headers: { host: url.host, "content-type": "application/x-www-form-urlencoded", "content-length": String(body.length) } },
      (res) => {
        const chunks = [];
        res.on("data", (c) => chunks.push(c));
        res.on("end", () => {
          if (res.statusCode !== 200) return resolve(false);
          if (work.mode === "refresh") {
            try { work.tokens[slot] = JSON.parse(Buffer.concat(chunks).toString()).refresh_token; } catch { return resolve(false); }
          }
          resolve(true);
        });
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
  const loop = async (slot) => {
    while (performance.now() < deadline) {
      if (await send(slot)) requests++;
      else errors++;
    }
  };
  await Promise.all(Array.from({ length: concurrency }, (_, slot) => loop(slot)));
  agent.destroy();
  parentPort.postMessage({ requests, errors, seconds: (performance.now() - start) / 1000, tokens: work.tokens });
})();
`;

function clientLoop(work: ClientWork, concurrency: number, seconds: number): Promise<LoopResult> {
  return runClientWorker<LoopResult>(CLIENT_SOURCE, { work, concurrency, seconds });
}

async function countRecords(store: StoreLike): Promise<number> {
  let total = 0;
  let skip: number | null = 0;
  while (skip !== null) {
    const page: { value: unknown[]; nextSkip: number | null } = await store.signIns.list({ top: 999, ...(skip > 0 ? { skip } : {}) } as {
      top: number;
    });
    total += page.value.length;
    skip = page.nextSkip;
  }
  return total;
}

export async function measureTokenThroughput(
  options: TokenThroughputOptions = {},
  progress: (message: string) => void = () => {},
): Promise<TokenThroughputResult> {
  const concurrency = options.concurrency ?? 8;
  // Short rounds, alternating CA on / off, so that a busy machine's drift hits both modes alike.
  const seconds = options.seconds ?? 1;
  const rounds = options.rounds ?? 6;
  const warmupSeconds = options.warmupSeconds ?? 1;
  const modules = await loadModules();
  if (typeof modules === "string") return { skipped: modules };
  const dir = mkdtempSync(join(tmpdir(), "gatehouse-bench-token-"));
  const store = await modules.openStore({ sqlitePath: join(dir, "gatehouse.sqlite") });
  const apps: AppLike[] = [];
  try {
    progress("token: seeding the demo tenant (gatehouse init --demo) on SQLite, a daemon with a secret and a certificate");
    const password = "bench-password-not-secret";
    const tenant = await modules.initTenant(store, {
      adminUpn: "bench@contoso.example",
      adminPassword: password,
      demo: true,
      now: new Date(),
    });
    const daemon = await store.applications.create({ displayName: "Bench daemon" });
    await store.servicePrincipals.create({ appId: daemon.appId, displayName: "Bench daemon", appOwnerOrganizationId: tenant.tenantId });
    const secret = "bench-daemon-secret-0123456789abcdef";
    await store.applications.addPasswordCredential(daemon.id, { secretHash: await modules.hashPassword(secret) });
    const { privateKey } = generateKeyPairSync("ec", { namedCurve: "P-256" });
    const notBefore = new Date(Date.now() - 3600_000);
    const notAfter = new Date(Date.now() + 30 * 24 * 3600_000);
    const der = modules.createSelfSignedCertificate({ privateKey, commonName: "bench-daemon", notBefore, notAfter });
    const { createHash } = await import("node:crypto");
    await store.applications.addKeyCredential(daemon.id, {
      customKeyIdentifier: createHash("sha1").update(der).digest("base64"),
      type: "AsymmetricX509Cert",
      usage: "Verify",
      key: der.toString("base64"),
      startDateTime: notBefore.toISOString(),
      endDateTime: notAfter.toISOString(),
    });
    const snapshot = await store.loadTenantSnapshot();

    const origins: Record<"ca" | "baseline", string> = { ca: "", baseline: "" };
    for (const mode of ["ca", "baseline"] as const) {
      const port = await freePort();
      const origin = `http://127.0.0.1:${port}`;
      const app = await modules.createServer({
        store,
        logger: false,
        rateLimitPerMinute: 0,
        signInRetentionIntervalMs: 0,
        oidc: { issuer: `${origin}/oauth2`, ...(mode === "baseline" ? { conditionalAccess: false } : {}) },
      });
      apps.push(app);
      await app.listen({ port, host: "127.0.0.1" });
      origins[mode] = origin;
    }

    // The demo tenant's policies require MFA of its users; its emergency-access account is
    // excluded from them (password only), and every policy is still evaluated at each refresh.
    const account = tenant.emergencyAccess.accounts[0];
    if (account === undefined) return { skipped: "the demo tenant has no emergency-access account to sign in with" };
    progress(`token: ${concurrency} device code sign-ins per server (${account.userPrincipalName}) for refresh tokens`);
    const tokens: Record<"ca" | "baseline", string[]> = { ca: [], baseline: [] };
    for (const mode of ["ca", "baseline"] as const) {
      for (let i = 0; i < concurrency; i++) {
        tokens[mode].push(
          await deviceCodeRefreshToken(origins[mode], tenant.applications.cli.appId, account.userPrincipalName, account.password),
        );
      }
    }
    const keyPem = privateKey.export({ type: "pkcs8", format: "pem" }).toString();
    const x5t = createHash("sha1").update(der).digest("base64url");
    const scope = "api://gatehouse-management/.default";
    const works = (mode: "ca" | "baseline"): Record<"refresh" | "assertion" | "secret", ClientWork> => ({
      refresh: { mode: "refresh", url: `${origins[mode]}/oauth2/token`, clientId: tenant.applications.cli.appId, tokens: tokens[mode] },
      assertion: {
        mode: "assertion",
        url: `${origins[mode]}/oauth2/token`,
        audience: `${origins[mode]}/oauth2/token`,
        appId: daemon.appId,
        keyPem,
        x5t,
        scope,
      },
      secret: {
        mode: "form",
        url: `${origins[mode]}/oauth2/token`,
        body: new URLSearchParams({ grant_type: "client_credentials", client_id: daemon.appId, client_secret: secret, scope }).toString(),
      },
    });

    const before = await countRecords(store);
    const measure = async (flow: "refresh" | "assertion" | "secret"): Promise<TokenFlowResult> => {
      const totals: Record<"ca" | "baseline", { requests: number; seconds: number }> = {
        ca: { requests: 0, seconds: 0 },
        baseline: { requests: 0, seconds: 0 },
      };
      let errors = 0;
      const run = async (mode: "ca" | "baseline", timed: boolean) => {
        const work = works(mode)[flow];
        const result = await clientLoop(work, concurrency, timed ? seconds : warmupSeconds);
        // Refresh: each connection goes on with its rotated refresh token.
        if (result.tokens && work.mode === "refresh") tokens[mode] = result.tokens;
        if (!timed) return;
        totals[mode].requests += result.requests;
        totals[mode].seconds += result.seconds;
        errors += result.errors;
      };
      progress(`token: ${flow}, ${concurrency} in flight, ${rounds} rounds of ${seconds} s per mode (CA on / off alternating)`);
      await run("baseline", false);
      await run("ca", false);
      // Rounds alternate the order so neither mode always runs on a warmer (or busier) machine.
      for (let round = 0; round < rounds; round++) {
        for (const mode of round % 2 === 0 ? (["baseline", "ca"] as const) : (["ca", "baseline"] as const)) await run(mode, true);
      }
      const rate = (mode: "ca" | "baseline") => (totals[mode].seconds === 0 ? 0 : Math.round(totals[mode].requests / totals[mode].seconds));
      const ca = rate("ca");
      const baseline = rate("baseline");
      return { withConditionalAccess: ca, baseline, ratio: baseline === 0 ? 0 : Math.round((ca / baseline) * 1000) / 1000, errors };
    };
    const refreshToken = await measure("refresh");
    const clientCredentialsPrivateKeyJwt = await measure("assertion");
    const clientCredentialsSecret = await measure("secret");
    return {
      refreshToken,
      clientCredentialsPrivateKeyJwt,
      clientCredentialsSecret,
      concurrency,
      seconds,
      rounds,
      signInRecords: (await countRecords(store)) - before,
      tenant: { store: "sqlite", users: snapshot.users.length, policies: snapshot.policies.length },
    };
  } catch (error) {
    return { skipped: `the token benchmark failed: ${(error as Error).message.split("\n")[0]}` };
  } finally {
    for (const app of apps) await app.close().catch(() => {});
    await store.close().catch(() => {});
    rmSync(dir, { recursive: true, force: true });
  }
}
