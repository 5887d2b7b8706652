/**
 * The interactive sign-in with MFA, in-process (app.inject): registration of security info
 * (TOTP, passkeys), second factors, authentication strengths, blocks, report-only policies,
 * the device code flow, the request's real context, and the sign-in record of every step,
 * field by field (R2, R22, R30, R37, R39, R40).
 */
import { GATEHOUSE_MANAGEMENT_API_APP_ID } from "@gatehouse/admin";
import { PHISHING_RESISTANT_MFA_STRENGTH_ID, type SignInLogEntry } from "@gatehouse/engine";
import { ensureSecretKey, finishTotpRegistration, startTotpRegistration } from "@gatehouse/mfa";
import { createServer } from "@gatehouse/server";
import Fastify from "fastify";
import { decodeJwt, type JWK } from "jose";
import { afterEach, beforeEach, describe, expect, it } from "vitest";
import { SoftwareAuthenticator } from "../../mfa/src/test-software-authenticator.js";
import { GATEHOUSE_CLI_APP_ID, GATEHOUSE_PORTAL_APP_ID, registerOidc } from "./index.js";
import { ACR_MFA, ACR_PHISHING_RESISTANT_MFA, ACR_SINGLE_FACTOR } from "./internal/assurance.js";
import { isEmergencyAccessAccount } from "./internal/sign-in-throttle.js";
import {
  backToPortal,
  createUser,
  csrfOf,
  FORM,
  pathOf,
  redeemCode,
  resultOf,
  setPolicyState,
  shownSecret,
  signInsOf,
  startPortalSignIn,
  type TestBrowser,
  testBrowser,
  totpAt,
  webauthnOptionsOf,
} from "./test-sign-in.js";
import { addPolicy, createOidcTestTenant, form, ISSUER, type OidcTestTenant } from "./test-tenant.js";

const ORIGIN = new URL(ISSUER).origin;
const RP_ID = new URL(ISSUER).hostname;
const PASSWORD = "a long enough password for tests";
const ANDROID_FIREFOX = "Mozilla/5.0 (Android 14; Mobile; rv:131.0) Gecko/131.0 Firefox/131.0";

let t: OidcTestTenant;
/** The init's "Require multifactor authentication for Gatehouse management" (report-only until a test turns it on). */
let headlinePolicyId: string;
beforeEach(async () => {
  t = await createOidcTestTenant();
  headlinePolicyId = t.init.managementMfaPolicy.id;
});
afterEach(async () => {
  await t.close();
});

const browser = (options: Parameters<typeof testBrowser>[1] = {}) => testBrowser(() => t.app, options);

/** The fields of issue 4 item 5 common to every record of a portal sign-in from the test browser. */
function expectPortalRecord(record: SignInLogEntry | undefined, userId: string, correlationId: string) {
  expect(record).toBeDefined();
  expect(record).toMatchObject({
    userId,
    appId: GATEHOUSE_PORTAL_APP_ID,
    appDisplayName: "Gatehouse Portal",
    ipAddress: "127.0.0.1",
    clientAppUsed: "Browser",
    correlationId,
    isInteractive: true,
    location: { countryOrRegion: "" },
    deviceDetail: { operatingSystem: "Windows 10", browser: "Chrome 130.0.6723.58", isCompliant: false, deviceId: "" },
    originalTransferMethod: "none",
  });
  expect(Number.isNaN(Date.parse(record?.createdDateTime ?? ""))).toBe(false);
}

async function login(b: TestBrowser, username: string, password = PASSWORD, extra: Record<string, string> = {}) {
  const { signInPath, csrf } = await startPortalSignIn(b, extra);
  const res = await b.post(`${signInPath}/login`, { csrf, username, password });
  return { signInPath, csrf, res };
}

async function registerTotpWithStore(userId: string): Promise<string> {
  const { secret } = startTotpRegistration({ accountName: "x" });
  const result = await finishTotpRegistration(t.store, await ensureSecretKey(t.store), {
    userId,
    secret,
    code: await totpAt(secret, new Date(Date.now() - 60_000)),
    displayName: "Phone",
    now: new Date(Date.now() - 60_000),
  });
  expect(result.ok).toBe(true);
  return secret;
}

