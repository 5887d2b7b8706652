/** "My security info": /v1.0/me/authentication, with Conditional Access on registration and removal (R22). */

import type { SignInLogEntry } from "@gatehouse/engine";
import { ensureSecretKey, verifyTotp } from "@gatehouse/mfa";
import type { InjectOptions } from "fastify";
import { generate } from "otplib";
import { afterEach, beforeEach, describe, expect, it, vi } from "vitest";
import { SoftwareAuthenticator } from "../../../mfa/src/test-software-authenticator.js";
import { issueManagementToken } from "../signing-keys.js";
import { type CallResult, call, createTestTenant, IDS, type TestTenant } from "../test-server.js";

const BASE = "/v1.0/me/authentication";
const PORTAL_APP_ID = "a9b8c7d6-0000-4000-8000-00000000abcd";
const ORIGIN = "http://localhost";
const RP_ID = "localhost";
const ACR_MFA = "urn:gatehouse:acr:mfa";
const ACR_PHR = "urn:gatehouse:acr:phr";

let t: TestTenant;
/** Tokens of the plain user and the CA admin, with a password only and with password + TOTP (MFA). */
let pwd: { user: string; admin: string };
let mfa: { user: string; admin: string };

beforeEach(async () => {
  t = await createTestTenant();
  const token = (userId: string, amr: string[]) => issueManagementToken(t.store, { userId, appId: PORTAL_APP_ID, amr });
  pwd = { user: await token(IDS.plainUser, ["pwd"]), admin: await token(IDS.caAdmin, ["pwd"]) };
  mfa = { user: await token(IDS.plainUser, ["pwd", "otp", "mfa"]), admin: await token(IDS.caAdmin, ["pwd", "otp", "mfa"]) };
});
afterEach(async () => {
  vi.restoreAllMocks();
  await t.close();
});

const codeNow = (secret: string, offsetSteps = 0): Promise<string> =>
  generate({ secret, epoch: Math.floor(Date.now() / 1000) + offsetSteps * 30 });

/** A request from a given client address (app.inject's remoteAddress), JSON in and out. */
async function from(
  remoteAddress: string,
  method: InjectOptions["method"],
  url: string,
  token: string,
  body?: unknown,
): Promise<CallResult> {
  const response = await t.app.inject({
    method,
    url,
    remoteAddress,
    headers: {
      authorization: `Bearer ${token}`,
      "user-agent": "Mozilla/5.0 (Windows NT 10.0; Win64; x64) AppleWebKit/537.36 (KHTML, like Gecko) Chrome/130.0.0.0 Safari/537.36",
      ...(body === undefined ? {} : { "content-type": "application/json" }),
    },
    ...(body === undefined ? {} : { payload: JSON.stringify(body) }),
  });
  let json: unknown = null;
  try {
    json = response.body === "" ? null : JSON.parse(response.body);
  } catch {
    json = null;
  }
  return { status: response.statusCode, headers: response.headers, json, text: response.body };
}

async function registerTotp(token: string): Promise<{ secret: string; method: Record<string, unknown> }> {
  const start = await call(t.app, "POST", `${BASE}/softwareOathMethods/registration`, { token });
  expect(start.status).toBe(201);
  const verify = await call(t.app, "POST", `${BASE}/softwareOathMethods/registration/${start.json.registrationId}/verify`, {
    token,
    body: { code: await codeNow(start.json.secret) },
  });
  expect(verify.status).toBe(201);
  return { secret: start.json.secret, method: verify.json };
}

async function signInsOf(userId: string): Promise<SignInLogEntry[]> {
  return (await t.store.signIns.list({ top: 999, filter: { userId } })).value;
}

async function auditOf(activity: string) {
  return (await t.store.audit.list({ top: 999 })).value.filter((r) => r.activityDisplayName === activity);
}

