/**
 * `gatehouse login` against a running server on a loopback port: the device code is completed
 * with HTTP form posts of the device pages and the sign-in page (as a browser would), the
 * tokens land in the config folder (0600 / 0700), the Management API accepts them, a refresh
 * re-runs Conditional Access (a block turned on meanwhile refuses it: one line, exit 3), and
 * `gatehouse logout` revokes the refresh token and deletes the file.
 */
import { createHmac } from "node:crypto";
import { mkdtemp, readFile, rm, stat, writeFile } from "node:fs/promises";
import { type AddressInfo, createServer } from "node:net";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { GATEHOUSE_MANAGEMENT_API_APP_ID } from "@gatehouse/admin";
import { ensureSecretKey, finishTotpRegistration, startTotpRegistration } from "@gatehouse/mfa";
import { DIRECTORY_ROLE_IDS, GATEHOUSE_CLI_APP_ID, hashPassword, initTenant, runServe, SQLITE_FILE_NAME } from "@gatehouse/server";
import { openStore } from "@gatehouse/store";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { createBufferedIo } from "../cli-io.js";
import { runCli } from "../main.js";
import { credentialsPath, type ServerCredentials } from "../remote/credentials-file.js";
import { remoteSession } from "../remote/remote-session.js";
import { GATEHOUSE_CLI_CLIENT_ID, pollDeviceToken, type SignInEndpoints } from "../remote/sign-in-client.js";
import { runLogin } from "./login.js";
import { registerServerCommands } from "./server-commands.js";

const ADMIN = "admin@contoso.test";
const PASSWORD = "correct horse battery staple";
const ADA = "ada@contoso.test";
const ADA_PASSWORD = "ada's long enough password";

/** RFC 6238 (SHA-1, 6 digits, 30 s) for a base32 secret: what an authenticator app shows at `at`. */
function totp(secret: string, at: Date): string {
  const alphabet = "ABCDEFGHIJKLMNOPQRSTUVWXYZ234567";
  let bits = "";
  for (const c of secret.replace(/=+$/, "").toUpperCase()) bits += alphabet.indexOf(c).toString(2).padStart(5, "0");
  const key = Buffer.from((bits.match(/.{8}/g) ?? []).map((b) => Number.parseInt(b, 2)));
  const counter = Buffer.alloc(8);
  counter.writeBigUInt64BE(BigInt(Math.floor(at.getTime() / 30_000)));
  const mac = createHmac("sha1", key).update(counter).digest();
  const offset = (mac[mac.length - 1] as number) & 0x0f;
  return String((mac.readUInt32BE(offset) & 0x7fffffff) % 1_000_000).padStart(6, "0");
}
let adaSecret: string;

let dir: string;
let server: string;
let stopServer: AbortController;
let served: Promise<number>;
let env: Record<string, string>;

beforeAll(async () => {
  dir = await mkdtemp(join(tmpdir(), "gatehouse-login-"));
  const store = await openStore({ sqlitePath: join(dir, SQLITE_FILE_NAME) });
  const init = await initTenant(store, { adminUpn: ADMIN, adminPassword: PASSWORD, now: new Date() });
  // Ada reads policies (Global Reader) and has an authenticator app; the headline policy
  // "Require MFA for Gatehouse management" is on (it excludes the admin who set the tenant up).
  const ada = await store.users.create({ userPrincipalName: ADA, displayName: "Ada" });
  await store.users.setPasswordHash(ada.id, await hashPassword(ADA_PASSWORD));
  await store.roleAssignments.create({ roleTemplateId: DIRECTORY_ROLE_IDS.globalReader, principalId: ada.id });
  adaSecret = startTotpRegistration({ accountName: ADA }).secret;
  const registered = await finishTotpRegistration(store, await ensureSecretKey(store), {
    userId: ada.id,
    secret: adaSecret,
    code: totp(adaSecret, new Date(Date.now() - 60_000)),
    displayName: "Phone",
    now: new Date(Date.now() - 60_000),
  });
  if (!registered.ok) throw new Error("the TOTP registration failed");
  const headline = await store.policies.get(init.managementMfaPolicy.id);
  if (headline === null) throw new Error("no headline policy");
  await store.policies.update(
    headline.policy.id as string,
    { ...headline.policy, state: "enabled" },
    {
      audit: {
        initiatedBy: { user: { id: init.admin.id, userPrincipalName: ADMIN } },
        correlationId: "c0ffee00-0000-4000-8000-000000000009",
      },
    },
  );
  await store.close();
  stopServer = new AbortController();
  const listening = new Promise<string>((resolve) => {
    served = runServe(
      { data: dir, port: 0, host: "127.0.0.1", countryDb: false, rateLimit: 0 },
      createBufferedIo(),
      stopServer.signal,
      resolve,
    );
  });
  server = await Promise.race([listening, served.then(() => Promise.reject(new Error("the server stopped")))]);
  env = { GATEHOUSE_CONFIG_DIR: join(dir, "config", "gatehouse") };
});