describe("the headline policy: Require MFA for Gatehouse management", () => {
  beforeEach(async () => {
    await setPolicyState(t.store, headlinePolicyId, "enabled");
  });

  it("takes a user without a method through TOTP registration, then issues tokens with amr otp+mfa (three records)", async () => {
    const ada = await createUser(t.store, "ada@contoso.test", PASSWORD);
    const b = browser();
    const { signInPath, csrf, res } = await login(b, "ada@contoso.test");
    expect(res.statusCode).toBe(200);
    expect(res.body).toContain("More information required");
    expect(res.body).toContain("register/totp/start");
    expect(res.body).toContain("register/passkey/start");
    expect(res.headers["content-security-policy"]).toContain("script-src 'self'");

    const setup = await b.post(`${signInPath}/register/totp/start`, { csrf });
    expect(setup.statusCode).toBe(200);
    const secret = shownSecret(setup.body);
    expect(setup.body).toContain("otpauth://totp/");
    const wrong = await b.post(`${signInPath}/register/totp`, {
      csrf,
      code: "000000" === (await totpAt(secret, new Date())) ? "111111" : "000000",
    });
    expect(wrong.body).toContain("That code is not right");
    expect(shownSecret(wrong.body)).toBe(secret);
    const done = await b.post(`${signInPath}/register/totp`, { csrf, code: await totpAt(secret, new Date()) });
    const back = await backToPortal(b, done);
    const { accessToken, idToken } = await redeemCode(t.app, back.searchParams.get("code") as string);
    expect(accessToken).toMatchObject({ sub: ada.id, aud: GATEHOUSE_MANAGEMENT_API_APP_ID, amr: ["pwd", "otp", "mfa"], acr: ACR_MFA });
    expect(idToken).toMatchObject({ sub: ada.id, amr: ["pwd", "otp", "mfa"], acr: ACR_MFA });
    expect(await t.store.authenticationMethods.listForUser(ada.id)).toMatchObject([{ methodType: "softwareOath" }]);

    const records = await signInsOf(t.store, ada.id);
    expect(records).toHaveLength(3);
    const correlationId = records[0]?.correlationId as string;
    const [interrupted, registration, completed] = [
      records.find((r) => r.status.errorCode === 50074),
      records.find((r) => r.resourceId === null),
      records.find((r) => r.status.errorCode === 0 && r.resourceId !== null),
    ];
    for (const r of records) expectPortalRecord(r, ada.id, correlationId);
    expect(interrupted).toMatchObject({
      resourceId: GATEHOUSE_MANAGEMENT_API_APP_ID,
      resourceDisplayName: "Gatehouse Management API",
      conditionalAccessStatus: "failure",
      status: { errorCode: 50074, failureReason: "Strong Authentication is required." },
      authenticationRequirement: "multiFactorAuthentication",
      authenticationMethodsUsed: ["Password"],
    });
    expect(interrupted?.appliedConditionalAccessPolicies.find((p) => p.id === headlinePolicyId)).toMatchObject({
      result: "failure",
      enforcedGrantControls: ["Require multifactor authentication"],
    });
    // Registration is the user action, judged on its own (no policy targets it here).
    expect(registration).toMatchObject({
      resourceDisplayName: "Security info registration",
      conditionalAccessStatus: "notApplied",
      status: { errorCode: 0 },
      authenticationMethodsUsed: ["Password"],
    });
    expect(completed).toMatchObject({
      resourceId: GATEHOUSE_MANAGEMENT_API_APP_ID,
      conditionalAccessStatus: "success",
      status: { errorCode: 0, additionalDetails: "MFA requirement satisfied by claim in the token" },
      authenticationRequirement: "multiFactorAuthentication",
      authenticationMethodsUsed: ["Password", "App Verification code"],
    });
    expect(resultOf(completed, headlinePolicyId)).toBe("success");
  });

  it("asks a user with TOTP for a code, refuses a replayed code, and accepts the next one", async () => {
    const ada = await createUser(t.store, "ada@contoso.test", PASSWORD);
    const secret = await registerTotpWithStore(ada.id);
    const b = browser();
    const { signInPath, csrf, res } = await login(b, "ada@contoso.test");
    expect(res.body).toContain("Verify your identity");
    expect(res.body).toContain("/totp");
    expect(res.body).not.toContain("Use my passkey");
    const code = await totpAt(secret, new Date());
    const first = await b.post(`${signInPath}/totp`, { csrf, code });
    const back = await backToPortal(b, first);
    expect((await redeemCode(t.app, back.searchParams.get("code") as string)).accessToken).toMatchObject({
      amr: ["pwd", "otp", "mfa"],
      acr: ACR_MFA,
    });

    // The same code in a new sign-in: replayed.
    const b2 = browser();
    const second = await login(b2, "ada@contoso.test");
    expect(second.res.body).toContain("Verify your identity");
    const replay = await b2.post(`${second.signInPath}/totp`, { csrf: second.csrf, code });
    expect(replay.statusCode).toBe(200);
    expect(replay.body).toContain("already used");
    const next = await b2.post(`${second.signInPath}/totp`, {
      csrf: second.csrf,
      code: await totpAt(secret, new Date(Date.now() + 30_000)),
    });
    expect(next.statusCode).toBe(303);

    const records = await signInsOf(t.store, ada.id);
    const failed = records.filter((r) => r.status.errorCode === 500121);
    expect(failed).toHaveLength(1);
    expect(failed[0]).toMatchObject({
      conditionalAccessStatus: "notApplied",
      status: { additionalDetails: "The code was already used (replay refused)." },
      authenticationMethodsUsed: ["Password", "App Verification code"],
      appliedConditionalAccessPolicies: [],
    });
  });

  it("refuses forms without the anti-CSRF token, and steps the sign-in is not at", async () => {
    await createUser(t.store, "ada@contoso.test", PASSWORD);
    const b = browser();
    const { signInPath, csrf } = await login(b, "ada@contoso.test");
    expect((await b.post(`${signInPath}/register/totp/start`, { csrf: "forged" })).statusCode).toBe(403);
    expect((await b.post(`${signInPath}/register/totp/start`, {})).statusCode).toBe(403);
    // Registration is offered, not a code: the code step is refused.
    const skipped = await b.post(`${signInPath}/totp`, { csrf, code: "123456" });
    expect(skipped.statusCode).toBe(409);
    expect((await b.post(`${signInPath}/continue`, { csrf })).statusCode).toBe(400);
    // Another browser (no interaction cookie) gets nothing.
    expect((await browser().post(`${signInPath}/register/totp/start`, { csrf })).statusCode).toBe(400);
  });

  it("lets the emergency-access account and a user outside the policy in with the password only", async () => {
    const breakGlass = t.init.emergencyAccess.accounts[0];
    if (breakGlass === undefined) throw new Error("no emergency-access account");
    const b = browser();
    const { res } = await login(b, breakGlass.userPrincipalName, breakGlass.password);
    const back = await backToPortal(b, res);
    const { accessToken, idToken } = await redeemCode(t.app, back.searchParams.get("code") as string);
    expect(accessToken).toMatchObject({ amr: ["pwd"], acr: ACR_SINGLE_FACTOR });
    expect(idToken).toMatchObject({ amr: ["pwd"], acr: ACR_SINGLE_FACTOR });
    const user = await t.store.users.getByUserPrincipalName(breakGlass.userPrincipalName);
    const [record] = await signInsOf(t.store, user?.id as string);
    expect(record).toMatchObject({
      conditionalAccessStatus: "notApplied",
      status: { errorCode: 0 },
      authenticationRequirement: "singleFactorAuthentication",
    });
    expect(resultOf(record, headlinePolicyId)).toBe("notApplied");
  });
});

