/**
 * End-to-end sign-ins in Debian's chromium, driven by playwright-core (issue 4, "How we will
 * know"): the server listens on a loopback port, the issuer is http://localhost:<port>/oauth2
 * (WebAuthn needs a domain, and localhost is a secure context), and the Portal's authorization
 * request (code + PKCE) goes through the real pages, scripts and cookies. The headline policy
 * is the init's "Require multifactor authentication for Gatehouse management" (All users
 * except the administrator and the Emergency access group, the Management API, MFA), turned on.
 *
 * Without /usr/bin/chromium the suite is skipped with a message, except in CI
 * (CI=true), where a missing chromium is a failing test.
 */
import { createHash } from "node:crypto";
import { existsSync } from "node:fs";
import { mkdtemp, rm } from "node:fs/promises";
import { createServer as createNetServer } from "node:net";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { GATEHOUSE_MANAGEMENT_API_APP_ID } from "@gatehouse/admin";
import { createServer, type InitResult, initTenant } from "@gatehouse/server";
import { openStore, type Store } from "@gatehouse/store";
import type { FastifyInstance } from "fastify";
import { decodeJwt, type JWTPayload } from "jose";
import { generate } from "otplib";
import { type BrowserContext, chromium, type Page } from "playwright-core";
import { afterAll, afterEach, beforeAll, describe, expect, it } from "vitest";
import { GATEHOUSE_PORTAL_APP_ID } from "./index.js";
import { ACR_MFA, ACR_PHISHING_RESISTANT_MFA, ACR_SINGLE_FACTOR } from "./internal/assurance.js";
import { createUser, setPolicyState } from "./test-sign-in.js";
import { addPolicy } from "./test-tenant.js";

const CHROMIUM = "/usr/bin/chromium";
const REDIRECT_URI = "http://127.0.0.1:8080/auth/callback";
const VERIFIER = "browser-test-verifier-0123456789-abcdefghijklmnopqrstuvwxyz";
const CHALLENGE = createHash("sha256").update(VERIFIER).digest("base64url");
const ADMIN_PASSWORD = "correct horse battery staple";
const PASSWORD = "a long enough password for the browser";

const haveChromium = existsSync(CHROMIUM);
const inCi = process.env.CI === "true";

if (!haveChromium) {
  if (inCi) {
    describe("browser sign-ins", () => {
      it(`needs chromium at ${CHROMIUM} in CI`, () => {
        expect.fail(`chromium is missing at ${CHROMIUM}: CI must install Debian's chromium for the browser tests`);
      });
    });
  } else {
    console.warn(`sign-in.browser.test.ts skipped: chromium is not installed at ${CHROMIUM}`);
  }
}

const suite = haveChromium ? describe : describe.skip;
const title = haveChromium
  ? `browser sign-ins (chromium at ${CHROMIUM})`
  : `browser sign-ins: skipped because chromium is not installed at ${CHROMIUM}`;

async function freePort(): Promise<number> {
  return new Promise((resolve, reject) => {
    const probe = createNetServer();
    probe.once("error", reject);
    probe.listen(0, "127.0.0.1", () => {
      const address = probe.address();
      probe.close(() => (typeof address === "object" && address !== null ? resolve(address.port) : reject(new Error("no port"))));
    });
  });
}

