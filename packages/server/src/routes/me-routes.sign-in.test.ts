/**
 * "My security info" with the sign-in service's own tokens (end to end, in-process): a user
 * signs in to the portal with a password, registers a passkey through the API, and that
 * passkey then satisfies MFA at the next sign-in; the registration's sign-in record names the
 * portal as the client.
 */
import { GATEHOUSE_PORTAL_APP_ID } from "@gatehouse/oidc";
import { afterEach, beforeEach, describe, expect, it } from "vitest";
import { SoftwareAuthenticator } from "../../../mfa/src/test-software-authenticator.js";
import {
  backToPortal,
  createUser,
  FORM,
  REDIRECT_URI,
  setPolicyState,
  signInsOf,
  startPortalSignIn,
  type TestBrowser,
  testBrowser,
  VERIFIER,
  webauthnOptionsOf,
} from "../../../oidc/src/test-sign-in.js";
import { createOidcTestTenant, form, ISSUER, type OidcTestTenant } from "../../../oidc/src/test-tenant.js";

const ORIGIN = new URL(ISSUER).origin;
const RP_ID = new URL(ISSUER).hostname;
const PASSWORD = "a long enough password for tests";

let t: OidcTestTenant;
beforeEach(async () => {
  t = await createOidcTestTenant();
});
afterEach(async () => {
  await t.close();
});

/** Signs in to the portal (after the password, `finish` completes any second step) and returns the raw access token. */
async function portalToken(
  b: TestBrowser,
  username: string,
  finish?: (signInPath: string, csrf: string, page: string) => Promise<unknown>,
) {
  const { signInPath, csrf } = await startPortalSignIn(b);
  let res = await b.post(`${signInPath}/login`, { csrf, username, password: PASSWORD });
  if (finish !== undefined) res = (await finish(signInPath, csrf, res.body)) as typeof res;
  const back = await backToPortal(b, res);
  const token = await t.app.inject({
    method: "POST",
    url: "/oauth2/token",
    headers: FORM,
    payload: form({
      grant_type: "authorization_code",
      code: back.searchParams.get("code") as string,
      redirect_uri: REDIRECT_URI,
      client_id: GATEHOUSE_PORTAL_APP_ID,
      code_verifier: VERIFIER,
    }),
  });
  expect(token.statusCode).toBe(200);
  return (token.json() as { access_token: string }).access_token;
}

describe("My security info with the sign-in service's tokens", () => {
  it("registers a passkey with a password-only portal token; the passkey then satisfies MFA at sign-in", async () => {
    const user = await createUser(t.store, "erin@contoso.test", PASSWORD);
    const b = testBrowser(() => t.app);
    const token = await portalToken(b, user.userPrincipalName);
    const headers = { authorization: `Bearer ${token}`, "content-type": "application/json" };

    const start = await t.app.inject({ method: "POST", url: "/v1.0/me/authentication/fido2Methods/registration", headers, payload: "{}" });
    expect(start.statusCode, start.body).toBe(201);
    const options = start.json() as { registrationId: string; publicKey: { challenge: string; rp: { id: string } } };
    // The sign-in service's relying party: the passkey works there.
    expect(options.publicKey.rp.id).toBe(RP_ID);
    const authenticator = new SoftwareAuthenticator();
    const done = await t.app.inject({
      method: "POST",
      url: `/v1.0/me/authentication/fido2Methods/registration/${options.registrationId}/verify`,
      headers,
      payload: JSON.stringify({
        displayName: "Laptop",
        publicKeyCredential: authenticator.register({ challenge: options.publicKey.challenge, origin: ORIGIN, rpId: RP_ID }),
      }),
    });
    expect(done.statusCode, done.body).toBe(201);

    const records = await signInsOf(t.store, user.id);
    const registration = records.find((r) => r.correlationId === done.headers["request-id"]);
    expect(registration).toMatchObject({
      appId: GATEHOUSE_PORTAL_APP_ID,
      resourceDisplayName: "Security info registration",
      clientAppUsed: "Browser",
      ipAddress: "127.0.0.1",
    });

    // The init's MFA policy for Gatehouse management, on: the next portal sign-in asks for the passkey.
    await setPolicyState(t.store, t.init.managementMfaPolicy.id, "enabled");
    // A fresh server: no compiled tenant cached from before the change made behind its back.
    await t.restart();
    const b2 = testBrowser(() => t.app);
    const second = await portalToken(b2, user.userPrincipalName, async (signInPath, csrf, page) => {
      expect(page).toContain("Use my passkey");
      const assertion = authenticator.authenticate({ challenge: webauthnOptionsOf(page).challenge, origin: ORIGIN, rpId: RP_ID });
      return b2.post(`${signInPath}/passkey`, { csrf, response: JSON.stringify(assertion) });
    });
    const claims = JSON.parse(Buffer.from(second.split(".")[1] ?? "", "base64url").toString("utf8")) as { amr: string[] };
    expect(claims.amr).toEqual(["pwd", "hwk", "mfa"]);

    // With that token, removing the passkey is allowed (the token shows MFA) and audited.
    const removed = await t.app.inject({
      method: "DELETE",
      url: `/v1.0/me/authentication/fido2Methods/${(done.json() as { id: string }).id}`,
      headers: { authorization: `Bearer ${second}` },
    });
    expect(removed.statusCode, removed.body).toBe(204);
    expect(removed.headers["x-gatehouse-warnings"]).toContain("lastMethodRemoved");
    expect(await t.store.authenticationMethods.listForUser(user.id)).toEqual([]);
  });
});