describe("step-up asked by the application (acr_values)", () => {
  // The headline policy stays report-only here: Conditional Access alone lets a password in.
  it("asks a TOTP user for a code when the application asks for urn:gatehouse:acr:mfa, then issues acr mfa", async () => {
    const ada = await createUser(t.store, "ada@contoso.test", PASSWORD);
    const secret = await registerTotpWithStore(ada.id);
    const b = browser();
    const { signInPath, csrf, res } = await login(b, "ada@contoso.test", PASSWORD, { acr_values: ACR_MFA });
    expect(res.statusCode).toBe(200);
    expect(res.body).toContain("The application asks for multifactor authentication");
    const done = await b.post(`${signInPath}/totp`, { csrf, code: await totpAt(secret, new Date()) });
    const back = await backToPortal(b, done);
    const { accessToken, idToken } = await redeemCode(t.app, back.searchParams.get("code") as string);
    expect(accessToken).toMatchObject({ amr: ["pwd", "otp", "mfa"], acr: ACR_MFA });
    expect(idToken).toMatchObject({ acr: ACR_MFA });
  });

  it("is satisfied by any stronger value, and ignores values that are not ours", async () => {
    const ada = await createUser(t.store, "ada@contoso.test", PASSWORD);
    await registerTotpWithStore(ada.id);
    for (const acrValues of [ACR_SINGLE_FACTOR, `${ACR_PHISHING_RESISTANT_MFA} ${ACR_SINGLE_FACTOR}`, "urn:example:gold"]) {
      const b = browser();
      const { res } = await login(b, "ada@contoso.test", PASSWORD, { acr_values: acrValues });
      const back = await backToPortal(b, res);
      expect((await redeemCode(t.app, back.searchParams.get("code") as string)).accessToken).toMatchObject({ acr: ACR_SINGLE_FACTOR });
    }
  });

  it("makes a TOTP user prove TOTP before registering the passkey phishing-resistant MFA needs", async () => {
    const ada = await createUser(t.store, "ada@contoso.test", PASSWORD);
    const secret = await registerTotpWithStore(ada.id);
    const b = browser();
    const { signInPath, csrf, res } = await login(b, "ada@contoso.test", PASSWORD, { acr_values: ACR_PHISHING_RESISTANT_MFA });
    // A password alone never adds a method to an account that has one.
    expect(res.body).toContain("before you register a new one");
    expect((await b.post(`${signInPath}/register/passkey/start`, { csrf })).statusCode).toBe(409);
    const proved = await b.post(`${signInPath}/totp`, { csrf, code: await totpAt(secret, new Date()) });
    expect(proved.statusCode).toBe(200);
    expect(proved.body).toContain("phishing-resistant multifactor authentication");
    expect(proved.body).toContain("register/passkey/start");
    expect(proved.body).not.toContain("register/totp/start");
  });
});

