/**
 * Refresh tokens re-run Conditional Access (spec R2) with the refresh request's own context,
 * protocol tracking through refreshes (R30), report-only never enforced (R3, R42), one
 * non-interactive sign-in record per evaluation, fail closed.
 */
import { createHash } from "node:crypto";
import { GATEHOUSE_MANAGEMENT_API_APP_ID } from "@gatehouse/admin";
import type { SignInLogEntry } from "@gatehouse/engine";
import { compileTenant } from "@gatehouse/engine";
import { ensureSecretKey, finishTotpRegistration, startTotpRegistration } from "@gatehouse/mfa";
import { createServer, hashPassword } from "@gatehouse/server";
import Fastify, { type LightMyRequestResponse } from "fastify";
import { createLocalJWKSet, decodeJwt, type JWK, jwtVerify } from "jose";
import { afterEach, beforeEach, describe, expect, it } from "vitest";
import { GATEHOUSE_CLI_APP_ID, GATEHOUSE_PORTAL_APP_ID, registerOidc } from "./index.js";
import { signInFrequencyExpired } from "./internal/refresh-access.js";
import {
  backToPortal,
  createUser,
  csrfOf,
  CHALLENGE as PORTAL_CHALLENGE,
  pathOf,
  setPolicyState,
  startPortalSignIn,
  testBrowser,
  totpAt,
} from "./test-sign-in.js";
import { createOidcTestTenant, DAEMON_SECRET, form, ISSUER, type OidcTestTenant } from "./test-tenant.js";

const FORM = { "content-type": "application/x-www-form-urlencoded" };
const ADMIN_PASSWORD = "correct horse battery staple";
const VERIFIER = "dBjftJeZ4CVP-mB92K27uhbUJU1p1r_wW1gFWFOEjXk-long-enough-verifier";
const CHALLENGE = createHash("sha256").update(VERIFIER).digest("base64url");
const DEVICE_CODE_GRANT = "urn:ietf:params:oauth:grant-type:device_code";
const HOME_IP = "198.51.100.23";
const CORRELATION = "5d1f0c2a-7b3e-4c55-9d1e-0a0b0c0d0e0f";

let t: OidcTestTenant;
beforeEach(async () => {
  t = await createOidcTestTenant();
});
afterEach(async () => {
  await t.close();
});

interface Tokens {
  access_token: string;
  refresh_token: string;
  id_token?: string;
  expires_in: number;
}

/** A cookie jar for a browser that never leaves the test (no User-Agent of ours). */
const browser = () => testBrowser(() => t.app, { userAgent: null });

async function passwordSignIn(b: ReturnType<typeof browser>, signInPath: string): Promise<LightMyRequestResponse> {
  const page = await b.get(signInPath);
  expect(page.statusCode).toBe(200);
  // The sign-in page's form as a browser submits it: its action and hidden fields (csrf), plus the credentials.
  const action = (/<form method="post" action="([^"]+)"/.exec(page.body)?.[1] ?? "").replaceAll("&amp;", "&");
  const hidden = Object.fromEntries(
    [...page.body.matchAll(/<input type="hidden" name="([^"]+)" value="([^"]*)"/g)].map((m) => [m[1] as string, m[2] as string]),
  );
  const login = await b.post(pathOf(action), { ...hidden, username: t.init.admin.userPrincipalName, password: ADMIN_PASSWORD });
  expect(login.statusCode).toBe(303);
  return login;
}

/** The Portal's authorization code flow with PKCE, password sign-in: its tokens. */
async function portalTokens(): Promise<Tokens> {
  // The Portal's registered redirect URI (init's default).
  const redirectUri = (await t.store.applications.getByAppId(GATEHOUSE_PORTAL_APP_ID))?.redirectUris[0] as string;
  return authorizationCodeTokens(GATEHOUSE_PORTAL_APP_ID, redirectUri, {});
}