afterAll(async () => {
  stopServer.abort();
  await served;
  await rm(dir, { recursive: true, force: true });
});

/** A browser: a cookie jar over fetch, redirects not followed. */
function browser() {
  const jar = new Map<string, string>();
  const request = async (url: string, init: RequestInit = {}) => {
    const res = await fetch(url, {
      ...init,
      redirect: "manual",
      headers: { ...(init.headers as Record<string, string>), cookie: [...jar].map(([k, v]) => `${k}=${v}`).join("; ") },
    });
    for (const line of res.headers.getSetCookie()) {
      const [pair = ""] = line.split(";");
      const eq = pair.indexOf("=");
      const name = pair.slice(0, eq).trim();
      const value = pair.slice(eq + 1).trim();
      if (value === "" || /expires=Thu, 01 Jan 1970/i.test(line)) jar.delete(name);
      else jar.set(name, value);
    }
    return { status: res.status, location: res.headers.get("location"), body: await res.text() };
  };
  return {
    get: (url: string) => request(url),
    post: (url: string, fields: Record<string, string>) =>
      request(url, {
        method: "POST",
        headers: { "content-type": "application/x-www-form-urlencoded" },
        body: new URLSearchParams(fields).toString(),
      }),
  };
}

/** What a person does in the browser: the code page, the confirmation, the sign-in form. */
async function completeDeviceCode(
  verificationUri: string,
  userCode: string,
  account: { username: string; password: string; totpSecret?: string } = { username: ADMIN, password: PASSWORD },
): Promise<void> {
  const b = browser();
  const entry = await b.get(verificationUri);
  expect(entry.status).toBe(200);
  const xsrf = /name="xsrf" value="([^"]+)"/.exec(entry.body)?.[1] as string;
  const confirmPage = await b.post(verificationUri, { xsrf, user_code: userCode });
  expect(confirmPage.body).toContain(userCode);
  const hidden = Object.fromEntries(
    [...confirmPage.body.matchAll(/<input type="hidden" name="([^"]+)" value="([^"]*)"/g)].map((m) => [m[1] as string, m[2] as string]),
  );
  const confirm = await b.post(verificationUri, { ...hidden, confirm: "yes" });
  expect(confirm.status).toBe(303);
  const signIn = new URL(String(confirm.location), server).toString();
  const form = await b.get(signIn);
  expect(form.status).toBe(200);
  const fields = Object.fromEntries(
    [...form.body.matchAll(/<input type="hidden" name="([^"]+)" value="([^"]*)"/g)].map((m) => [m[1] as string, m[2] as string]),
  );
  const action = /<form method="post" action="([^"]+)"/.exec(form.body)?.[1] as string;
  let login = await b.post(new URL(action.replaceAll("&amp;", "&"), server).toString(), {
    ...fields,
    username: account.username,
    password: account.password,
  });
  if (account.totpSecret !== undefined) {
    // The policy requires MFA: the sign-in page asks for the authenticator app's code.
    expect(login.status).toBe(200);
    expect(login.body).toContain("Verify your identity");
    const codeAction = /<form method="post" action="([^"]+\/totp)"/.exec(login.body)?.[1] as string;
    login = await b.post(new URL(codeAction, server).toString(), {
      ...Object.fromEntries(
        [...login.body.matchAll(/<input type="hidden" name="([^"]+)" value="([^"]*)"/g)].map((m) => [m[1] as string, m[2] as string]),
      ),
      code: totp(account.totpSecret, new Date()),
    });
  }
  expect(login.status).toBe(303);
  const done = await b.get(new URL(String(login.location), server).toString());
  expect(done.status, `${login.location} -> ${done.location} ${done.body.slice(0, 300)}`).toBe(200);
  expect(done.body).toContain("You are signed in");
}

async function storedEntry(): Promise<ServerCredentials> {
  const doc = JSON.parse(await readFile(credentialsPath(env), "utf8")) as { servers: Record<string, ServerCredentials> };
  return doc.servers[server] as ServerCredentials;
}