async function createPolicy(policy: Record<string, unknown>): Promise<string> {
  const res = await call(t.app, "POST", "/v1.0/identity/conditionalAccess/policies", {
    token: t.tokens.caAdmin,
    body: policy,
    headers: { prefer: "allow-unsafe-policy" },
  });
  expect(res.status, res.text).toBe(201);
  return res.json.id as string;
}

const everyoneButEmergency = { includeUsers: ["All"], excludeUsers: [IDS.breakGlass1], excludeGroups: [IDS.emergencyGroup] };

describe("listing and TOTP registration", () => {
  it("lists the password and the methods, never a secret; registers TOTP in two steps, audited, one sign-in record per evaluation", async () => {
    await t.store.users.setPasswordHash(IDS.plainUser, "$argon2id$v=19$m=19456,t=2,p=1$c2FsdHNhbHQ$aGFzaGhhc2hoYXNoaGFzaA");
    const empty = await call(t.app, "GET", `${BASE}/methods`, { token: pwd.user });
    expect(empty.status).toBe(200);
    expect(empty.json.value).toEqual([
      {
        "@odata.type": "#microsoft.graph.passwordAuthenticationMethod",
        id: "28c10230-6103-485e-b985-444c60001490",
        password: null,
        createdDateTime: null,
      },
    ]);

    const start = await call(t.app, "POST", `${BASE}/softwareOathMethods/registration`, {
      token: pwd.user,
      headers: { "client-request-id": "reg-1" },
    });
    expect(start.status).toBe(201);
    expect(start.headers["cache-control"]).toBe("no-store");
    expect(start.json.secret).toMatch(/^[A-Z2-7]{32}$/);
    expect(start.json.otpauthUri).toContain(`secret=${start.json.secret}`);
    expect(start.json.otpauthUri).toContain("Contoso");
    // The secret is kept encrypted.
    const pending = await t.store.securityInfoRegistrations.get(start.json.registrationId);
    expect(pending?.secretCiphertext).not.toContain(start.json.secret);
    expect(Date.parse(start.json.expiresDateTime) - Date.parse(pending?.createdDateTime ?? "")).toBe(600_000);

    const verifyUrl = `${BASE}/softwareOathMethods/registration/${start.json.registrationId}/verify`;
    const wrong = await call(t.app, "POST", verifyUrl, { token: pwd.user, body: { code: await codeNow(start.json.secret, 5) } });
    expect(wrong.status).toBe(400);
    expect(wrong.json.error.innerError.details[0]).toMatchObject({ code: "invalidCode", target: "$.code" });

    const code = await codeNow(start.json.secret);
    const done = await call(t.app, "POST", verifyUrl, { token: pwd.user, body: { code, displayName: "My phone" } });
    expect(done.status).toBe(201);
    expect(done.json).toMatchObject({
      "@odata.type": "#microsoft.graph.softwareOathAuthenticationMethod",
      secretKey: null,
      displayName: "My phone",
    });
    expect(done.headers.location).toBe(`http://localhost:80${BASE}/softwareOathMethods/${done.json.id}`);
    expect(done.text).not.toContain(start.json.secret);

    const listed = await call(t.app, "GET", `${BASE}/methods`, { token: pwd.user });
    expect(listed.json.value.map((m: { "@odata.type": string }) => m["@odata.type"])).toEqual([
      "#microsoft.graph.passwordAuthenticationMethod",
      "#microsoft.graph.softwareOathAuthenticationMethod",
    ]);
    expect(listed.text).not.toContain(start.json.secret);

    // Replay: the registration answered once; the code that proved it is spent for sign-in too.
    const again = await call(t.app, "POST", verifyUrl, { token: mfa.user, body: { code } });
    expect(again.status).toBe(404);
    const key = await ensureSecretKey(t.store);
    expect(await verifyTotp(t.store, key, { userId: IDS.plainUser, code })).toEqual({ ok: false, reason: "replayed" });

    const [audit] = await auditOf("User registered security info");
    expect(audit).toMatchObject({
      category: "UserManagement",
      loggedByService: "Authentication Methods",
      operationType: "Add",
      initiatedBy: { user: { id: IDS.plainUser } },
      targetResources: [{ id: IDS.plainUser, type: "User" }],
    });
    expect(JSON.stringify(audit)).not.toContain(start.json.secret);

    // start, wrong code, right code, replay: four evaluations, four records.
    const records = await signInsOf(IDS.plainUser);
    expect(records).toHaveLength(4);
    const first = records.find((r) => r.correlationId === "reg-1");
    expect(first).toMatchObject({
      appId: PORTAL_APP_ID,
      resourceDisplayName: "Security info registration",
      clientAppUsed: "Browser",
      ipAddress: "127.0.0.1",
      conditionalAccessStatus: "notApplied",
      authenticationMethodsUsed: expect.any(Array),
    });
    expect(first?.deviceDetail).toMatchObject({ operatingSystem: "" });
  });

  it("refuses a replayed code when the same registration is verified twice at once: one method only", async () => {
    const start = await call(t.app, "POST", `${BASE}/softwareOathMethods/registration`, { token: mfa.user });
    const url = `${BASE}/softwareOathMethods/registration/${start.json.registrationId}/verify`;
    const code = await codeNow(start.json.secret);
    const results = await Promise.all([
      call(t.app, "POST", url, { token: mfa.user, body: { code } }),
      call(t.app, "POST", url, { token: mfa.user, body: { code } }),
    ]);
    expect(results.map((r) => r.status).sort()).toEqual([201, expect.any(Number)]);
    expect(results.filter((r) => r.status === 201)).toHaveLength(1);
    expect(results.find((r) => r.status !== 201)?.status).toBeOneOf([400, 404]);
    expect(await t.store.authenticationMethods.listForUser(IDS.plainUser)).toHaveLength(1);
  });

  it("drops a registration after five wrong codes", async () => {
    const start = await call(t.app, "POST", `${BASE}/softwareOathMethods/registration`, { token: pwd.user });
    const url = `${BASE}/softwareOathMethods/registration/${start.json.registrationId}/verify`;
    for (let i = 0; i < 5; i++) expect((await call(t.app, "POST", url, { token: pwd.user, body: { code: "000000" } })).status).toBe(400);
    const right = await call(t.app, "POST", url, { token: pwd.user, body: { code: await codeNow(start.json.secret) } });
    expect(right.status).toBe(404);
  });

  it("asks a user who has a method to prove one (MFA claims challenge) before a password-only token changes anything", async () => {
    const { method } = await registerTotp(pwd.user);
    const res = await call(t.app, "POST", `${BASE}/fido2Methods/registration`, { token: pwd.user });
    expect(res.status).toBe(401);
    expect(res.json.error.code).toBe("InteractionRequired");
    const header = String(res.headers["www-authenticate"]);
    expect(header).toContain('error="insufficient_claims"');
    const claims = JSON.parse(Buffer.from(/claims="([^"]+)"/.exec(header)?.[1] ?? "", "base64").toString("utf8"));
    expect(claims).toEqual({ access_token: { acr: { essential: true, values: [ACR_MFA, ACR_PHR] } } });
    const remove = await call(t.app, "DELETE", `${BASE}/softwareOathMethods/${method.id}`, { token: pwd.user });
    expect(remove.status).toBe(401);
    expect(await t.store.authenticationMethods.listForUser(IDS.plainUser)).toHaveLength(1);
    // With MFA in the token: allowed.
    expect((await call(t.app, "POST", `${BASE}/fido2Methods/registration`, { token: mfa.user })).status).toBe(201);
  });
});