/** The authorization code flow with PKCE and a password sign-in, for any web client; `auth`: its client authentication. */
async function authorizationCodeTokens(clientId: string, redirectUri: string, auth: Record<string, string>): Promise<Tokens> {
  const b = browser();
  const authorize = await b.get(
    `/oauth2/auth?${form({
      client_id: clientId,
      response_type: "code",
      redirect_uri: redirectUri,
      scope: "openid profile api://gatehouse-management/.default",
      state: "st",
      code_challenge: CHALLENGE,
      code_challenge_method: "S256",
    })}`,
  );
  expect(authorize.statusCode).toBe(303);
  const login = await passwordSignIn(b, pathOf(authorize.headers.location));
  const resume = await b.get(pathOf(login.headers.location));
  const code = new URL(String(resume.headers.location)).searchParams.get("code") as string;
  expect(code).toBeTruthy();
  const token = await t.app.inject({
    method: "POST",
    url: "/oauth2/token",
    headers: FORM,
    payload: form({
      grant_type: "authorization_code",
      code,
      redirect_uri: redirectUri,
      client_id: clientId,
      code_verifier: VERIFIER,
      ...auth,
    }),
  });
  expect(token.statusCode, token.body).toBe(200);
  return token.json() as Tokens;
}

/** The CLI's device code flow (`gatehouse login`), completed with the device pages and the sign-in page. */
async function deviceCodeTokens(): Promise<Tokens> {
  const start = await t.app.inject({
    method: "POST",
    url: "/oauth2/device/auth",
    headers: FORM,
    payload: form({ client_id: GATEHOUSE_CLI_APP_ID, scope: "openid offline_access api://gatehouse-management/.default" }),
  });
  const { user_code, device_code } = start.json() as { user_code: string; device_code: string };
  const b = browser();
  const entry = await b.get("/oauth2/device");
  const xsrf = /name="xsrf" value="([^"]+)"/.exec(entry.body)?.[1] as string;
  const confirmPage = await b.post("/oauth2/device", { xsrf, user_code });
  const hidden = Object.fromEntries(
    [...confirmPage.body.matchAll(/<input type="hidden" name="([^"]+)" value="([^"]*)"/g)].map((m) => [m[1] as string, m[2] as string]),
  );
  const confirm = await b.post("/oauth2/device", { ...hidden, confirm: "yes" });
  const login = await passwordSignIn(b, pathOf(confirm.headers.location));
  const done = await b.get(pathOf(login.headers.location));
  expect(done.statusCode).toBe(200);
  const poll = await t.app.inject({
    method: "POST",
    url: "/oauth2/token",
    headers: FORM,
    payload: form({ grant_type: DEVICE_CODE_GRANT, client_id: GATEHOUSE_CLI_APP_ID, device_code }),
  });
  expect(poll.statusCode).toBe(200);
  return poll.json() as Tokens;
}

function refresh(clientId: string, refreshToken: string, options: { remoteAddress?: string; correlationId?: string } = {}) {
  return t.app.inject({
    method: "POST",
    url: "/oauth2/token",
    headers: { ...FORM, ...(options.correlationId ? { "client-request-id": options.correlationId } : {}) },
    payload: form({ grant_type: "refresh_token", client_id: clientId, refresh_token: refreshToken }),
    remoteAddress: options.remoteAddress ?? HOME_IP,
  });
}

async function refreshRecords(): Promise<SignInLogEntry[]> {
  const all = (await t.store.signIns.list({ filter: { userId: t.init.admin.id } })).value;
  return all.filter((r) => r.isInteractive === false);
}

/**
 * Creates a policy through the Management API as the signed-in administrator (the server drops
 * its compiled tenant at once), acknowledging the lockout warning it gives for a block.
 */
async function createPolicy(accessToken: string, policy: Record<string, unknown>): Promise<string> {
  const res = await t.app.inject({
    method: "POST",
    url: "/v1.0/identity/conditionalAccess/policies",
    headers: { authorization: `Bearer ${accessToken}`, prefer: "allow-unsafe-policy" },
    payload: policy,
  });
  expect(res.statusCode, res.body).toBe(201);
  return (res.json() as { id: string }).id;
}

const blockAllUsers = (accessToken: string, state: "enabled" | "enabledForReportingButNotEnforced" = "enabled") =>
  createPolicy(accessToken, {
    displayName: "CA90 - Block the Management API",
    state,
    conditions: {
      clientAppTypes: ["all"],
      users: { includeUsers: ["All"] },
      applications: { includeApplications: [GATEHOUSE_MANAGEMENT_API_APP_ID] },
    },
    grantControls: { operator: "OR", builtInControls: ["block"] },
  });

