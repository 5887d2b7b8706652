import { createHash } from "node:crypto";
import { GATEHOUSE_MANAGEMENT_API_APP_ID } from "@gatehouse/admin";
import { hashPassword } from "@gatehouse/server";
import { createLocalJWKSet, decodeJwt, type JWK, jwtVerify } from "jose";
import { afterEach, beforeEach, describe, expect, it } from "vitest";
import { GATEHOUSE_CLI_APP_ID, GATEHOUSE_PORTAL_APP_ID } from "./index.js";
import { pathOf, testBrowser } from "./test-sign-in.js";
import { addPolicy, createOidcTestTenant, form, ISSUER, type OidcTestTenant } from "./test-tenant.js";

const FORM = { "content-type": "application/x-www-form-urlencoded" };
const ADMIN_PASSWORD = "correct horse battery staple";
const REDIRECT_URI = "http://127.0.0.1:8080/auth/callback";
const VERIFIER = "dBjftJeZ4CVP-mB92K27uhbUJU1p1r_wW1gFWFOEjXk-long-enough-verifier";
const CHALLENGE = createHash("sha256").update(VERIFIER).digest("base64url");

let t: OidcTestTenant;
beforeEach(async () => {
  t = await createOidcTestTenant();
});
afterEach(async () => {
  await t.close();
});

/** A cookie jar for a browser that never leaves the test (no User-Agent of ours). */
const browser = () => testBrowser(() => t.app, { userAgent: null });

async function startSignIn(b: ReturnType<typeof browser>) {
  const authorize = await b.get(
    `/oauth2/auth?${form({
      client_id: GATEHOUSE_PORTAL_APP_ID,
      response_type: "code",
      redirect_uri: REDIRECT_URI,
      scope: "openid profile api://gatehouse-management/.default",
      state: "st-1",
      nonce: "n-1",
      code_challenge: CHALLENGE,
      code_challenge_method: "S256",
    })}`,
  );
  expect(authorize.statusCode).toBe(303);
  const signInPath = pathOf(authorize.headers.location);
  expect(signInPath).toMatch(/^\/signin\/[A-Za-z0-9_-]+$/);
  const formPage = await b.get(signInPath);
  expect(formPage.statusCode).toBe(200);
  const csrf = /name="csrf" value="([^"]+)"/.exec(formPage.body)?.[1];
  expect(csrf).toBeDefined();
  return { signInPath, csrf: csrf as string };
}

/** Signs in and follows the redirects back to the portal; the portal's redirect URL. */
async function signIn(b: ReturnType<typeof browser>, username: string, password: string): Promise<URL> {
  const { signInPath, csrf } = await startSignIn(b);
  const login = await b.post(`${signInPath}/login`, { csrf, username, password });
  expect(login.statusCode).toBe(303);
  const resume = await b.get(pathOf(login.headers.location));
  expect(resume.statusCode).toBe(303);
  const back = new URL(String(resume.headers.location));
  expect(`${back.origin}${back.pathname}`).toBe(REDIRECT_URI);
  return back;
}