describe("authentication strengths and passkeys", () => {
  let strengthPolicyId: string;
  beforeEach(async () => {
    strengthPolicyId = await addPolicy(t.store, {
      displayName: "CA10 - Management - Phishing-resistant MFA",
      state: "enabled",
      conditions: {
        clientAppTypes: ["all"],
        users: { includeUsers: ["All"], excludeGroups: [t.init.emergencyAccess.groupId] },
        applications: { includeApplications: [GATEHOUSE_MANAGEMENT_API_APP_ID] },
      },
      grantControls: { operator: "OR", authenticationStrength: { id: PHISHING_RESISTANT_MFA_STRENGTH_ID } },
    });
  });

  it("offers only a passkey to a TOTP user, registers it, and signs in with it next time (amr hwk, acr phr)", async () => {
    const bob = await createUser(t.store, "bob@contoso.test", PASSWORD);
    const secret = await registerTotpWithStore(bob.id);
    const authenticator = new SoftwareAuthenticator();
    const b = browser();
    const { signInPath, csrf, res: first } = await login(b, "bob@contoso.test");
    // Bob has a method: he proves it before he adds another (a password alone registers nothing).
    expect(first.body).toContain("Verify your identity with a method you already have");
    const res = await b.post(`${signInPath}/totp`, { csrf, code: await totpAt(secret, new Date()) });
    // TOTP does not satisfy phishing-resistant MFA: registration, of a passkey only.
    expect(res.body).toContain("More information required");
    expect(res.body).toContain("register/passkey/start");
    expect(res.body).not.toContain("register/totp/start");
    expect((await b.post(`${signInPath}/register/totp/start`, { csrf })).statusCode).toBe(409);
    const start = await b.post(`${signInPath}/register/passkey/start`, { csrf });
    expect(start.body).toContain(`src="/signin/assets/webauthn.js"`);
    const options = webauthnOptionsOf(start.body) as { challenge: string; rp: { id: string }; user: { name: string } };
    expect(options.rp.id).toBe(RP_ID);
    expect(options.user.name).toBe("bob@contoso.test");
    // An answer for another origin is refused.
    const phished = await b.post(`${signInPath}/register/passkey`, {
      csrf,
      response: JSON.stringify(authenticator.register({ challenge: options.challenge, origin: "https://evil.example", rpId: RP_ID })),
    });
    expect(phished.body).toContain("could not be registered");
    const again = await b.post(`${signInPath}/register/passkey/start`, { csrf });
    const fresh = webauthnOptionsOf(again.body);
    const registered = await b.post(`${signInPath}/register/passkey`, {
      csrf,
      response: JSON.stringify(authenticator.register({ challenge: fresh.challenge, origin: ORIGIN, rpId: RP_ID })),
    });
    const back = await backToPortal(b, registered);
    const tokens = await redeemCode(t.app, back.searchParams.get("code") as string);
    expect(tokens.accessToken).toMatchObject({ amr: ["pwd", "otp", "hwk", "mfa"], acr: ACR_PHISHING_RESISTANT_MFA });
    const records = await signInsOf(t.store, bob.id);
    const strengthResults = records
      .filter((r) => r.resourceId !== null)
      .map(
        (r) =>
          r.appliedConditionalAccessPolicies.find((p) => p.id === strengthPolicyId)?.authenticationStrength?.authenticationStrengthResult,
      )
      .sort();
    // Interrupted after the password, again after TOTP (not phishing-resistant), then satisfied.
    expect(strengthResults).toEqual(["satisfied", "singleChallengeRequired", "singleChallengeRequired"]);

    // Next sign-in: the passkey page; a replayed assertion (counter not grown) is refused.
    const b2 = browser();
    const second = await login(b2, "bob@contoso.test");
    expect(second.res.body).toContain("Use my passkey");
    expect(second.res.body).not.toContain("authenticator app</h2>");
    const challenge = webauthnOptionsOf(second.res.body).challenge;
    const assertion = authenticator.authenticate({ challenge, origin: ORIGIN, rpId: RP_ID });
    const ok = await b2.post(`${second.signInPath}/passkey`, { csrf: second.csrf, response: JSON.stringify(assertion) });
    const back2 = await backToPortal(b2, ok);
    expect((await redeemCode(t.app, back2.searchParams.get("code") as string)).accessToken).toMatchObject({
      amr: ["pwd", "hwk", "mfa"],
      acr: ACR_PHISHING_RESISTANT_MFA,
    });
    const b3 = browser();
    const third = await login(b3, "bob@contoso.test");
    const cloned = authenticator.authenticate({
      challenge: webauthnOptionsOf(third.res.body).challenge,
      origin: ORIGIN,
      rpId: RP_ID,
      step: 0,
    });
    const refused = await b3.post(`${third.signInPath}/passkey`, { csrf: third.csrf, response: JSON.stringify(cloned) });
    expect(refused.body).toContain("could not be verified");
    // The challenge is used once: the same answer again is refused too.
    const replayed = await b3.post(`${third.signInPath}/passkey`, { csrf: third.csrf, response: JSON.stringify(assertion) });
    expect(replayed.body).toContain("could not be verified");
  });

  it("blocks when registration itself requires MFA and the user has no method (R37)", async () => {
    await addPolicy(t.store, {
      displayName: "CA11 - Register security info - Require MFA",
      state: "enabled",
      conditions: {
        clientAppTypes: ["all"],
        users: { includeUsers: ["All"] },
        applications: { includeUserActions: ["urn:user:registersecurityinfo"] },
      },
      grantControls: { operator: "OR", builtInControls: ["mfa"] },
    });
    const carol = await createUser(t.store, "carol@contoso.test", PASSWORD);
    const b = browser();
    const { signInPath, csrf, res } = await login(b, "carol@contoso.test");
    expect(res.body).toContain("You cannot access this right now");
    expect(res.body).toContain('id="error-code">AADSTS50074<');
    const records = await signInsOf(t.store, carol.id);
    expect(records).toHaveLength(2);
    const correlationId = records[0]?.correlationId as string;
    expect(res.body).toContain(`id="correlation-id">${correlationId}<`);
    expect(records.find((r) => r.resourceId === null)).toMatchObject({ conditionalAccessStatus: "failure", status: { errorCode: 50074 } });
    const back = await backToPortal(b, await b.post(`${signInPath}/continue`, { csrf }));
    expect(back.searchParams.get("error")).toBe("access_denied");
    expect(back.searchParams.get("error_description")).toContain(`AADSTS50074`);
    expect(back.searchParams.get("error_description")).toContain(correlationId);
  });

  it("asks for TOTP first when registration requires MFA, then registers the passkey", async () => {
    await addPolicy(t.store, {
      displayName: "CA11 - Register security info - Require MFA",
      state: "enabled",
      conditions: {
        clientAppTypes: ["all"],
        users: { includeUsers: ["All"] },
        applications: { includeUserActions: ["urn:user:registersecurityinfo"] },
      },
      grantControls: { operator: "OR", builtInControls: ["mfa"] },
    });
    const dan = await createUser(t.store, "dan@contoso.test", PASSWORD);
    const secret = await registerTotpWithStore(dan.id);
    const b = browser();
    const { signInPath, csrf, res } = await login(b, "dan@contoso.test");
    expect(res.body).toContain("Verify your identity before you register");
    const verified = await b.post(`${signInPath}/totp`, { csrf, code: await totpAt(secret, new Date()) });
    expect(verified.statusCode).toBe(200);
    expect(verified.body).toContain("register/passkey/start");
    const start = await b.post(`${signInPath}/register/passkey/start`, { csrf });
    const authenticator = new SoftwareAuthenticator();
    const done = await b.post(`${signInPath}/register/passkey`, {
      csrf,
      response: JSON.stringify(authenticator.register({ challenge: webauthnOptionsOf(start.body).challenge, origin: ORIGIN, rpId: RP_ID })),
    });
    const back = await backToPortal(b, done);
    expect((await redeemCode(t.app, back.searchParams.get("code") as string)).accessToken).toMatchObject({
      amr: ["pwd", "otp", "hwk", "mfa"],
      acr: ACR_PHISHING_RESISTANT_MFA,
    });
  });
});