const requireMfa = (accessToken: string, state: "enabled" | "enabledForReportingButNotEnforced") =>
  createPolicy(accessToken, {
    displayName: `CA91 - Require MFA for the Management API (${state})`,
    state,
    conditions: {
      clientAppTypes: ["all"],
      users: { includeUsers: ["All"] },
      applications: { includeApplications: [GATEHOUSE_MANAGEMENT_API_APP_ID] },
    },
    grantControls: { operator: "OR", builtInControls: ["mfa"] },
  });

async function setState(accessToken: string, policyId: string, state: "enabled" | "disabled"): Promise<void> {
  const res = await t.app.inject({
    method: "PATCH",
    url: `/v1.0/identity/conditionalAccess/policies/${policyId}`,
    headers: { authorization: `Bearer ${accessToken}`, prefer: "allow-unsafe-policy" },
    payload: { state },
  });
  expect(res.statusCode, res.body).toBe(204);
}

describe("refresh tokens for the Portal (authorization code)", () => {
  it("exchanges a refresh token for new tokens after Conditional Access, rotates it, and logs one non-interactive record", async () => {
    const first = await portalTokens();
    expect(typeof first.refresh_token).toBe("string");
    const res = await refresh(GATEHOUSE_PORTAL_APP_ID, first.refresh_token, { correlationId: CORRELATION });
    expect(res.statusCode).toBe(200);
    expect(res.headers["client-request-id"]).toBe(CORRELATION);
    const next = res.json() as Tokens;
    expect(next.refresh_token).not.toBe(first.refresh_token);
    const jwks = (await t.app.inject({ method: "GET", url: "/.well-known/jwks.json" })).json() as { keys: JWK[] };
    const { payload } = await jwtVerify(next.access_token, createLocalJWKSet(jwks), {
      issuer: ISSUER,
      audience: GATEHOUSE_MANAGEMENT_API_APP_ID,
    });
    expect(payload).toMatchObject({
      sub: t.init.admin.id,
      oid: t.init.admin.id,
      azp: GATEHOUSE_PORTAL_APP_ID,
      idtyp: "user",
      amr: ["pwd"],
    });
    // The refreshed token is a Management API token like any other.
    const me = await t.app.inject({
      method: "GET",
      url: "/v1.0/identity/conditionalAccess/policies",
      headers: { authorization: `Bearer ${next.access_token}` },
    });
    expect(me.statusCode).toBe(200);

    const records = await refreshRecords();
    expect(records).toHaveLength(1);
    const record = records[0] as SignInLogEntry;
    expect(record.id).toMatch(/^[0-9a-f-]{36}$/);
    expect(Date.now() - Date.parse(record.createdDateTime)).toBeLessThan(60_000);
    expect(record.userId).toBe(t.init.admin.id);
    expect(record.userPrincipalName).toBe(t.init.admin.userPrincipalName);
    expect(record.userDisplayName).toBe(t.init.admin.displayName);
    expect(record.appId).toBe(GATEHOUSE_PORTAL_APP_ID);
    expect(record.appDisplayName).toBe("Gatehouse Portal");
    expect(record.resourceId).toBe(GATEHOUSE_MANAGEMENT_API_APP_ID);
    expect(record.resourceDisplayName).toBe("Gatehouse Management API");
    expect(record.ipAddress).toBe(HOME_IP);
    expect(record.clientAppUsed).toBe("Browser");
    expect(record.correlationId).toBe(CORRELATION);
    expect(record.isInteractive).toBe(false);
    expect(record.signInEventTypes).toEqual(["nonInteractiveUser"]);
    expect(record.originalTransferMethod).toBe("none");
    expect(record.authenticationMethodsUsed).toEqual(["Password"]);
    expect(record.authenticationRequirement).toBe("singleFactorAuthentication");
    expect(record.conditionalAccessStatus).toBe("notApplied");
    expect(record.status).toEqual({ errorCode: 0, failureReason: "Other.", additionalDetails: null });
    // The policy init creates (Management API MFA, report-only) excludes the administrator who set the tenant up.
    expect(t.init.managementMfaPolicy.state).toBe("enabledForReportingButNotEnforced");
    expect(record.appliedConditionalAccessPolicies.map((p) => [p.id, p.result])).toEqual([
      [t.init.managementMfaPolicy.id, "reportOnlyNotApplied"],
    ]);
  });

  it("refuses the next refresh once a block policy is turned on after sign-in (AADSTS53003), and the same token works again when it is off", async () => {
    const first = await portalTokens();
    const policyId = await blockAllUsers(first.access_token);
    const blocked = await refresh(GATEHOUSE_PORTAL_APP_ID, first.refresh_token, { correlationId: CORRELATION });
    expect(blocked.statusCode).toBe(400);
    const body = blocked.json() as { error: string; error_description: string; access_token?: string };
    expect(body.error).toBe("invalid_grant");
    expect(body.error_description).toMatch(/^AADSTS53003: /);
    expect(body.error_description).toContain(`Correlation ID: ${CORRELATION}`);
    expect(body.access_token).toBeUndefined();

    const [record, ...more] = await refreshRecords();
    expect(more).toEqual([]);
    expect(record).toMatchObject({
      userId: t.init.admin.id,
      appId: GATEHOUSE_PORTAL_APP_ID,
      resourceId: GATEHOUSE_MANAGEMENT_API_APP_ID,
      clientAppUsed: "Browser",
      isInteractive: false,
      correlationId: CORRELATION,
      conditionalAccessStatus: "failure",
      originalTransferMethod: "none",
      status: { errorCode: 53003 },
    });
    const applied = record?.appliedConditionalAccessPolicies.find((p) => p.id === policyId);
    expect(applied).toMatchObject({ result: "failure", enforcedGrantControls: ["Block"] });

    // Conditional Access decides before the refresh token is rotated: a refused refresh leaves it usable.
    await setState(first.access_token, policyId, "disabled");
    const again = await refresh(GATEHOUSE_PORTAL_APP_ID, first.refresh_token);
    expect(again.statusCode).toBe(200);
    expect((await refreshRecords()).map((r) => r.conditionalAccessStatus).sort()).toEqual(["failure", "notApplied"]);
  });

  it("refuses a refresh with interaction_required (AADSTS50076) when a policy now requires MFA the session lacks", async () => {
    const first = await portalTokens();
    const policyId = await requireMfa(first.access_token, "enabled");
    const res = await refresh(GATEHOUSE_PORTAL_APP_ID, first.refresh_token, { correlationId: CORRELATION });
    expect(res.statusCode).toBe(400);
    const body = res.json() as { error: string; error_description: string };
    expect(body.error).toBe("invalid_grant");
    expect(body.error_description).toMatch(/^AADSTS50076: .*interaction_required/);
    expect(body.error_description).toContain(`Correlation ID: ${CORRELATION}`);
    const [record] = await refreshRecords();
    expect(record).toMatchObject({
      isInteractive: false,
      conditionalAccessStatus: "failure",
      authenticationRequirement: "multiFactorAuthentication",
      status: { errorCode: 50076 },
    });
    expect(record?.appliedConditionalAccessPolicies.find((p) => p.id === policyId)).toMatchObject({
      result: "failure",
      enforcedGrantControls: ["Require multifactor authentication"],
    });
  });

  it("never lets report-only policies change the result: logged as reportOnlyInterrupted / reportOnlySuccess / reportOnlyFailure", async () => {
    const first = await portalTokens();
    const mfa = await requireMfa(first.access_token, "enabledForReportingButNotEnforced");
    const block = await blockAllUsers(first.access_token, "enabledForReportingButNotEnforced");
    const sessionOnly = await createPolicy(first.access_token, {
      displayName: "CA92 - Sign-in frequency (report-only)",
      state: "enabledForReportingButNotEnforced",
      conditions: { clientAppTypes: ["all"], users: { includeUsers: ["All"] }, applications: { includeApplications: ["All"] } },
      sessionControls: { signInFrequency: { isEnabled: true, type: "hours", value: 4, frequencyInterval: "timeBased" } },
    });
    const res = await refresh(GATEHOUSE_PORTAL_APP_ID, first.refresh_token);
    expect(res.statusCode).toBe(200);
    const [record] = await refreshRecords();
    expect(record?.status.errorCode).toBe(0);
    expect(record?.conditionalAccessStatus).toBe("notApplied");
    const result = (id: string) => record?.appliedConditionalAccessPolicies.find((p) => p.id === id)?.result;
    expect(result(mfa)).toBe("reportOnlyInterrupted");
    expect(result(block)).toBe("reportOnlyFailure");
    expect(result(sessionOnly)).toBe("reportOnlySuccess");
  });

  it("refuses a rotated refresh token used twice (replay) and revokes the grant", async () => {
    const first = await portalTokens();
    const second = await refresh(GATEHOUSE_PORTAL_APP_ID, first.refresh_token);
    expect(second.statusCode).toBe(200);
    const replay = await refresh(GATEHOUSE_PORTAL_APP_ID, first.refresh_token);
    expect(replay.json()).toMatchObject({ error: "invalid_grant" });
    const revoked = await refresh(GATEHOUSE_PORTAL_APP_ID, (second.json() as Tokens).refresh_token);
    expect(revoked.json()).toMatchObject({ error: "invalid_grant" });
  });

  it("lets a client revoke only its own refresh token (RFC 7009): another public client's attempt changes nothing", async () => {
    const tokens = await portalTokens();
    const revoke = (clientId: string) =>
      t.app.inject({
        method: "POST",
        url: "/oauth2/token/revocation",
        headers: FORM,
        payload: form({ token: tokens.refresh_token, token_type_hint: "refresh_token", client_id: clientId }),
      });
    expect((await revoke(GATEHOUSE_CLI_APP_ID)).statusCode).toBe(200);
    const stillGood = await refresh(GATEHOUSE_PORTAL_APP_ID, tokens.refresh_token);
    expect(stillGood.statusCode, stillGood.body).toBe(200);
    const rotated = (stillGood.json() as Tokens).refresh_token;
    const own = await t.app.inject({
      method: "POST",
      url: "/oauth2/token/revocation",
      headers: FORM,
      payload: form({ token: rotated, token_type_hint: "refresh_token", client_id: GATEHOUSE_PORTAL_APP_ID }),
    });
    expect(own.statusCode).toBe(200);
    expect((await refresh(GATEHOUSE_PORTAL_APP_ID, rotated)).json()).toMatchObject({ error: "invalid_grant" });
  });

  it("refuses the refresh token of a user disabled since, before any evaluation", async () => {
    const first = await portalTokens();
    await t.store.users.update(t.init.admin.id, { accountEnabled: false });
    const res = await refresh(GATEHOUSE_PORTAL_APP_ID, first.refresh_token);
    expect(res.json()).toMatchObject({ error: "invalid_grant" });
    expect(await refreshRecords()).toEqual([]);
  });
});