describe("authorization code with PKCE for the portal, password sign-in", () => {
  it("signs the administrator in and issues an access token for the Management API with amr pwd", async () => {
    const b = browser();
    const back = await signIn(b, t.init.admin.userPrincipalName, ADMIN_PASSWORD);
    expect(back.searchParams.get("state")).toBe("st-1");
    const code = back.searchParams.get("code");
    expect(code).toBeTruthy();

    const token = await t.app.inject({
      method: "POST",
      url: "/oauth2/token",
      headers: FORM,
      payload: form({
        grant_type: "authorization_code",
        code: code as string,
        redirect_uri: REDIRECT_URI,
        client_id: GATEHOUSE_PORTAL_APP_ID,
        code_verifier: VERIFIER,
      }),
    });
    expect(token.statusCode).toBe(200);
    const body = token.json() as { access_token: string; id_token: string; refresh_token?: string };
    // Refresh tokens are issued to the Portal; each exchange re-runs Conditional Access (refresh-token.test.ts).
    expect(typeof body.refresh_token).toBe("string");
    const jwks = (await t.app.inject({ method: "GET", url: "/.well-known/jwks.json" })).json() as { keys: JWK[] };
    const { payload } = await jwtVerify(body.access_token, createLocalJWKSet(jwks), {
      issuer: ISSUER,
      audience: GATEHOUSE_MANAGEMENT_API_APP_ID,
    });
    expect(payload).toMatchObject({ sub: t.init.admin.id, oid: t.init.admin.id, tid: t.init.tenantId, idtyp: "user", amr: ["pwd"] });
    const idToken = decodeJwt(body.id_token);
    expect(idToken).toMatchObject({ sub: t.init.admin.id, aud: GATEHOUSE_PORTAL_APP_ID, amr: ["pwd"], nonce: "n-1" });

    const policies = await t.app.inject({
      method: "GET",
      url: "/v1.0/identity/conditionalAccess/policies",
      headers: { authorization: `Bearer ${body.access_token}` },
    });
    expect(policies.statusCode).toBe(200);

    const records = (await t.store.signIns.list({ filter: { userId: t.init.admin.id } })).value;
    expect(records).toHaveLength(1);
    expect(records[0]).toMatchObject({
      userId: t.init.admin.id,
      appId: GATEHOUSE_PORTAL_APP_ID,
      resourceId: GATEHOUSE_MANAGEMENT_API_APP_ID,
      isInteractive: true,
      status: { errorCode: 0 },
    });

    // A code is used once.
    const again = await t.app.inject({
      method: "POST",
      url: "/oauth2/token",
      headers: FORM,
      payload: form({
        grant_type: "authorization_code",
        code: code as string,
        redirect_uri: REDIRECT_URI,
        client_id: GATEHOUSE_PORTAL_APP_ID,
        code_verifier: VERIFIER,
      }),
    });
    expect(again.json()).toMatchObject({ error: "invalid_grant" });
  });

  it("sends a second authorization request of the same browser through the sign-in page again (no silent SSO)", async () => {
    const b = browser();
    await signIn(b, t.init.admin.userPrincipalName, ADMIN_PASSWORD);
    const { signInPath } = await startSignIn(b);
    expect(signInPath).toMatch(/^\/signin\//);
  });

  it("completes a device code sign-in of the CLI, evaluated as a desktop client with deviceCodeFlow (R30)", async () => {
    const start = await t.app.inject({
      method: "POST",
      url: "/oauth2/device/auth",
      headers: FORM,
      payload: form({ client_id: GATEHOUSE_CLI_APP_ID, scope: "openid api://gatehouse-management/.default" }),
    });
    const { user_code, device_code } = start.json() as { user_code: string; device_code: string };
    const b = browser();
    const entry = await b.get("/oauth2/device");
    const xsrf = /name="xsrf" value="([^"]+)"/.exec(entry.body)?.[1] as string;
    const page = await b.post("/oauth2/device", { xsrf, user_code });
    // The confirmation form: its hidden fields, then "Continue".
    const hidden = Object.fromEntries(
      [...page.body.matchAll(/<input type="hidden" name="([^"]+)" value="([^"]*)"/g)].map((m) => [m[1] as string, m[2] as string]),
    );
    const confirm = await b.post("/oauth2/device", { ...hidden, confirm: "yes" });
    const signInPath = pathOf(confirm.headers.location);
    expect(signInPath).toMatch(/^\/signin\//);
    const formPage = await b.get(signInPath);
    const csrf = /name="csrf" value="([^"]+)"/.exec(formPage.body)?.[1] as string;
    const login = await b.post(`${signInPath}/login`, { csrf, username: t.init.admin.userPrincipalName, password: ADMIN_PASSWORD });
    expect(login.statusCode).toBe(303);
    expect(pathOf(login.headers.location)).toMatch(/^\/oauth2\/device\/[A-Za-z0-9_-]+$/);
    const done = await b.get(pathOf(login.headers.location));
    expect(done.statusCode).toBe(200);
    const poll = await t.app.inject({
      method: "POST",
      url: "/oauth2/token",
      headers: FORM,
      payload: form({ grant_type: "urn:ietf:params:oauth:grant-type:device_code", client_id: GATEHOUSE_CLI_APP_ID, device_code }),
    });
    expect(poll.statusCode).toBe(200);
    const tokens = poll.json() as { access_token: string; id_token: string };
    expect(decodeJwt(tokens.access_token)).toMatchObject({
      aud: GATEHOUSE_MANAGEMENT_API_APP_ID,
      sub: t.init.admin.id,
      azp: GATEHOUSE_CLI_APP_ID,
      amr: ["pwd"],
    });
    expect(decodeJwt(tokens.id_token)).toMatchObject({ sub: t.init.admin.id, amr: ["pwd"] });
    const records = (await t.store.signIns.list({})).value;
    expect(records).toHaveLength(1);
    expect(records[0]).toMatchObject({
      userId: t.init.admin.id,
      appId: GATEHOUSE_CLI_APP_ID,
      resourceId: GATEHOUSE_MANAGEMENT_API_APP_ID,
      clientAppUsed: "Mobile Apps and Desktop clients",
      originalTransferMethod: "deviceCodeFlow",
      isInteractive: true,
      status: { errorCode: 0 },
    });
  });

  it("refuses a wrong verifier at the token endpoint", async () => {
    const back = await signIn(browser(), t.init.admin.userPrincipalName, ADMIN_PASSWORD);
    const token = await t.app.inject({
      method: "POST",
      url: "/oauth2/token",
      headers: FORM,
      payload: form({
        grant_type: "authorization_code",
        code: back.searchParams.get("code") as string,
        redirect_uri: REDIRECT_URI,
        client_id: GATEHOUSE_PORTAL_APP_ID,
        code_verifier: `${VERIFIER}-wrong`,
      }),
    });
    expect(token.json()).toMatchObject({ error: "invalid_grant" });
  });

  it("shows the form again for a wrong password or an unknown account, and logs each failure without an evaluation", async () => {
    const b = browser();
    const { signInPath, csrf } = await startSignIn(b);
    for (const [username, password] of [
      [t.init.admin.userPrincipalName, "wrong password"],
      ["nobody@contoso.test", ADMIN_PASSWORD],
    ] as const) {
      const res = await b.post(`${signInPath}/login`, { csrf, username, password });
      expect(res.statusCode).toBe(200);
      expect(res.body).toContain("Your account or password is incorrect.");
      expect(res.headers.location).toBeUndefined();
    }
    const records = (await t.store.signIns.list({})).value;
    expect(records.map((r) => r.status.errorCode).sort()).toEqual([50034, 50126]);
    expect(records.every((r) => r.conditionalAccessStatus === "notApplied" && r.appliedConditionalAccessPolicies.length === 0)).toBe(true);
  });

  it("refuses a form without its anti-CSRF token, and a sign-in page without the interaction cookie", async () => {
    const b = browser();
    const { signInPath } = await startSignIn(b);
    const forged = await b.post(`${signInPath}/login`, {
      csrf: "forged",
      username: t.init.admin.userPrincipalName,
      password: ADMIN_PASSWORD,
    });
    expect(forged.statusCode).toBe(403);
    const otherBrowser = await t.app.inject({ method: "GET", url: signInPath });
    expect(otherBrowser.statusCode).toBe(400);
  });

  it("asks for security info registration when a policy requires MFA, and logs the interrupted sign-in", async () => {
    const user = await t.store.users.create({ userPrincipalName: "ada@contoso.test", displayName: "Ada" });
    await t.store.users.setPasswordHash(user.id, await hashPassword("ada's long password"));
    await addPolicy(t.store, {
      displayName: "CA01 - Ada - Require MFA",
      state: "enabled",
      conditions: { clientAppTypes: ["all"], users: { includeUsers: [user.id] }, applications: { includeApplications: ["All"] } },
      grantControls: { operator: "OR", builtInControls: ["mfa"] },
    });
    const b = browser();
    const { signInPath, csrf } = await startSignIn(b);
    const login = await b.post(`${signInPath}/login`, { csrf, username: "ada@contoso.test", password: "ada's long password" });
    expect(login.statusCode).toBe(200);
    expect(login.body).toContain("More information required");
    const records = (await t.store.signIns.list({ filter: { userId: user.id } })).value;
    // The resource (interrupted), then the registration user action: the All-resources policy covers it too, and a
    // user without a method registers one (proof-up: no policy names the registration action).
    expect(records.map((r) => r.status.errorCode)).toEqual([50074, 50074]);
    expect(records.every((r) => r.conditionalAccessStatus === "failure" && r.isInteractive)).toBe(true);
  });

  it("shows AADSTS53003 with the correlation id when a policy blocks the user, then access_denied", async () => {
    const user = await t.store.users.create({ userPrincipalName: "bob@contoso.test", displayName: "Bob" });
    await t.store.users.setPasswordHash(user.id, await hashPassword("bob's long password"));
    await addPolicy(t.store, {
      displayName: "CA02 - Bob - Block",
      state: "enabled",
      conditions: { clientAppTypes: ["all"], users: { includeUsers: [user.id] }, applications: { includeApplications: ["All"] } },
      grantControls: { operator: "OR", builtInControls: ["block"] },
    });
    const b = browser();
    const { signInPath, csrf } = await startSignIn(b);
    const login = await b.post(`${signInPath}/login`, { csrf, username: "bob@contoso.test", password: "bob's long password" });
    expect(login.body).toContain("AADSTS53003");
    const cont = await b.post(`${signInPath}/continue`, { csrf });
    const resume = await b.get(pathOf(cont.headers.location));
    const back = new URL(String(resume.headers.location));
    expect(back.searchParams.get("error")).toBe("access_denied");
    expect(back.searchParams.get("error_description")).toMatch(/AADSTS53003: .*Correlation ID: [0-9a-f-]{36}/);
    const [record] = (await t.store.signIns.list({ filter: { userId: user.id } })).value;
    expect(record).toMatchObject({ conditionalAccessStatus: "failure", status: { errorCode: 53003 } });
  });
});