describe("blocks and report-only policies", () => {
  it("shows AADSTS53003 and the correlation id for a block, then returns access_denied", async () => {
    const bob = await createUser(t.store, "bob@contoso.test", PASSWORD);
    const blockId = await addPolicy(t.store, {
      displayName: "CA02 - Bob - Block",
      state: "enabled",
      conditions: { clientAppTypes: ["all"], users: { includeUsers: [bob.id] }, applications: { includeApplications: ["All"] } },
      grantControls: { operator: "OR", builtInControls: ["block"] },
    });
    const b = browser({ headers: { "client-request-id": "6f1d1c0e-0000-4000-8000-0000000000aa" } });
    const { signInPath, csrf, res } = await login(b, "bob@contoso.test");
    expect(res.statusCode).toBe(200);
    expect(res.body).toContain('id="error-code">AADSTS53003<');
    expect(res.body).toContain('id="correlation-id">6f1d1c0e-0000-4000-8000-0000000000aa<');
    const back = await backToPortal(b, await b.post(`${signInPath}/continue`, { csrf }));
    expect(back.searchParams.get("error")).toBe("access_denied");
    expect(back.searchParams.get("error_description")).toMatch(/^AADSTS53003: .*Correlation ID: 6f1d1c0e-0000-4000-8000-0000000000aa$/);
    const [record] = await signInsOf(t.store, bob.id);
    expectPortalRecord(record, bob.id, "6f1d1c0e-0000-4000-8000-0000000000aa");
    expect(record).toMatchObject({
      conditionalAccessStatus: "failure",
      status: { errorCode: 53003 },
      authenticationRequirement: "singleFactorAuthentication",
    });
    expect(record?.appliedConditionalAccessPolicies.find((p) => p.id === blockId)).toMatchObject({
      result: "failure",
      enforcedGrantControls: ["Block"],
    });
  });

  it("never prompts nor blocks for report-only policies, and logs them (reportOnlyInterrupted, reportOnlyFailure)", async () => {
    const eve = await createUser(t.store, "eve@contoso.test", PASSWORD);
    const reportOnlyBlock = await addPolicy(t.store, {
      displayName: "CA20 - Report-only block",
      state: "enabledForReportingButNotEnforced",
      conditions: { clientAppTypes: ["all"], users: { includeUsers: [eve.id] }, applications: { includeApplications: ["All"] } },
      grantControls: { operator: "OR", builtInControls: ["block"] },
    });
    const b = browser();
    const { res } = await login(b, "eve@contoso.test");
    const back = await backToPortal(b, res);
    expect((await redeemCode(t.app, back.searchParams.get("code") as string)).accessToken).toMatchObject({
      amr: ["pwd"],
      acr: ACR_SINGLE_FACTOR,
    });
    const records = await signInsOf(t.store, eve.id);
    expect(records).toHaveLength(1);
    expect(records[0]).toMatchObject({ conditionalAccessStatus: "notApplied", status: { errorCode: 0 } });
    expect(resultOf(records[0], headlinePolicyId)).toBe("reportOnlyInterrupted");
    expect(resultOf(records[0], reportOnlyBlock)).toBe("reportOnlyFailure");
  });

  it("refuses what this service cannot satisfy (a compliant device) with the engine's error code", async () => {
    const fay = await createUser(t.store, "fay@contoso.test", PASSWORD);
    await addPolicy(t.store, {
      displayName: "CA30 - Fay - MFA and compliant device",
      state: "enabled",
      conditions: { clientAppTypes: ["all"], users: { includeUsers: [fay.id] }, applications: { includeApplications: ["All"] } },
      grantControls: { operator: "AND", builtInControls: ["mfa", "compliantDevice"] },
    });
    const { res } = await login(browser(), "fay@contoso.test");
    expect(res.body).toContain("You cannot access this right now");
    const [record] = (await signInsOf(t.store, fay.id)).filter((r) => r.resourceId !== null);
    expect(res.body).toContain(`AADSTS${record?.status.errorCode}`);
  });
});

describe("the device code flow of the CLI with MFA (R30)", () => {
  async function deviceSignIn(b: TestBrowser) {
    const start = await t.app.inject({
      method: "POST",
      url: "/oauth2/device/auth",
      headers: FORM,
      payload: form({ client_id: GATEHOUSE_CLI_APP_ID, scope: "openid api://gatehouse-management/.default" }),
    });
    const { user_code, device_code } = start.json() as { user_code: string; device_code: string };
    const entry = await b.get("/oauth2/device");
    const xsrf = /name="xsrf" value="([^"]+)"/.exec(entry.body)?.[1] as string;
    const confirmPage = await b.post("/oauth2/device", { xsrf, user_code });
    const hidden = Object.fromEntries(
      [...confirmPage.body.matchAll(/<input type="hidden" name="([^"]+)" value="([^"]*)"/g)].map((m) => [m[1] as string, m[2] as string]),
    );
    const confirm = await b.post("/oauth2/device", { ...hidden, confirm: "yes" });
    const signInPath = pathOf(confirm.headers.location);
    const formPage = await b.get(signInPath);
    const poll = () =>
      t.app.inject({
        method: "POST",
        url: "/oauth2/token",
        headers: FORM,
        payload: form({ grant_type: "urn:ietf:params:oauth:grant-type:device_code", client_id: GATEHOUSE_CLI_APP_ID, device_code }),
      });
    return { signInPath, csrf: csrfOf(formPage.body), poll };
  }

  it("asks for the code, completes the device code, and logs desktop client and deviceCodeFlow", async () => {
    await setPolicyState(t.store, headlinePolicyId, "enabled");
    const ada = await createUser(t.store, "ada@contoso.test", PASSWORD);
    const secret = await registerTotpWithStore(ada.id);
    const b = browser({ userAgent: ANDROID_FIREFOX });
    const { signInPath, csrf, poll } = await deviceSignIn(b);
    const login = await b.post(`${signInPath}/login`, { csrf, username: "ada@contoso.test", password: PASSWORD });
    expect(login.body).toContain("Verify your identity");
    expect((await poll()).json()).toMatchObject({ error: "authorization_pending" });
    const verified = await b.post(`${signInPath}/totp`, { csrf, code: await totpAt(secret, new Date()) });
    expect(verified.statusCode).toBe(303);
    expect((await b.get(pathOf(verified.headers.location))).statusCode).toBe(200);
    const tokens = await poll();
    expect(tokens.statusCode).toBe(200);
    const body = tokens.json() as { access_token: string; id_token: string };
    expect(decodeJwt(body.access_token)).toMatchObject({ azp: GATEHOUSE_CLI_APP_ID, amr: ["pwd", "otp", "mfa"], acr: ACR_MFA });
    expect(decodeJwt(body.id_token)).toMatchObject({ amr: ["pwd", "otp", "mfa"], acr: ACR_MFA });
    const records = await signInsOf(t.store, ada.id);
    expect(records).toHaveLength(2);
    for (const record of records) {
      expect(record).toMatchObject({
        appId: GATEHOUSE_CLI_APP_ID,
        resourceId: GATEHOUSE_MANAGEMENT_API_APP_ID,
        clientAppUsed: "Mobile Apps and Desktop clients",
        originalTransferMethod: "deviceCodeFlow",
        deviceDetail: { operatingSystem: "Android 14", browser: "Firefox 131.0" },
        correlationId: records[0]?.correlationId,
      });
    }
    expect(records.map((r) => r.status.errorCode).sort()).toEqual([0, 50074]);
  });

  it("is stopped by a policy on the device code authentication flow, which a browser sign-in is not", async () => {
    const gus = await createUser(t.store, "gus@contoso.test", PASSWORD);
    await addPolicy(t.store, {
      displayName: "CA40 - Block device code flow",
      state: "enabled",
      conditions: {
        clientAppTypes: ["all"],
        users: { includeUsers: [gus.id] },
        applications: { includeApplications: ["All"] },
        authenticationFlows: { transferMethods: "deviceCodeFlow" },
      },
      grantControls: { operator: "OR", builtInControls: ["block"] },
    });
    const b = browser();
    const { signInPath, csrf, poll } = await deviceSignIn(b);
    const refused = await b.post(`${signInPath}/login`, { csrf, username: "gus@contoso.test", password: PASSWORD });
    expect(refused.body).toContain('id="error-code">AADSTS53003<');
    const denied = await b.post(`${signInPath}/continue`, { csrf });
    await b.get(pathOf(denied.headers.location));
    expect((await poll()).json()).toMatchObject({ error: "access_denied" });
    const browserSignIn = browser();
    const { res } = await login(browserSignIn, "gus@contoso.test");
    expect((await backToPortal(browserSignIn, res)).searchParams.get("code")).toBeTruthy();
  });
});