describe("refresh tokens for a confidential web application (authorization code + client secret)", () => {
  it("issues a refresh token to a registered web app and evaluates each refresh as a browser sign-in of that app", async () => {
    const redirectUri = "https://orders.contoso.test/signin-oidc";
    const webApp = await t.store.applications.create({ displayName: "Orders web", redirectUris: [redirectUri] });
    await t.store.servicePrincipals.create({ appId: webApp.appId, displayName: "Orders web", appOwnerOrganizationId: t.init.tenantId });
    await t.store.applications.addPasswordCredential(webApp.id, { secretHash: await hashPassword(DAEMON_SECRET) });
    const secret = { client_secret: DAEMON_SECRET };
    const first = await authorizationCodeTokens(webApp.appId, redirectUri, secret);
    expect(typeof first.refresh_token).toBe("string");
    expect(decodeJwt(first.access_token)).toMatchObject({ aud: GATEHOUSE_MANAGEMENT_API_APP_ID, azp: webApp.appId });

    // Without its secret the web app's refresh token is refused (a confidential client).
    expect((await refresh(webApp.appId, first.refresh_token)).statusCode).toBe(401);
    const res = await t.app.inject({
      method: "POST",
      url: "/oauth2/token",
      headers: FORM,
      remoteAddress: HOME_IP,
      payload: form({ grant_type: "refresh_token", client_id: webApp.appId, refresh_token: first.refresh_token, ...secret }),
    });
    expect(res.statusCode, res.body).toBe(200);
    const [record, ...more] = await refreshRecords();
    expect(more).toEqual([]);
    expect(record).toMatchObject({
      appId: webApp.appId,
      appDisplayName: "Orders web",
      resourceId: GATEHOUSE_MANAGEMENT_API_APP_ID,
      clientAppUsed: "Browser",
      isInteractive: false,
      originalTransferMethod: "none",
      status: { errorCode: 0 },
    });
  });
});

