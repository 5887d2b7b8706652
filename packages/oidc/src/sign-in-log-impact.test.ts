/**
 * Issue 6's impact replay on a log the sign-in service itself wrote: real portal sign-ins
 * (password only, while the headline MFA policy is report-only), an emergency-access sign-in
 * and a client-credentials sign-in are replayed through "turn the policy on". Only the user in
 * scope changes (grant -> challenge); the break-glass account and the service principal
 * (user policies never apply to workloads, R14) do not. The log goes through NDJSON, as
 * `gatehouse impact --sign-ins` reads it.
 */
import { GATEHOUSE_MANAGEMENT_API_APP_ID } from "@gatehouse/admin";
import { applyProposal, readSignInRecords, replayImpact } from "@gatehouse/insight";
import { afterEach, beforeEach, describe, expect, it } from "vitest";
import { backToPortal, createUser, redeemCode, startPortalSignIn, testBrowser } from "./test-sign-in.js";
import { basic, createOidcTestTenant, DAEMON_SECRET, form, type OidcTestTenant } from "./test-tenant.js";

const PASSWORD = "a long enough password for tests";
let t: OidcTestTenant;
beforeEach(async () => {
  t = await createOidcTestTenant();
});
afterEach(async () => {
  await t.close();
});

async function signInToPortal(username: string, password: string): Promise<void> {
  const b = testBrowser(() => t.app);
  const { signInPath, csrf } = await startPortalSignIn(b);
  const res = await b.post(`${signInPath}/login`, { csrf, username, password });
  const back = await backToPortal(b, res);
  await redeemCode(t.app, back.searchParams.get("code") as string);
}

describe("impact on the sign-in service's own log", () => {
  it("changes exactly the in-scope user's password-only sign-ins when the headline policy is turned on", async () => {
    const headline = t.init.managementMfaPolicy.id;
    const ada = await createUser(t.store, "ada@contoso.test", PASSWORD);
    const breakGlass = t.init.emergencyAccess.accounts[0];
    if (breakGlass === undefined) throw new Error("no emergency-access account");
    await signInToPortal("ada@contoso.test", PASSWORD);
    await signInToPortal("ada@contoso.test", PASSWORD);
    await signInToPortal(breakGlass.userPrincipalName, breakGlass.password);
    const token = await t.app.inject({
      method: "POST",
      url: "/oauth2/token",
      headers: { "content-type": "application/x-www-form-urlencoded", authorization: basic(t.daemon.appId, DAEMON_SECRET) },
      payload: form({ grant_type: "client_credentials", scope: `${GATEHOUSE_MANAGEMENT_API_APP_ID}/.default` }),
    });
    expect(token.statusCode).toBe(200);

    const log = (await t.store.signIns.list({ top: 999 })).value;
    expect(log).toHaveLength(4);
    const ndjson = `${log.map((r) => JSON.stringify(r)).join("\n")}\n`;
    const current = await t.store.loadTenantSnapshot();
    const proposed = { ...current, policies: applyProposal(current.policies ?? [], { states: { [headline]: "enabled" } }).policies };
    const report = await replayImpact(readSignInRecords([Buffer.from(ndjson)]), { current, proposed });

    expect(report.records).toMatchObject({ read: 4, evaluated: 4, unparsable: 0, unusable: 0, unknownPrincipal: 0 });
    expect(report.summary).toEqual({
      changedSignIns: 2,
      changedUsers: 1,
      transitions: [{ from: "grant", to: "challenge", signIns: 2, users: 1 }],
    });
    expect(report.byUser.map((row) => row.key)).toEqual([ada.id]);
    expect(report.byPolicy[0]).toMatchObject({ key: headline });
  });
});