describe("the request's context and protection against guessing", () => {
  it("logs failed passwords (50126, unknown accounts 50034) and locks the account after 10 failures (50053), right password included", async () => {
    const hal = await createUser(t.store, "hal@contoso.test", PASSWORD);
    const b = browser();
    const { signInPath, csrf } = await startPortalSignIn(b);
    const unknown = await b.post(`${signInPath}/login`, { csrf, username: "nobody@contoso.test", password: PASSWORD });
    expect(unknown.body).toContain("Your account or password is incorrect.");
    for (let i = 0; i < 10; i++) {
      const wrong = await b.post(`${signInPath}/login`, { csrf, username: "hal@contoso.test", password: `wrong ${i}` });
      expect(wrong.statusCode).toBe(200);
    }
    const locked = await b.post(`${signInPath}/login`, { csrf, username: "hal@contoso.test", password: PASSWORD });
    expect(locked.statusCode).toBe(429);
    expect(locked.body).toContain("AADSTS50053");
    // From another address too: the account (not emergency access) is locked.
    const elsewhere = browser({ remoteAddress: "198.51.100.20" });
    const other = await startPortalSignIn(elsewhere);
    expect(
      (await elsewhere.post(`${other.signInPath}/login`, { csrf: other.csrf, username: "hal@contoso.test", password: PASSWORD }))
        .statusCode,
    ).toBe(429);

    const records = await signInsOf(t.store, hal.id);
    expect(records.filter((r) => r.status.errorCode === 50126)).toHaveLength(10);
    expect(records.filter((r) => r.status.errorCode === 50053)).toHaveLength(2);
    const failed = records.find((r) => r.status.errorCode === 50126);
    expect(failed).toMatchObject({
      userPrincipalName: "hal@contoso.test",
      appId: GATEHOUSE_PORTAL_APP_ID,
      resourceId: GATEHOUSE_MANAGEMENT_API_APP_ID,
      conditionalAccessStatus: "notApplied",
      appliedConditionalAccessPolicies: [],
      clientAppUsed: "Browser",
      ipAddress: "127.0.0.1",
      authenticationMethodsUsed: ["Password"],
      authenticationRequirement: "singleFactorAuthentication",
      originalTransferMethod: "none",
      status: { failureReason: "Error validating credentials due to invalid username or password." },
    });
    const all = (await t.store.signIns.list({})).value as SignInLogEntry[];
    expect(all.find((r) => r.status.errorCode === 50034)).toMatchObject({ userId: null, userPrincipalName: "nobody@contoso.test" });
  });

  it("locks the code step after 5 wrong codes, the right code included (50053)", async () => {
    await setPolicyState(t.store, headlinePolicyId, "enabled");
    const jo = await createUser(t.store, "jo@contoso.test", PASSWORD);
    const secret = await registerTotpWithStore(jo.id);
    const b = browser();
    const { signInPath, csrf } = await login(b, "jo@contoso.test");
    const right = await totpAt(secret, new Date());
    const wrongCode = right === "000000" ? "000001" : "000000";
    for (let i = 0; i < 5; i++) expect((await b.post(`${signInPath}/totp`, { csrf, code: wrongCode })).body).toContain("not right");
    const locked = await b.post(`${signInPath}/totp`, { csrf, code: right });
    expect(locked.statusCode).toBe(429);
    expect(locked.body).toContain("AADSTS50053");
    const records = await signInsOf(t.store, jo.id);
    expect(records.filter((r) => r.status.errorCode === 500121)).toHaveLength(5);
    expect(records.filter((r) => r.status.errorCode === 50053)).toHaveLength(1);
  });

  it("throttles an address that sprays passwords across accounts, whatever account it tries next", async () => {
    const kai = await createUser(t.store, "kai@contoso.test", PASSWORD);
    const sprayer = browser({ remoteAddress: "203.0.113.99" });
    const { signInPath, csrf } = await startPortalSignIn(sprayer);
    for (let i = 0; i < 50; i++)
      await sprayer.post(`${signInPath}/login`, { csrf, username: `user${i}@contoso.test`, password: "Summer2026!" });
    const blocked = await sprayer.post(`${signInPath}/login`, { csrf, username: "kai@contoso.test", password: PASSWORD });
    expect(blocked.statusCode).toBe(429);
    expect(blocked.body).toContain("from your network");
    // Kai, elsewhere, is not affected.
    const home = browser({ remoteAddress: "192.0.2.44" });
    expect((await backToPortal(home, (await login(home, "kai@contoso.test")).res)).searchParams.get("code")).toBeTruthy();
    expect((await signInsOf(t.store, kai.id)).map((r) => r.status.errorCode).sort()).toEqual([0, 50053]);
  });

  it("never locks an emergency-access account out from elsewhere: only the attacker's address is throttled", async () => {
    const breakGlass = t.init.emergencyAccess.accounts[1];
    if (breakGlass === undefined) throw new Error("no emergency-access account");
    const attacker = browser({ remoteAddress: "203.0.113.66" });
    const { signInPath, csrf } = await startPortalSignIn(attacker);
    for (let i = 0; i < 10; i++)
      await attacker.post(`${signInPath}/login`, { csrf, username: breakGlass.userPrincipalName, password: `guess ${i}` });
    const attackerRight = await attacker.post(`${signInPath}/login`, {
      csrf,
      username: breakGlass.userPrincipalName,
      password: breakGlass.password,
    });
    expect(attackerRight.statusCode).toBe(429);
    const admin = browser({ remoteAddress: "192.0.2.10" });
    const { res } = await login(admin, breakGlass.userPrincipalName, breakGlass.password);
    expect((await backToPortal(admin, res)).searchParams.get("code")).toBeTruthy();
  });

  it("takes the client address from X-Forwarded-For of a trusted proxy only, with its country", async () => {
    await t.app.close();
    t.app = await createServer({
      store: t.store,
      oidc: { issuer: ISSUER, trustedProxies: ["10.0.0.0/8"] },
      rateLimitPerMinute: 0,
      signInRetentionIntervalMs: 0,
      lookupCountry: (ip) => (ip === "203.0.113.7" ? "NL" : null),
    });
    const ivy = await createUser(t.store, "ivy@contoso.test", PASSWORD);
    const viaProxy = browser({ remoteAddress: "10.1.2.3", headers: { "x-forwarded-for": "192.0.2.99, 203.0.113.7" } });
    await backToPortal(viaProxy, (await login(viaProxy, "ivy@contoso.test")).res);
    const direct = browser({ remoteAddress: "198.51.100.5", headers: { "x-forwarded-for": "203.0.113.7" } });
    await backToPortal(direct, (await login(direct, "ivy@contoso.test")).res);
    const records = await signInsOf(t.store, ivy.id);
    expect(records.map((r) => [r.ipAddress, r.location.countryOrRegion]).sort()).toEqual([
      ["198.51.100.5", ""],
      ["203.0.113.7", "NL"],
    ]);
  });
});