describe("sign-in frequency at refresh (R41)", () => {
  it("refuses a refresh once the session is older than the policy's frequency (AADSTS70044), not before", async () => {
    const first = await portalTokens();
    const policyId = await createPolicy(first.access_token, {
      displayName: "CA95 - Sign-in frequency 1 hour for the Management API",
      state: "enabled",
      conditions: {
        clientAppTypes: ["all"],
        users: { includeUsers: ["All"] },
        applications: { includeApplications: [GATEHOUSE_MANAGEMENT_API_APP_ID] },
      },
      sessionControls: {
        signInFrequency: {
          isEnabled: true,
          type: "hours",
          value: 1,
          frequencyInterval: "timeBased",
          authenticationType: "primaryAndSecondaryAuthentication",
        },
      },
    });
    const now = await refresh(GATEHOUSE_PORTAL_APP_ID, first.refresh_token);
    expect(now.statusCode).toBe(200);
    const second = (now.json() as Tokens).refresh_token;

    // The same store two hours later.
    const later = await createServer({
      store: t.store,
      oidc: true,
      rateLimitPerMinute: 0,
      signInRetentionIntervalMs: 0,
      now: () => new Date(Date.now() + 2 * 3600_000),
    });
    try {
      const res = await later.inject({
        method: "POST",
        url: "/oauth2/token",
        headers: { ...FORM, "client-request-id": CORRELATION },
        payload: form({ grant_type: "refresh_token", client_id: GATEHOUSE_PORTAL_APP_ID, refresh_token: second }),
      });
      expect(res.statusCode).toBe(400);
      const body = res.json() as { error: string; error_description: string };
      expect(body.error).toBe("invalid_grant");
      expect(body.error_description).toMatch(/^AADSTS70044: .*sign-in frequency.* Correlation ID: 5d1f0c2a/);
    } finally {
      await later.close();
    }
    const records = (await refreshRecords()).sort((a, b) => a.createdDateTime.localeCompare(b.createdDateTime));
    expect(records.map((r) => r.status.errorCode)).toEqual([0, 70044]);
    expect(records[1]?.appliedConditionalAccessPolicies.find((p) => p.id === policyId)).toMatchObject({
      result: "success",
      enforcedSessionControls: ["SignInFrequency"],
    });
  });

  it("judges the session's age by the frequency: hours, days, every time (5 minutes' tolerance), unknown = expired", () => {
    const at = 1_800_000_000;
    const hours = { value: 4, type: "hours", frequencyInterval: "timeBased" };
    expect(signInFrequencyExpired(undefined, at - 10 * 86_400, at)).toBe(false);
    expect(signInFrequencyExpired(hours, at - 4 * 3600, at)).toBe(false);
    expect(signInFrequencyExpired(hours, at - 4 * 3600 - 1, at)).toBe(true);
    expect(signInFrequencyExpired({ value: 2, type: "days", frequencyInterval: "timeBased" }, at - 47 * 3600, at)).toBe(false);
    expect(signInFrequencyExpired({ value: 2, type: "days", frequencyInterval: "timeBased" }, at - 49 * 3600, at)).toBe(true);
    expect(signInFrequencyExpired({ frequencyInterval: "everyTime" }, at - 300, at)).toBe(false);
    expect(signInFrequencyExpired({ frequencyInterval: "everyTime" }, at - 301, at)).toBe(true);
    expect(signInFrequencyExpired(hours, null, at)).toBe(true);
  });
});