describe("passkeys and removal", () => {
  it("registers a passkey with the browser's answer (the challenge answers once), lists it, and removes it, audited", async () => {
    const start = await call(t.app, "POST", `${BASE}/fido2Methods/registration`, { token: mfa.admin });
    expect(start.status).toBe(201);
    expect(start.json.publicKey).toMatchObject({ rp: { id: RP_ID, name: "Contoso" }, user: { name: "ca.admin@contoso.example" } });
    expect(start.json.publicKey.authenticatorSelection.userVerification).toBe("required");
    const authenticator = new SoftwareAuthenticator();
    const credential = authenticator.register({ challenge: start.json.publicKey.challenge, origin: ORIGIN, rpId: RP_ID });
    const url = `${BASE}/fido2Methods/registration/${start.json.registrationId}/verify`;

    const malformed = await call(t.app, "POST", url, { token: mfa.admin, body: { publicKeyCredential: { id: "x" } } });
    expect(malformed.status).toBe(400);

    const done = await call(t.app, "POST", url, {
      token: mfa.admin,
      body: { displayName: "Security key", publicKeyCredential: credential },
    });
    expect(done.status, done.text).toBe(201);
    expect(done.json).toMatchObject({
      "@odata.type": "#microsoft.graph.fido2AuthenticationMethod",
      displayName: "Security key",
      aaGuid: "00000000-0000-0000-0000-000000000000",
      attestationLevel: "notAttested",
      model: null,
    });
    expect(done.text).not.toMatch(/publicKey|counter/);
    expect((await call(t.app, "POST", url, { token: mfa.admin, body: { publicKeyCredential: credential } })).status).toBe(404);

    // A wrong origin is refused, and the challenge is gone after the attempt.
    const second = await call(t.app, "POST", `${BASE}/fido2Methods/registration`, { token: mfa.admin });
    const evil = new SoftwareAuthenticator().register({
      challenge: second.json.publicKey.challenge,
      origin: "https://evil.example",
      rpId: RP_ID,
    });
    const secondUrl = `${BASE}/fido2Methods/registration/${second.json.registrationId}/verify`;
    expect((await call(t.app, "POST", secondUrl, { token: mfa.admin, body: { publicKeyCredential: evil } })).status).toBe(400);
    expect((await call(t.app, "POST", secondUrl, { token: mfa.admin, body: { publicKeyCredential: evil } })).status).toBe(404);
    expect(second.json.publicKey.excludeCredentials).toEqual([expect.objectContaining({ id: authenticator.id })]);

    const listed = await call(t.app, "GET", `${BASE}/methods`, { token: mfa.admin });
    expect(listed.json.value.map((m: { id: string }) => m.id)).toEqual([done.json.id]);
    const passkeys = await call(t.app, "GET", `${BASE}/fido2Methods`, { token: mfa.admin });
    expect(passkeys.json.value).toEqual([expect.objectContaining({ id: done.json.id, displayName: "Security key" })]);
    expect((await call(t.app, "GET", `${BASE}/softwareOathMethods`, { token: mfa.admin })).json.value).toEqual([]);
    const one = await call(t.app, "GET", `${BASE}/fido2Methods/${done.json.id}`, { token: mfa.admin });
    expect(one.json).toMatchObject({ id: done.json.id, "@odata.type": "#microsoft.graph.fido2AuthenticationMethod" });
    expect(one.json["@odata.context"]).toContain("fido2Methods/$entity");
    expect((await call(t.app, "GET", `${BASE}/fido2Methods/${done.json.id}`, { token: mfa.user })).status).toBe(404);

    // The passkey is not a TOTP method: wrong segment -> 404.
    expect((await call(t.app, "DELETE", `${BASE}/softwareOathMethods/${done.json.id}`, { token: mfa.admin })).status).toBe(404);
    const removed = await call(t.app, "DELETE", `${BASE}/fido2Methods/${done.json.id}`, { token: mfa.admin });
    expect(removed.status).toBe(204);
    expect(await t.store.authenticationMethods.listForUser(IDS.caAdmin)).toEqual([]);
    const [audit] = await auditOf("User deleted security info");
    expect(audit).toMatchObject({ category: "UserManagement", operationType: "Delete", targetResources: [{ id: IDS.caAdmin }] });
    expect(audit?.additionalDetails).toContainEqual({ key: "lastMethodRemoved", value: "true" });
  });

  it("never reaches another user's method or registration (404), and refuses an application's token (403)", async () => {
    const { method } = await registerTotp(pwd.user);
    const other = await call(t.app, "DELETE", `${BASE}/softwareOathMethods/${method.id}`, { token: mfa.admin });
    expect(other.status).toBe(404);
    expect((await call(t.app, "GET", `${BASE}/softwareOathMethods/${method.id}`, { token: mfa.admin })).status).toBe(404);
    expect(await t.store.authenticationMethods.listForUser(IDS.plainUser)).toHaveLength(1);

    const start = await call(t.app, "POST", `${BASE}/softwareOathMethods/registration`, { token: mfa.user });
    const stolen = await call(t.app, "POST", `${BASE}/softwareOathMethods/registration/${start.json.registrationId}/verify`, {
      token: mfa.admin,
      body: { code: await codeNow(start.json.secret) },
    });
    expect(stolen.status).toBe(404);
    expect(await t.store.authenticationMethods.listForUser(IDS.caAdmin)).toEqual([]);

    for (const [verb, url] of [
      ["GET", `${BASE}/methods`],
      ["POST", `${BASE}/softwareOathMethods/registration`],
      ["DELETE", `${BASE}/softwareOathMethods/${method.id}`],
    ] as const) {
      const res = await call(t.app, verb, url, { token: t.tokens.writerSp });
      expect(res.status).toBe(403);
      expect(res.json.error.code).toBe("Authorization_RequestDenied");
    }
  });

  it("allows removing the last method while a policy requires MFA, with a warning and an audited note", async () => {
    const { method } = await registerTotp(pwd.user);
    const policyId = await createPolicy({
      displayName: "CA01 - MFA for everyone",
      state: "enabled",
      conditions: { clientAppTypes: ["all"], applications: { includeApplications: ["All"] }, users: everyoneButEmergency },
      grantControls: { operator: "OR", builtInControls: ["mfa"] },
    });
    const res = await call(t.app, "DELETE", `${BASE}/softwareOathMethods/${method.id}`, { token: mfa.user });
    expect(res.status).toBe(204);
    expect(res.headers["x-gatehouse-warnings"]).toContain("lastMethodRemoved");
    const [audit] = await auditOf("User deleted security info");
    expect(audit?.additionalDetails).toContainEqual({ key: "mfaRequiredByPolicies", value: policyId });
  });
});