describe("emergency-access accounts and the discovery document", () => {
  it("finds emergency-access accounts through nested groups, and only them", async () => {
    const outer = t.init.emergencyAccess.groupId;
    const nested = await t.store.groups.create({ displayName: "Break glass, nested" });
    await t.store.groups.addMember(outer, nested.id);
    const kim = await createUser(t.store, "kim@contoso.test", PASSWORD);
    await t.store.groups.addMember(nested.id, kim.id);
    const lee = await createUser(t.store, "lee@contoso.test", PASSWORD);
    expect(await isEmergencyAccessAccount(t.store, kim.id)).toBe(true);
    expect(await isEmergencyAccessAccount(t.store, lee.id)).toBe(false);
    expect(await isEmergencyAccessAccount(t.store, t.init.admin.id)).toBe(false);
  });

  it("publishes the acr values", async () => {
    const discovery = await t.app.inject({ method: "GET", url: "/oauth2/.well-known/openid-configuration" });
    expect(discovery.json()).toMatchObject({ acr_values_supported: [ACR_SINGLE_FACTOR, ACR_MFA, ACR_PHISHING_RESISTANT_MFA] });
  });
});

describe("cookies", () => {
  it("are httpOnly and SameSite=Lax, and Secure behind a trusted TLS proxy of an https issuer", async () => {
    await t.app.close();
    t.app = await createServer({
      store: t.store,
      oidc: { issuer: "https://login.contoso.test/oauth2", trustedProxies: ["10.0.0.0/8"] },
      rateLimitPerMinute: 0,
      signInRetentionIntervalMs: 0,
    });
    await t.store.applications.update(t.init.applications.portal.applicationId, {
      redirectUris: ["https://portal.contoso.test/auth/callback"],
    });
    const authorizeUrl = `/oauth2/auth?${form({
      client_id: GATEHOUSE_PORTAL_APP_ID,
      response_type: "code",
      redirect_uri: "https://portal.contoso.test/auth/callback",
      scope: "openid api://gatehouse-management/.default",
      code_challenge: "E9Melhoa2OwvFrEMTJguCHaoeK1t8URWbuGJSstw-cM",
      code_challenge_method: "S256",
    })}`;
    const authorize = await t.app.inject({
      method: "GET",
      url: authorizeUrl,
      remoteAddress: "10.0.0.1",
      headers: { "x-forwarded-proto": "https", "x-forwarded-for": "203.0.113.1" },
    });
    expect(authorize.statusCode).toBe(303);
    const cookies = ([] as string[]).concat(authorize.headers["set-cookie"] ?? []);
    expect(cookies.length).toBeGreaterThan(0);
    for (const cookie of cookies) {
      expect(cookie).toMatch(/; secure/i);
      expect(cookie).toMatch(/; httponly/i);
      expect(cookie).toMatch(/; samesite=lax/i);
    }
    // A direct client (not a trusted proxy) cannot claim https: its forwarding headers are dropped,
    // so the provider sees plain http (no Secure cookie).
    const direct = await t.app.inject({
      method: "GET",
      url: authorizeUrl,
      remoteAddress: "198.51.100.7",
      headers: { "x-forwarded-proto": "https", "x-forwarded-for": "203.0.113.1" },
    });
    const directCookies = ([] as string[]).concat(direct.headers["set-cookie"] ?? []);
    expect(directCookies.length).toBeGreaterThan(0);
    expect(directCookies.some((c) => /; secure/i.test(c))).toBe(false);
  });
});

describe("failing closed", () => {
  it("shows AADSTS90033 and refuses the sign-in when Conditional Access cannot be evaluated, and reports why", async () => {
    await createUser(t.store, "ann@contoso.test", PASSWORD);
    const reported: string[] = [];
    const key = (await t.store.tenant.get())?.settings.signingKeys as Array<{ privateJwk?: JWK }>;
    const app = Fastify();
    await registerOidc(app, {
      store: t.store,
      issuer: ISSUER,
      signingKey: key.find((k) => k.privateJwk)?.privateJwk as JWK,
      compiledTenant: async () => {
        throw new Error("the database is unavailable");
      },
      onError: (message) => reported.push(message),
      purgeIntervalMs: 0,
    });
    await app.ready();
    try {
      const b = testBrowser(() => app);
      const { signInPath, csrf, res } = await login(b, "ann@contoso.test");
      expect(res.body).toContain('id="error-code">AADSTS90033<');
      expect(reported).toContain("sign-in refused: Conditional Access could not be evaluated");
      const back = await backToPortal(b, await b.post(`${signInPath}/continue`, { csrf }));
      expect(back.searchParams.get("error")).toBe("temporarily_unavailable");
      expect(back.searchParams.get("code")).toBeNull();
    } finally {
      await app.close();
    }
  });
});