describe("refresh tokens of a session that did MFA", () => {
  it("satisfies an MFA policy at every refresh from the session's amr (pwd, otp), logged as multifactor", async () => {
    // The headline policy on before anyone signs in; Ada has TOTP.
    await setPolicyState(t.store, t.init.managementMfaPolicy.id, "enabled");
    const password = "a long enough password for tests";
    const ada = await createUser(t.store, "ada@contoso.test", password);
    const { secret } = startTotpRegistration({ accountName: "ada" });
    const registered = await finishTotpRegistration(t.store, await ensureSecretKey(t.store), {
      userId: ada.id,
      secret,
      code: await totpAt(secret, new Date(Date.now() - 60_000)),
      displayName: "Phone",
      now: new Date(Date.now() - 60_000),
    });
    expect(registered.ok).toBe(true);
    const b = testBrowser(() => t.app);
    const { signInPath, csrf } = await startPortalSignIn(b);
    const afterPassword = await b.post(`${signInPath}/login`, { csrf, username: "ada@contoso.test", password });
    const afterCode = await b.post(`${signInPath}/totp`, { csrf: csrfOf(afterPassword.body), code: await totpAt(secret, new Date()) });
    const back = await backToPortal(b, afterCode);
    const redirectUri = `${back.origin}${back.pathname}`;
    const exchange = await t.app.inject({
      method: "POST",
      url: "/oauth2/token",
      headers: FORM,
      payload: form({
        grant_type: "authorization_code",
        code: back.searchParams.get("code") as string,
        redirect_uri: redirectUri,
        client_id: GATEHOUSE_PORTAL_APP_ID,
        code_verifier: VERIFIER,
      }),
    });
    expect(exchange.statusCode).toBe(200);
    expect(PORTAL_CHALLENGE).toBe(CHALLENGE);
    const first = exchange.json() as Tokens;
    const res = await refresh(GATEHOUSE_PORTAL_APP_ID, first.refresh_token);
    expect(res.statusCode).toBe(200);
    expect(decodeJwt((res.json() as Tokens).access_token)).toMatchObject({ amr: ["pwd", "otp", "mfa"] });
    const records = (await t.store.signIns.list({ filter: { userId: ada.id } })).value.filter((r) => !r.isInteractive);
    expect(records).toHaveLength(1);
    expect(records[0]).toMatchObject({
      isInteractive: false,
      clientAppUsed: "Browser",
      conditionalAccessStatus: "success",
      authenticationRequirement: "multiFactorAuthentication",
      authenticationMethodsUsed: ["Password", "App Verification code"],
      status: { errorCode: 0, additionalDetails: "MFA requirement satisfied by claim in the token" },
    });
    expect(records[0]?.appliedConditionalAccessPolicies.find((p) => p.id === t.init.managementMfaPolicy.id)?.result).toBe("success");
  });
});