describe("Conditional Access on registration (urn:user:registersecurityinfo)", () => {
  it("blocks registration outside trusted locations with 403 accessDenied, AADSTS53003 and the correlation id; allows it inside", async () => {
    const location = await call(t.app, "POST", "/v1.0/identity/conditionalAccess/namedLocations", {
      token: t.tokens.caAdmin,
      body: {
        "@odata.type": "#microsoft.graph.ipNamedLocation",
        displayName: "Head office",
        isTrusted: true,
        ipRanges: [{ "@odata.type": "#microsoft.graph.iPv4CidrRange", cidrAddress: "10.1.0.0/16" }],
      },
    });
    expect(location.status, location.text).toBe(201);
    const policyId = await createPolicy({
      displayName: "CA02 - Register security info from trusted locations only",
      state: "enabled",
      conditions: {
        clientAppTypes: ["all"],
        applications: { includeUserActions: ["urn:user:registersecurityinfo"] },
        users: everyoneButEmergency,
        locations: { includeLocations: ["All"], excludeLocations: ["AllTrusted"] },
      },
      grantControls: { operator: "OR", builtInControls: ["block"] },
    });

    const created = vi.spyOn(t.store.securityInfoRegistrations, "create");
    const outside = await from("203.0.113.7", "POST", `${BASE}/softwareOathMethods/registration`, pwd.user);
    expect(outside.status).toBe(403);
    expect(outside.json.error.code).toBe("accessDenied");
    expect(outside.json.error.message).toContain("AADSTS53003");
    expect(outside.json.error.message).toContain(String(outside.headers["request-id"]));
    expect(created).not.toHaveBeenCalled();

    const record = (await signInsOf(IDS.plainUser)).find((r) => r.correlationId === outside.headers["request-id"]);
    expect(record).toMatchObject({
      ipAddress: "203.0.113.7",
      conditionalAccessStatus: "failure",
      status: { errorCode: 53003 },
      deviceDetail: { operatingSystem: "Windows 10", browser: expect.stringContaining("Chrome") },
    });
    expect(record?.appliedConditionalAccessPolicies).toContainEqual(expect.objectContaining({ id: policyId, result: "failure" }));

    // Listing is not a change: no evaluation, allowed from anywhere.
    expect((await from("203.0.113.7", "GET", `${BASE}/methods`, pwd.user)).status).toBe(200);

    const inside = await from("10.1.2.3", "POST", `${BASE}/softwareOathMethods/registration`, pwd.user);
    expect(inside.status).toBe(201);
    const insideRecord = (await signInsOf(IDS.plainUser)).find((r) => r.correlationId === inside.headers["request-id"]);
    expect(insideRecord).toMatchObject({ ipAddress: "10.1.2.3", conditionalAccessStatus: "notApplied" });
    expect(await signInsOf(IDS.plainUser)).toHaveLength(2);
  });

  it("challenges a password-only token when a policy requires MFA for registration (401 claims challenge); MFA in the token passes", async () => {
    const policyId = await createPolicy({
      displayName: "CA03 - MFA to register security info",
      state: "enabled",
      conditions: {
        clientAppTypes: ["all"],
        applications: { includeUserActions: ["urn:user:registersecurityinfo"] },
        users: everyoneButEmergency,
      },
      grantControls: { operator: "OR", builtInControls: ["mfa"] },
    });
    const created = vi.spyOn(t.store.securityInfoRegistrations, "create");
    const res = await call(t.app, "POST", `${BASE}/softwareOathMethods/registration`, { token: pwd.user });
    expect(res.status).toBe(401);
    expect(res.json.error.code).toBe("InteractionRequired");
    expect(res.json.error.message).toMatch(/multifactor authentication/i);
    const header = String(res.headers["www-authenticate"]);
    expect(header).toMatch(/^Bearer /);
    expect(header).toContain('error="insufficient_claims"');
    const claims = JSON.parse(Buffer.from(/claims="([^"]+)"/.exec(header)?.[1] ?? "", "base64").toString("utf8"));
    expect(claims.access_token.acr).toEqual({ essential: true, values: [ACR_MFA, ACR_PHR] });
    const record = (await signInsOf(IDS.plainUser)).find((r) => r.correlationId === res.headers["request-id"]);
    expect(record?.appliedConditionalAccessPolicies).toContainEqual(expect.objectContaining({ id: policyId, result: "failure" }));
    expect(created).not.toHaveBeenCalled();

    const ok = await call(t.app, "POST", `${BASE}/softwareOathMethods/registration`, { token: mfa.user });
    expect(ok.status).toBe(201);
    const okRecord = (await signInsOf(IDS.plainUser)).find((r) => r.correlationId === ok.headers["request-id"]);
    expect(okRecord?.appliedConditionalAccessPolicies).toContainEqual(expect.objectContaining({ id: policyId, result: "success" }));
  });

  it("asks for a passkey (phishing-resistant acr only) when the policy requires phishing-resistant MFA", async () => {
    await createPolicy({
      displayName: "CA04 - Phishing-resistant MFA to register security info",
      state: "enabled",
      conditions: {
        clientAppTypes: ["all"],
        applications: { includeUserActions: ["urn:user:registersecurityinfo"] },
        users: everyoneButEmergency,
      },
      grantControls: { operator: "OR", authenticationStrength: { id: "00000000-0000-0000-0000-000000000004" } },
    });
    const res = await call(t.app, "POST", `${BASE}/fido2Methods/registration`, { token: mfa.user });
    expect(res.status).toBe(401);
    expect(res.json.error.message).toMatch(/Phishing-resistant MFA/i);
    const header = String(res.headers["www-authenticate"]);
    const claims = JSON.parse(Buffer.from(/claims="([^"]+)"/.exec(header)?.[1] ?? "", "base64").toString("utf8"));
    expect(claims.access_token.acr.values).toEqual([ACR_PHR]);
  });

  it("lets a user with no method register when MFA comes only from an all-resources policy (proof-up)", async () => {
    const policyId = await createPolicy({
      displayName: "CA05 - MFA for everyone",
      state: "enabled",
      conditions: { clientAppTypes: ["all"], applications: { includeApplications: ["All"] }, users: everyoneButEmergency },
      grantControls: { operator: "OR", builtInControls: ["mfa"] },
    });
    const first = await call(t.app, "POST", `${BASE}/softwareOathMethods/registration`, { token: pwd.user });
    expect(first.status).toBe(201);
    // The policy did apply to the registration (it needs MFA the user cannot have yet).
    const [record] = await signInsOf(IDS.plainUser);
    expect(record?.appliedConditionalAccessPolicies).toContainEqual(expect.objectContaining({ id: policyId, result: "failure" }));
    // Once the user has a method, the same policy asks for it.
    const code = await codeNow(first.json.secret);
    const verify = `${BASE}/softwareOathMethods/registration/${first.json.registrationId}/verify`;
    expect((await call(t.app, "POST", verify, { token: pwd.user, body: { code } })).status).toBe(201);
    expect((await call(t.app, "POST", `${BASE}/fido2Methods/registration`, { token: pwd.user })).status).toBe(401);
  });

  it("fails closed (503) when Conditional Access cannot be evaluated, and changes nothing", async () => {
    vi.spyOn(t.store, "loadTenantSnapshot").mockRejectedValue(new Error("db.internal.example is down"));
    const created = vi.spyOn(t.store.securityInfoRegistrations, "create");
    const res = await call(t.app, "POST", `${BASE}/softwareOathMethods/registration`, { token: pwd.user });
    expect(res.status).toBe(503);
    expect(res.json.error.code).toBe("ServiceUnavailable");
    expect(res.text).not.toContain("db.internal.example");
    expect(created).not.toHaveBeenCalled();
    expect(await signInsOf(IDS.plainUser)).toEqual([]);
  });
});