async function expireAccessToken(): Promise<void> {
  const path = credentialsPath(env);
  const doc = JSON.parse(await readFile(path, "utf8")) as { servers: Record<string, ServerCredentials> };
  (doc.servers[server] as ServerCredentials).accessTokenExpiresAt = new Date(Date.now() - 1000).toISOString();
  await writeFile(path, JSON.stringify(doc));
}

const api = (token: string, path: string, init: RequestInit = {}) =>
  fetch(`${server}${path}`, {
    ...init,
    headers: {
      authorization: `Bearer ${token}`,
      ...(init.body === undefined ? {} : { "content-type": "application/json" }),
      ...(init.headers as Record<string, string>),
    },
  });

describe("gatehouse login --server URL (device code flow against a running server)", () => {
  it("signs in, keeps the tokens privately, calls the Management API, refreshes with Conditional Access, and logs out", async () => {
    const io = createBufferedIo({ env });
    const sleeps: number[] = [];
    const login = runLogin({ server }, io, {
      clock: {
        sleep: async (ms) => {
          sleeps.push(ms);
          await new Promise((resolve) => setTimeout(resolve, 50));
        },
        now: () => Date.now(),
      },
    });
    // The CLI prints where to go and the code.
    let printed: RegExpExecArray | null = null;
    for (let i = 0; i < 200 && printed === null; i++) {
      printed = /open (\S+) in a browser and enter the code (\S+)/.exec(io.stderrText());
      if (printed === null) await new Promise((resolve) => setTimeout(resolve, 20));
    }
    expect(printed).not.toBeNull();
    const [, verificationUri, userCode] = printed as RegExpExecArray;
    expect(verificationUri).toBe(`${server}/oauth2/device`);
    await completeDeviceCode(verificationUri as string, userCode as string);
    expect(await login).toBe(0);
    // RFC 8628: the default interval is 5 s between polls.
    expect(sleeps.length).toBeGreaterThan(0);
    expect(new Set(sleeps)).toEqual(new Set([5000]));
    expect(io.stdoutText()).toBe(`Signed in to ${server} as ${ADMIN}; tokens kept in ${credentialsPath(env)}\n`);

    // 0600 file in a 0700 folder.
    expect((await stat(credentialsPath(env))).mode & 0o777).toBe(0o600);
    expect((await stat(env.GATEHOUSE_CONFIG_DIR as string)).mode & 0o777).toBe(0o700);
    const first = await storedEntry();
    expect(first).toMatchObject({ server, clientId: GATEHOUSE_CLI_APP_ID, account: ADMIN, issuer: `${server}/oauth2` });
    expect(typeof first.refreshToken).toBe("string");

    // The Management API accepts the stored token.
    const session = await remoteSession(server, { env });
    expect(session.accessToken).toBe(first.accessToken);
    const policies = await api(session.accessToken, "/v1.0/identity/conditionalAccess/policies");
    expect(policies.status).toBe(200);

    // An expired access token is refreshed (Conditional Access again); the rotated refresh token is stored.
    await expireAccessToken();
    const refreshed = await remoteSession(server, { env });
    expect(refreshed.accessToken).not.toBe(first.accessToken);
    const second = await storedEntry();
    expect(second.refreshToken).not.toBe(first.refreshToken);
    expect((await api(refreshed.accessToken, "/v1.0/identity/conditionalAccess/policies")).status).toBe(200);

    // A block policy turned on now refuses the next refresh: one line, exit 3.
    const created = await api(refreshed.accessToken, "/v1.0/identity/conditionalAccess/policies", {
      method: "POST",
      headers: { prefer: "allow-unsafe-policy" },
      body: JSON.stringify({
        displayName: "Block the Management API for the CLI",
        state: "enabled",
        conditions: {
          clientAppTypes: ["all"],
          users: { includeUsers: ["All"] },
          applications: { includeApplications: [GATEHOUSE_MANAGEMENT_API_APP_ID] },
          clientApplications: null,
        },
        grantControls: { operator: "OR", builtInControls: ["block"] },
      }),
    });
    expect(created.status, await created.clone().text()).toBe(201);
    const policyId = ((await created.json()) as { id: string }).id;
    await expireAccessToken();
    const refusedSession = remoteSession(server, { env });
    await expect(refusedSession).rejects.toMatchObject({
      exitCode: 3,
      message: expect.stringMatching(/refused to renew your sign-in .*AADSTS53003.*; run gatehouse login --server \S+ again$/),
    });
    const message = ((await refusedSession.catch((e: unknown) => e)) as Error).message;
    expect(message.includes("\n")).toBe(false);

    // The refused refresh left the refresh token usable: with the policy gone, it works again.
    const removed = await api(refreshed.accessToken, `/v1.0/identity/conditionalAccess/policies/${policyId}`, {
      method: "DELETE",
      headers: { prefer: "allow-unsafe-policy" },
    });
    expect(removed.status, await removed.clone().text()).toBe(204);
    const again = await remoteSession(server, { env });
    expect((await api(again.accessToken, "/v1.0/identity/conditionalAccess/policies")).status).toBe(200);

    // Logout: the refresh token is revoked at the server and the file is deleted.
    const spent = (await storedEntry()).refreshToken as string;
    const out = createBufferedIo({ env });
    expect(await runCli(["logout", "--server", server], out)).toBe(0);
    expect(out.stdoutText()).toBe(`Signed out of ${server}\n`);
    await expect(stat(credentialsPath(env))).rejects.toMatchObject({ code: "ENOENT" });
    const replay = await fetch(`${server}/oauth2/token`, {
      method: "POST",
      headers: { "content-type": "application/x-www-form-urlencoded" },
      body: new URLSearchParams({ grant_type: "refresh_token", client_id: GATEHOUSE_CLI_APP_ID, refresh_token: spent }).toString(),
    });
    expect(((await replay.json()) as { error: string }).error).toBe("invalid_grant");
    await expect(remoteSession(server, { env })).rejects.toMatchObject({
      exitCode: 3,
      message: `you are not signed in to ${server}; run gatehouse login --server ${server} again`,
    });
  });

  it("goes through MFA in the browser when the policy requires it, and the stored token says so (amr mfa)", async () => {
    const mfaEnv = { GATEHOUSE_CONFIG_DIR: join(dir, "config-ada") };
    const io = createBufferedIo({ env: mfaEnv });
    const login = runLogin({ server }, io, {
      clock: { sleep: () => new Promise((resolve) => setTimeout(resolve, 50)), now: () => Date.now() },
    });
    let printed: RegExpExecArray | null = null;
    for (let i = 0; i < 200 && printed === null; i++) {
      printed = /open (\S+) in a browser and enter the code (\S+)/.exec(io.stderrText());
      if (printed === null) await new Promise((resolve) => setTimeout(resolve, 20));
    }
    const [, verificationUri, userCode] = printed as RegExpExecArray;
    await completeDeviceCode(verificationUri as string, userCode as string, {
      username: ADA,
      password: ADA_PASSWORD,
      totpSecret: adaSecret,
    });
    expect(await login).toBe(0);
    expect(io.stdoutText()).toContain(`as ${ADA};`);
    const session = await remoteSession(server, { env: mfaEnv });
    const claims = JSON.parse(Buffer.from(session.accessToken.split(".")[1] as string, "base64url").toString()) as { amr: string[] };
    expect(claims.amr).toEqual(["pwd", "otp", "mfa"]);
    expect((await api(session.accessToken, "/v1.0/identity/conditionalAccess/policies")).status).toBe(200);
    // A refresh of this session satisfies the policy again from its methods.
    const path = credentialsPath(mfaEnv);
    const doc = JSON.parse(await readFile(path, "utf8")) as { servers: Record<string, ServerCredentials> };
    (doc.servers[server] as ServerCredentials).accessTokenExpiresAt = new Date(Date.now() - 1000).toISOString();
    await writeFile(path, JSON.stringify(doc));
    const refreshed = await remoteSession(server, { env: mfaEnv });
    expect(refreshed.accessToken).not.toBe(session.accessToken);
    expect(await runCli(["logout"], createBufferedIo({ env: mfaEnv }))).toBe(0);
  });

  it("answers usage errors with exit 2 and an unreachable server with exit 3, one line each", async () => {
    const bad = createBufferedIo({ env });
    expect(await runCli(["login", "--server", "ftp://example.test"], bad)).toBe(2);
    expect(bad.stderrText()).toMatch(/^gatehouse: --server needs the server's http\(s\) URL.*\n$/);
    const missing = createBufferedIo({ env });
    expect(await runCli(["login"], missing)).toBe(2);
    // A loopback port nothing listens on.
    const probe = createServer();
    const closedPort = await new Promise<number>((resolve) =>
      probe.listen(0, "127.0.0.1", () => {
        const port = (probe.address() as AddressInfo).port;
        probe.close(() => resolve(port));
      }),
    );
    const down = createBufferedIo({ env });
    expect(await runCli(["login", "--server", `http://127.0.0.1:${closedPort}`], down)).toBe(3);
    expect(down.stderrText()).toBe(`gatehouse: cannot reach http://127.0.0.1:${closedPort}: ECONNREFUSED\n`);
    const nothing = createBufferedIo({ env });
    expect(await runCli(["logout"], nothing)).toBe(0);
    expect(nothing.stdoutText()).toBe("Not signed in to any server\n");
  });
});

describe("gatehouse keys (through the CLI)", () => {
  it("lists the tenant's signing keys, the current one first", async () => {
    const io = createBufferedIo({ env });
    expect(await runCli(["keys", "list", "--data", dir], io, [registerServerCommands])).toBe(0);
    expect(io.stdoutText()).toMatch(/^current {2}\S{43} {2}ES256 {2}created \d{4}-\d{2}-\d{2}T[\d:.]+Z\n$/);
    const json = createBufferedIo({ env });
    expect(await runCli(["keys", "list", "--data", dir, "--json"], json, [registerServerCommands])).toBe(0);
    expect((JSON.parse(json.stdoutText()) as { value: Array<{ current: boolean }> }).value.map((k) => k.current)).toEqual([true]);
  });
});

describe("device code polling (RFC 8628 §3.5)", () => {
  const endpoints: SignInEndpoints = {
    issuer: "https://gatehouse.test/oauth2",
    deviceAuthorizationEndpoint: "https://gatehouse.test/oauth2/device/auth",
    tokenEndpoint: "https://gatehouse.test/oauth2/token",
    revocationEndpoint: null,
  };
  const answer = (status: number, body: unknown) =>
    new Response(JSON.stringify(body), { status, headers: { "content-type": "application/json" } });

  it("waits the interval, adds 5 s on slow_down, keeps polling while pending", async () => {
    const answers = [
      answer(400, { error: "authorization_pending" }),
      answer(400, { error: "slow_down" }),
      answer(400, { error: "authorization_pending" }),
      answer(200, { access_token: "a.b.c", refresh_token: "r", expires_in: 3600 }),
    ];
    const bodies: string[] = [];
    const sleeps: number[] = [];
    let now = 0;
    const tokens = await pollDeviceToken(
      (async (_url: string, init?: RequestInit) => {
        bodies.push(String(init?.body));
        return answers.shift() as Response;
      }) as typeof fetch,
      endpoints,
      {
        deviceCode: "dc",
        userCode: "ABCD-EFGH",
        verificationUri: "x",
        verificationUriComplete: null,
        expiresInSeconds: 600,
        intervalSeconds: 5,
      },
      {
        sleep: async (ms) => {
          sleeps.push(ms);
          now += ms;
        },
        now: () => now,
      },
    );
    expect(tokens.access_token).toBe("a.b.c");
    expect(sleeps).toEqual([5000, 5000, 10000, 10000]);
    expect(new URLSearchParams(bodies[0]).get("client_id")).toBe(GATEHOUSE_CLI_CLIENT_ID);
    expect(new URLSearchParams(bodies[0]).get("grant_type")).toBe("urn:ietf:params:oauth:grant-type:device_code");
  });

  it("stops at access_denied and when the code expires", async () => {
    const clock = () => {
      let now = 0;
      return {
        sleep: async (ms: number) => {
          now += ms;
        },
        now: () => now,
      };
    };
    const device = {
      deviceCode: "dc",
      userCode: "U",
      verificationUri: "x",
      verificationUriComplete: null,
      expiresInSeconds: 12,
      intervalSeconds: 5,
    };
    await expect(
      pollDeviceToken(
        (async () => answer(400, { error: "access_denied", error_description: "AADSTS53003: blocked" })) as typeof fetch,
        endpoints,
        device,
        clock(),
      ),
    ).rejects.toMatchObject({ error: "access_denied", description: "AADSTS53003: blocked" });
    let calls = 0;
    await expect(
      pollDeviceToken(
        (async () => {
          calls += 1;
          return answer(400, { error: "authorization_pending" });
        }) as typeof fetch,
        endpoints,
        device,
        clock(),
      ),
    ).rejects.toMatchObject({ error: "expired_token" });
    expect(calls).toBe(2);
  });

  it("uses the CLI client the server's bootstrap registers", () => {
    expect(GATEHOUSE_CLI_CLIENT_ID).toBe(GATEHOUSE_CLI_APP_ID);
  });
});