describe("refresh tokens for the CLI (device code, protocol tracked, R30)", () => {
  const deviceCodeBlock = (accessToken: string) =>
    createPolicy(accessToken, {
      displayName: "CA93 - Block device code flow",
      state: "enabled",
      conditions: {
        clientAppTypes: ["all"],
        users: { includeUsers: ["All"] },
        applications: { includeApplications: ["All"] },
        authenticationFlows: { transferMethods: "deviceCodeFlow" },
      },
      grantControls: { operator: "OR", builtInControls: ["block"] },
    });

  it("evaluates every refresh as a desktop client whose session began with the device code flow", async () => {
    const first = await deviceCodeTokens();
    expect(typeof first.refresh_token).toBe("string");
    const res = await refresh(GATEHOUSE_CLI_APP_ID, first.refresh_token, { correlationId: CORRELATION });
    expect(res.statusCode).toBe(200);
    const next = res.json() as Tokens;
    expect(decodeJwt(next.access_token)).toMatchObject({ aud: GATEHOUSE_MANAGEMENT_API_APP_ID, azp: GATEHOUSE_CLI_APP_ID, amr: ["pwd"] });
    // And again from the rotated token: protocol tracking persists through refreshes.
    const third = await refresh(GATEHOUSE_CLI_APP_ID, next.refresh_token);
    expect(third.statusCode).toBe(200);
    const records = await refreshRecords();
    expect(records).toHaveLength(2);
    for (const record of records) {
      expect(record).toMatchObject({
        userId: t.init.admin.id,
        appId: GATEHOUSE_CLI_APP_ID,
        appDisplayName: "Gatehouse CLI",
        resourceId: GATEHOUSE_MANAGEMENT_API_APP_ID,
        clientAppUsed: "Mobile Apps and Desktop clients",
        originalTransferMethod: "deviceCodeFlow",
        isInteractive: false,
        signInEventTypes: ["nonInteractiveUser"],
        ipAddress: HOME_IP,
        authenticationMethodsUsed: ["Password"],
        status: { errorCode: 0 },
      });
    }
  });

  it("makes the refresh token unusable once an authentication-flows policy blocks device code (AADSTS530036)", async () => {
    const first = await deviceCodeTokens();
    const policyId = await deviceCodeBlock(first.access_token);
    const res = await refresh(GATEHOUSE_CLI_APP_ID, first.refresh_token, { correlationId: CORRELATION });
    expect(res.statusCode).toBe(400);
    const body = res.json() as { error: string; error_description: string };
    expect(body.error).toBe("invalid_grant");
    expect(body.error_description).toMatch(/^AADSTS530036: /);
    expect(body.error_description).toContain(`Correlation ID: ${CORRELATION}`);
    const [record] = await refreshRecords();
    expect(record).toMatchObject({
      originalTransferMethod: "deviceCodeFlow",
      conditionalAccessStatus: "failure",
      isInteractive: false,
      status: { errorCode: 530036 },
    });
    expect(record?.appliedConditionalAccessPolicies.find((p) => p.id === policyId)?.result).toBe("failure");
  });

  it("does not apply the device code policy to the Portal's refreshes (not protocol tracked)", async () => {
    const first = await portalTokens();
    const policyId = await deviceCodeBlock(first.access_token);
    const res = await refresh(GATEHOUSE_PORTAL_APP_ID, first.refresh_token);
    expect(res.statusCode).toBe(200);
    const [record] = await refreshRecords();
    expect(record?.appliedConditionalAccessPolicies.find((p) => p.id === policyId)?.result).toBe("notApplied");
  });
});