describe("security review: the state machine and guessing", () => {
  it("counts every one of many simultaneous wrong codes: no more than 5 are checked before the lock", async () => {
    await setPolicyState(t.store, headlinePolicyId, "enabled");
    const jo = await createUser(t.store, "jo@contoso.test", PASSWORD);
    const secret = await registerTotpWithStore(jo.id);
    const b = browser();
    const { signInPath, csrf } = await login(b, "jo@contoso.test");
    const right = await totpAt(secret, new Date());
    const wrong = (i: number) => {
      const code = String(100000 + i);
      return code === right ? "999999" : code;
    };
    // A store as slow as a remote database: the codes are read while the others are checked.
    const methods = t.store.authenticationMethods;
    const listForUser = methods.listForUser.bind(methods);
    methods.listForUser = async (userId) => {
      await new Promise((resolve) => setTimeout(resolve, 20));
      return listForUser(userId);
    };
    const answers = await Promise.all(Array.from({ length: 30 }, (_, i) => b.post(`${signInPath}/totp`, { csrf, code: wrong(i) })));
    const checked = answers.filter((a) => a.body.includes("not right")).length;
    expect(checked).toBeLessThanOrEqual(5);
    expect(answers.filter((a) => a.statusCode === 429).length).toBeGreaterThanOrEqual(25);
    expect((await signInsOf(t.store, jo.id)).filter((r) => r.status.errorCode === 500121).length).toBeLessThanOrEqual(5);
  });

  it("counts every one of many simultaneous wrong passwords: no more than 10 are checked before the lock", async () => {
    await createUser(t.store, "hal@contoso.test", PASSWORD);
    const b = browser();
    const { signInPath, csrf } = await startPortalSignIn(b);
    const answers = await Promise.all(
      Array.from({ length: 30 }, (_, i) => b.post(`${signInPath}/login`, { csrf, username: "hal@contoso.test", password: `wrong ${i}` })),
    );
    expect(answers.filter((a) => a.body.includes("account or password is incorrect")).length).toBeLessThanOrEqual(10);
  });

  it("counts simultaneous guesses from one address across accounts: no more than 50 before the address is locked", async () => {
    const sprayer = browser({ remoteAddress: "203.0.113.99" });
    const { signInPath, csrf } = await startPortalSignIn(sprayer);
    const answers = await Promise.all(
      Array.from({ length: 80 }, (_, i) =>
        sprayer.post(`${signInPath}/login`, { csrf, username: `user${i}@contoso.test`, password: "Summer2026!" }),
      ),
    );
    expect(answers.filter((a) => a.body.includes("account or password is incorrect")).length).toBeLessThanOrEqual(50);
    expect(answers.filter((a) => a.statusCode === 429).length).toBeGreaterThanOrEqual(30);
  });

  it("counts an IPv6 attacker's whole /64: rotating addresses does not escape the emergency-access lockout", async () => {
    const breakGlass = t.init.emergencyAccess.accounts[0];
    if (breakGlass === undefined) throw new Error("no emergency-access account");
    for (let i = 0; i < 10; i++) {
      const attacker = browser({ remoteAddress: `2001:db8:0:1::${(i + 1).toString(16)}` });
      const { signInPath, csrf } = await startPortalSignIn(attacker);
      await attacker.post(`${signInPath}/login`, { csrf, username: breakGlass.userPrincipalName, password: `guess ${i}` });
    }
    const next = browser({ remoteAddress: "2001:db8:0:1:ffff::99" });
    const { signInPath, csrf } = await startPortalSignIn(next);
    const refused = await next.post(`${signInPath}/login`, { csrf, username: breakGlass.userPrincipalName, password: breakGlass.password });
    expect(refused.statusCode).toBe(429);
    // The administrators, from another network, still get in.
    const admin = browser({ remoteAddress: "2001:db8:0:2::10" });
    const { res } = await login(admin, breakGlass.userPrincipalName, breakGlass.password);
    expect((await backToPortal(admin, res)).searchParams.get("code")).toBeTruthy();
  });

  it("locks a name that is no account like an account: the lockout does not tell which names exist", async () => {
    await createUser(t.store, "hal@contoso.test", PASSWORD);
    const answers: Record<string, string> = {};
    for (const [name, address] of [
      ["hal@contoso.test", "198.51.100.1"],
      ["nobody@contoso.test", "198.51.100.2"],
    ] as const) {
      const b = browser({ remoteAddress: address });
      const { signInPath, csrf } = await startPortalSignIn(b);
      for (let i = 0; i < 11; i++) await b.post(`${signInPath}/login`, { csrf, username: name, password: `wrong ${i}` });
      const last = await b.post(`${signInPath}/login`, { csrf, username: name.toUpperCase(), password: "wrong again" });
      answers[name] = `${last.statusCode} ${/role="alert">([^<]*)</.exec(last.body)?.[1]?.replace(/correlation ID [^)]+/, "")}`;
    }
    expect(answers["hal@contoso.test"]).toMatch(/^429 Your account is temporarily locked/);
    expect(answers["nobody@contoso.test"]).toBe(answers["hal@contoso.test"]);
  });

  it("does not let a password alone register a passkey on an account that already has a method", async () => {
    await addPolicy(t.store, {
      displayName: "CA10 - Management - Phishing-resistant MFA",
      state: "enabled",
      conditions: {
        clientAppTypes: ["all"],
        users: { includeUsers: ["All"], excludeGroups: [t.init.emergencyAccess.groupId] },
        applications: { includeApplications: [GATEHOUSE_MANAGEMENT_API_APP_ID] },
      },
      grantControls: { operator: "OR", authenticationStrength: { id: PHISHING_RESISTANT_MFA_STRENGTH_ID } },
    });
    const bob = await createUser(t.store, "bob@contoso.test", PASSWORD);
    await registerTotpWithStore(bob.id);
    // The attacker knows Bob's password, not his TOTP secret.
    const b = browser();
    const { signInPath, csrf, res } = await login(b, "bob@contoso.test");
    expect(res.body).not.toContain("register/passkey/start");
    expect(res.body).toContain("Verify your identity");
    const start = await b.post(`${signInPath}/register/passkey/start`, { csrf });
    expect(start.statusCode).toBe(409);
    expect(await t.store.authenticationMethods.listForUser(bob.id)).toHaveLength(1);
  });
});