describe("the OpenAPI description", () => {
  it("lists the routes of My security info as a signed-in user's own", async () => {
    const res = await call(t.app, "GET", "/openapi.json");
    const paths = res.json.paths as Record<string, Record<string, { "x-gatehouse-permission": Record<string, unknown> }>>;
    for (const [path, verb] of [
      ["/v1.0/me/authentication/methods", "get"],
      ["/v1.0/me/authentication/fido2Methods", "get"],
      ["/v1.0/me/authentication/fido2Methods/{id}", "get"],
      ["/v1.0/me/authentication/softwareOathMethods", "get"],
      ["/v1.0/me/authentication/softwareOathMethods/{id}", "get"],
      ["/v1.0/me/authentication/softwareOathMethods/{id}", "delete"],
      ["/v1.0/me/authentication/fido2Methods/{id}", "delete"],
      ["/v1.0/me/authentication/softwareOathMethods/registration", "post"],
      ["/v1.0/me/authentication/softwareOathMethods/registration/{registrationId}/verify", "post"],
      ["/v1.0/me/authentication/fido2Methods/registration", "post"],
      ["/v1.0/me/authentication/fido2Methods/registration/{registrationId}/verify", "post"],
    ] as const) {
      expect(paths[path]?.[verb]?.["x-gatehouse-permission"], `${verb} ${path}`).toMatchObject({
        permission: "authenticationMethods.self",
        signedInUser: true,
        directoryRoles: [],
      });
    }
  });
});