describe("failing closed on refresh", () => {
  it("refuses the refresh when its sign-in record cannot be written", async () => {
    const first = await portalTokens();
    const key = (await t.store.tenant.get())?.settings.signingKeys as Array<{ privateJwk?: JWK }>;
    const failingStore = new Proxy(t.store, {
      get(target, property, receiver) {
        if (property === "signIns") return { ...target.signIns, append: async () => Promise.reject(new Error("disk full")) };
        return Reflect.get(target, property, receiver);
      },
    });
    const app = Fastify();
    const reported: string[] = [];
    await registerOidc(app, {
      store: failingStore,
      issuer: ISSUER,
      signingKey: key.find((k) => k.privateJwk)?.privateJwk as JWK,
      compiledTenant: async () => compileTenant(await t.store.loadTenantSnapshot()),
      onError: (message) => reported.push(message),
    });
    await app.ready();
    try {
      const res = await app.inject({
        method: "POST",
        url: "/oauth2/token",
        headers: FORM,
        payload: form({ grant_type: "refresh_token", client_id: GATEHOUSE_PORTAL_APP_ID, refresh_token: first.refresh_token }),
      });
      expect(res.statusCode).toBe(503);
      expect(res.json()).toMatchObject({ error: "temporarily_unavailable" });
      expect(reported).toEqual(["refresh refused: Conditional Access could not be evaluated"]);
    } finally {
      await app.close();
    }
  });

  it("refuses the refresh when Conditional Access cannot be evaluated, and keeps the refresh token usable", async () => {
    const first = await portalTokens();
    const key = (await t.store.tenant.get())?.settings.signingKeys as Array<{ privateJwk?: JWK }>;
    let failing = true;
    const app = Fastify();
    const reported: string[] = [];
    await registerOidc(app, {
      store: t.store,
      issuer: ISSUER,
      signingKey: key.find((k) => k.privateJwk)?.privateJwk as JWK,
      compiledTenant: async () => {
        if (failing) throw new Error("the database is unavailable");
        return compileTenant(await t.store.loadTenantSnapshot());
      },
      onError: (message) => reported.push(message),
    });
    await app.ready();
    try {
      const post = () =>
        app.inject({
          method: "POST",
          url: "/oauth2/token",
          headers: FORM,
          payload: form({ grant_type: "refresh_token", client_id: GATEHOUSE_PORTAL_APP_ID, refresh_token: first.refresh_token }),
        });
      const res = await post();
      expect(res.statusCode).toBe(503);
      const body = res.json() as { error: string; error_description: string; access_token?: string };
      expect(body.error).toBe("temporarily_unavailable");
      expect(body.error_description).toMatch(/Correlation ID: [0-9a-f-]{36}/);
      expect(body.access_token).toBeUndefined();
      expect(reported).toEqual(["refresh refused: Conditional Access could not be evaluated"]);
      failing = false;
      expect((await post()).statusCode).toBe(200);
    } finally {
      await app.close();
    }
  });
});