suite(title, () => {
  let dir: string;
  let store: Store;
  let app: FastifyInstance;
  let init: InitResult;
  let base: string;
  let context: BrowserContext;

  beforeAll(async () => {
    dir = await mkdtemp(join(tmpdir(), "gatehouse-browser-"));
    store = await openStore({ sqlitePath: join(dir, "gatehouse.db") });
    init = await initTenant(store, { adminUpn: "admin@contoso.test", adminPassword: ADMIN_PASSWORD, now: new Date() });
    await setPolicyState(store, init.managementMfaPolicy.id, "enabled");
    const port = await freePort();
    base = `http://localhost:${port}`;
    app = await createServer({ store, oidc: { issuer: `${base}/oauth2` }, rateLimitPerMinute: 0, signInRetentionIntervalMs: 0 });
    await app.listen({ port, host: "127.0.0.1" });
    context = await chromium.launchPersistentContext(join(dir, "profile"), {
      executablePath: CHROMIUM,
      headless: true,
      args: [
        "--headless",
        "--no-sandbox",
        "--disable-gpu",
        "--disable-quic",
        "--no-first-run",
        "--disable-background-networking",
        "--disable-component-update",
        "--disable-sync",
      ],
    });
  }, 60_000);

  afterAll(async () => {
    await context?.close();
    await app?.close();
    await store?.close();
    if (dir) await rm(dir, { recursive: true, force: true });
  });

  afterEach(async () => {
    await context.clearCookies();
    for (const page of context.pages()) await page.close();
  });

  /** Opens the Portal's authorization URL; resolves with the callback URL the browser was sent to (answered by the test). */
  async function openPortal(page: Page): Promise<{ callback: Promise<URL> }> {
    let resolveCallback: (url: URL) => void = () => undefined;
    const callback = new Promise<URL>((resolve) => {
      resolveCallback = resolve;
    });
    await page.route(`${REDIRECT_URI}**`, async (route) => {
      resolveCallback(new URL(route.request().url()));
      await route.fulfill({ status: 200, contentType: "text/html", body: "<!DOCTYPE html><title>Portal</title><p>signed in</p>" });
    });
    const query = new URLSearchParams({
      client_id: GATEHOUSE_PORTAL_APP_ID,
      response_type: "code",
      redirect_uri: REDIRECT_URI,
      scope: "openid profile api://gatehouse-management/.default",
      state: "browser-state",
      nonce: "browser-nonce",
      code_challenge: CHALLENGE,
      code_challenge_method: "S256",
    });
    await page.goto(`${base}/oauth2/auth?${query}`);
    await page.waitForSelector("text=Sign in");
    return { callback };
  }

  async function enterPassword(page: Page, username: string, password: string) {
    await page.fill('input[name="username"]', username);
    await page.fill('input[name="password"]', password);
    await page.click('button[type="submit"]');
  }

  async function tokensFor(callback: URL): Promise<{ access: JWTPayload; id: JWTPayload }> {
    expect(callback.searchParams.get("state")).toBe("browser-state");
    const code = callback.searchParams.get("code");
    expect(code, `the callback carries a code, not ${callback.searchParams.get("error_description")}`).toBeTruthy();
    const response = await fetch(`${base}/oauth2/token`, {
      method: "POST",
      headers: { "content-type": "application/x-www-form-urlencoded" },
      body: new URLSearchParams({
        grant_type: "authorization_code",
        code: code as string,
        redirect_uri: REDIRECT_URI,
        client_id: GATEHOUSE_PORTAL_APP_ID,
        code_verifier: VERIFIER,
      }),
    });
    expect(response.status).toBe(200);
    const body = (await response.json()) as { access_token: string; id_token: string };
    return { access: decodeJwt(body.access_token), id: decodeJwt(body.id_token) };
  }

  it("takes a user without MFA through TOTP registration; the tokens' amr shows MFA", async () => {
    const user = await createUser(store, "ada@contoso.test", PASSWORD);
    const page = await context.newPage();
    const { callback } = await openPortal(page);
    await enterPassword(page, "ada@contoso.test", PASSWORD);
    await page.waitForSelector("text=More information required");
    await page.click("text=Set up an authenticator app");
    const secret = (await page.textContent("#totp-secret"))?.replace(/\s+/g, "") ?? "";
    expect(secret).toMatch(/^[A-Z2-7]{32}$/);
    expect(await page.getAttribute("#totp-uri", "href")).toContain(`secret=${secret}`);
    await page.fill('input[name="code"]', await generate({ secret }));
    await page.click("text=Verify");
    const { access, id } = await tokensFor(await callback);
    expect(access).toMatchObject({ sub: user.id, aud: GATEHOUSE_MANAGEMENT_API_APP_ID, amr: ["pwd", "otp", "mfa"], acr: ACR_MFA });
    expect(id).toMatchObject({ sub: user.id, amr: ["pwd", "otp", "mfa"], acr: ACR_MFA, nonce: "browser-nonce" });
    const records = (await store.signIns.list({ filter: { userId: user.id } })).value;
    expect(records.length).toBe(3);
    for (const record of records) {
      expect(record).toMatchObject({
        clientAppUsed: "Browser",
        ipAddress: "127.0.0.1",
        deviceDetail: { operatingSystem: "Linux", browser: expect.stringMatching(/^Chrome \d+/) },
        correlationId: records[0]?.correlationId,
      });
    }
  }, 60_000);

  it("registers a passkey with Chromium's virtual authenticator, then signs in with it (amr hwk)", async () => {
    const user = await createUser(store, "bob@contoso.test", PASSWORD);
    const page = await context.newPage();
    const cdp = await context.newCDPSession(page);
    await cdp.send("WebAuthn.enable");
    await cdp.send("WebAuthn.addVirtualAuthenticator", {
      options: { protocol: "ctap2", transport: "internal", hasResidentKey: true, hasUserVerification: true, isUserVerified: true },
    });
    const first = await openPortal(page);
    await enterPassword(page, "bob@contoso.test", PASSWORD);
    await page.click("text=Set up a passkey");
    await page.click("#passkey-button");
    const registered = await tokensFor(await first.callback);
    expect(registered.access).toMatchObject({ sub: user.id, amr: ["pwd", "hwk", "mfa"], acr: ACR_PHISHING_RESISTANT_MFA });
    expect(await store.authenticationMethods.listForUser(user.id)).toMatchObject([{ methodType: "fido2" }]);

    await page.unroute(`${REDIRECT_URI}**`);
    const second = await openPortal(page);
    await enterPassword(page, "bob@contoso.test", PASSWORD);
    await page.waitForSelector("text=Verify your identity");
    await page.click("#passkey-button");
    const signedIn = await tokensFor(await second.callback);
    expect(signedIn.access).toMatchObject({ sub: user.id, amr: ["pwd", "hwk", "mfa"], acr: ACR_PHISHING_RESISTANT_MFA });
  }, 60_000);

  it("shows a blocked user the error code and the correlation id, then returns access_denied to the Portal", async () => {
    const user = await createUser(store, "mallory@contoso.test", PASSWORD);
    await addPolicy(store, {
      displayName: "CA90 - Mallory - Block",
      state: "enabled",
      conditions: { clientAppTypes: ["all"], users: { includeUsers: [user.id] }, applications: { includeApplications: ["All"] } },
      grantControls: { operator: "OR", builtInControls: ["block"] },
    });
    const page = await context.newPage();
    const { callback } = await openPortal(page);
    await enterPassword(page, "mallory@contoso.test", PASSWORD);
    await page.waitForSelector("text=You cannot access this right now");
    expect(await page.textContent("#error-code")).toBe("AADSTS53003");
    const correlationId = (await page.textContent("#correlation-id")) ?? "";
    const [record] = (await store.signIns.list({ filter: { userId: user.id } })).value;
    expect(record).toMatchObject({ correlationId, status: { errorCode: 53003 }, conditionalAccessStatus: "failure" });
    await page.click("text=Back to the application");
    const back = await callback;
    expect(back.searchParams.get("error")).toBe("access_denied");
    expect(back.searchParams.get("error_description")).toContain(correlationId);
  }, 60_000);

  it("signs the emergency-access account in with a password only", async () => {
    const breakGlass = init.emergencyAccess.accounts[0];
    if (breakGlass === undefined) throw new Error("no emergency-access account");
    const page = await context.newPage();
    const { callback } = await openPortal(page);
    await enterPassword(page, breakGlass.userPrincipalName, breakGlass.password);
    const { access } = await tokensFor(await callback);
    expect(access).toMatchObject({ amr: ["pwd"], acr: ACR_SINGLE_FACTOR });
  }, 60_000);

  it("signs a user outside the policy's scope (the administrator, excluded) in with a password only", async () => {
    const page = await context.newPage();
    const { callback } = await openPortal(page);
    await enterPassword(page, init.admin.userPrincipalName, ADMIN_PASSWORD);
    const { access, id } = await tokensFor(await callback);
    expect(access).toMatchObject({ sub: init.admin.id, amr: ["pwd"], acr: ACR_SINGLE_FACTOR });
    expect(id).toMatchObject({ amr: ["pwd"], acr: ACR_SINGLE_FACTOR });
  }, 60_000);
});
