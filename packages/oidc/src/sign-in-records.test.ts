/**
 * Protocol tests of client credentials with their sign-in records checked field by field:
 * a service principal is not stopped by a user MFA policy (R16); a workload-identity block
 * policy stops it from an untrusted address (AADSTS53003); a report-only workload policy is
 * logged (reportOnlyFailure) without affecting the result (R3, R42); the client address
 * comes from X-Forwarded-For only through a configured trusted proxy.
 */
import { GATEHOUSE_MANAGEMENT_API_APP_ID } from "@gatehouse/admin";
import type { AppliedConditionalAccessPolicy, SignInLogEntry } from "@gatehouse/engine";
import { createServer } from "@gatehouse/server";
import type { FastifyInstance } from "fastify";
import { afterEach, beforeEach, describe, expect, it } from "vitest";
import { addPolicy, basic, createOidcTestTenant, DAEMON_SECRET, form, ISSUER, type OidcTestTenant } from "./test-tenant.js";

const FORM = { "content-type": "application/x-www-form-urlencoded" };
const UNTRUSTED_IP = "198.51.100.7";
const TRUSTED_IP = "203.0.113.5";
const PROXY_IP = "10.20.30.40";
const CORRELATION = "6b1e2f3a-4c5d-4e6f-8a9b-0c1d2e3f4a5b";

let t: OidcTestTenant;
/** The keyId of the daemon's only secret: the records name the credential used. */
let daemonSecretKeyId: string | undefined;
beforeEach(async () => {
  t = await createOidcTestTenant();
  daemonSecretKeyId = (await t.store.applications.listClientSecretHashes(t.daemon.appId))[0]?.keyId;
});
afterEach(async () => {
  await t.close();
});

function clientCredentials(app: FastifyInstance, remoteAddress: string, headers: Record<string, string> = {}) {
  return app.inject({
    method: "POST",
    url: "/oauth2/token",
    remoteAddress,
    headers: { ...FORM, authorization: basic(t.daemon.appId, DAEMON_SECRET), "client-request-id": CORRELATION, ...headers },
    payload: form({ grant_type: "client_credentials", scope: "api://gatehouse-management/.default" }),
  });
}

async function onlyRecord(): Promise<SignInLogEntry> {
  const records = (await t.store.signIns.list({ filter: { appId: t.daemon.appId } })).value;
  expect(records).toHaveLength(1);
  return records[0] as SignInLogEntry;
}

async function trustedLocation(): Promise<string> {
  const location = await t.store.namedLocations.create({
    "@odata.type": "#microsoft.graph.ipNamedLocation",
    id: "",
    displayName: "Build network",
    isTrusted: true,
    ipRanges: [{ "@odata.type": "#microsoft.graph.iPv4CidrRange", cidrAddress: "203.0.113.0/24" }],
  } as never);
  return location.id;
}

const workloadBlock = async (state: "enabled" | "enabledForReportingButNotEnforced") =>
  addPolicy(t.store, {
    displayName: "WI01 - Block workload identities outside trusted locations",
    state,
    conditions: {
      clientAppTypes: ["all"],
      users: { includeUsers: ["None"] },
      applications: { includeApplications: ["All"] },
      clientApplications: { includeServicePrincipals: ["ServicePrincipalsInMyTenant"] },
      locations: { includeLocations: ["All"], excludeLocations: [await trustedLocation()] },
    },
    grantControls: { operator: "OR", builtInControls: ["block"] },
  });

/** What every client-credentials record of the daemon says, whatever the policies. */
function daemonRecord(over: Partial<SignInLogEntry>): SignInLogEntry {
  return {
    id: expect.stringMatching(/^[0-9a-f-]{36}$/) as unknown as string,
    createdDateTime: expect.stringMatching(/^\d{4}-\d{2}-\d{2}T\d{2}:\d{2}:\d{2}\.\d{3}Z$/) as unknown as string,
    appId: t.daemon.appId,
    appDisplayName: "Nightly export",
    resourceId: GATEHOUSE_MANAGEMENT_API_APP_ID,
    resourceDisplayName: "Gatehouse Management API",
    ipAddress: UNTRUSTED_IP,
    // Graph leaves clientAppUsed empty for service principal sign-ins (no client app type, R16).
    clientAppUsed: null,
    correlationId: CORRELATION,
    conditionalAccessStatus: "notApplied",
    isInteractive: false,
    riskLevelDuringSignIn: "none",
    status: { errorCode: 0, failureReason: "Other.", additionalDetails: null },
    deviceDetail: { deviceId: "", displayName: "", operatingSystem: "", isCompliant: false, trustType: "" },
    location: { countryOrRegion: "" },
    appliedConditionalAccessPolicies: [],
    authenticationRequirement: "singleFactorAuthentication",
    signInEventTypes: ["servicePrincipal"],
    originalTransferMethod: "none",
    gatehouse: expect.anything() as unknown as SignInLogEntry["gatehouse"],
    servicePrincipalId: t.daemon.servicePrincipalId,
    servicePrincipalName: "Nightly export",
    clientCredentialType: "clientSecret",
    servicePrincipalCredentialKeyId: daemonSecretKeyId,
    servicePrincipalCredentialThumbprint: null,
    ...over,
  } as SignInLogEntry;
}

/** init's report-only Management API MFA policy, as a service principal sign-in sees it (users condition: not a user). */
const initPolicy = (): AppliedConditionalAccessPolicy => ({
  id: t.init.managementMfaPolicy.id,
  displayName: t.init.managementMfaPolicy.displayName,
  enforcedGrantControls: ["Require multifactor authentication"],
  enforcedSessionControls: [],
  result: "reportOnlyNotApplied",
  conditionsSatisfied: "none",
  conditionsNotSatisfied: "servicePrincipals",
});

describe("client credentials and their sign-in records, field by field", () => {
  it("is not stopped by an enabled user MFA policy (R16)", async () => {
    const mfa = await addPolicy(t.store, {
      displayName: "CA01 - All users - Require MFA",
      state: "enabled",
      conditions: { clientAppTypes: ["all"], users: { includeUsers: ["All"] }, applications: { includeApplications: ["All"] } },
      grantControls: { operator: "OR", builtInControls: ["mfa"] },
    });
    const res = await clientCredentials(t.app, UNTRUSTED_IP);
    expect(res.statusCode).toBe(200);
    const record = await onlyRecord();
    const policies = [...record.appliedConditionalAccessPolicies].sort((a, b) => a.displayName.localeCompare(b.displayName));
    expect({ ...record, appliedConditionalAccessPolicies: policies }).toEqual(
      daemonRecord({
        appliedConditionalAccessPolicies: [
          <AppliedConditionalAccessPolicy>{
            id: mfa,
            displayName: "CA01 - All users - Require MFA",
            enforcedGrantControls: ["Require multifactor authentication"],
            enforcedSessionControls: [],
            result: "notApplied",
            conditionsSatisfied: "none",
            conditionsNotSatisfied: "servicePrincipals",
          },
          initPolicy(),
        ],
      }),
    );
    expect(record.gatehouse).toEqual({
      decision: { outcome: "grant", requiredControls: [], sessionControls: {}, conditionalAccessStatus: "notApplied" },
    });
  });

  it("is blocked by a workload-identity policy from an untrusted address (AADSTS53003), logged as a failure", async () => {
    const block = await workloadBlock("enabled");
    const res = await clientCredentials(t.app, UNTRUSTED_IP);
    expect(res.statusCode).toBe(400);
    const body = res.json() as { error: string; error_description: string };
    expect(body.error).toBe("invalid_grant");
    expect(body.error_description).toMatch(/^AADSTS53003: .* Correlation ID: 6b1e2f3a-4c5d-4e6f-8a9b-0c1d2e3f4a5b$/);
    const record = await onlyRecord();
    const policies = [...record.appliedConditionalAccessPolicies].sort((a, b) => a.displayName.localeCompare(b.displayName));
    expect({ ...record, appliedConditionalAccessPolicies: policies }).toEqual(
      daemonRecord({
        conditionalAccessStatus: "failure",
        status: {
          errorCode: 53003,
          failureReason: "Access has been blocked by Conditional Access policies. The access policy does not allow token issuance.",
          additionalDetails: expect.any(String) as unknown as string,
        },
        appliedConditionalAccessPolicies: [
          initPolicy(),
          <AppliedConditionalAccessPolicy>{
            id: block,
            displayName: "WI01 - Block workload identities outside trusted locations",
            enforcedGrantControls: ["Block"],
            enforcedSessionControls: [],
            result: "failure",
            conditionsSatisfied: "application,location,servicePrincipals",
            conditionsNotSatisfied: "none",
          },
        ],
      }),
    );
    expect(record.gatehouse?.decision.outcome).toBe("block");
  });

  it("logs a report-only workload block as reportOnlyFailure and still issues the token", async () => {
    const block = await workloadBlock("enabledForReportingButNotEnforced");
    const res = await clientCredentials(t.app, UNTRUSTED_IP);
    expect(res.statusCode).toBe(200);
    const record = await onlyRecord();
    const policies = [...record.appliedConditionalAccessPolicies].sort((a, b) => a.displayName.localeCompare(b.displayName));
    expect({ ...record, appliedConditionalAccessPolicies: policies }).toEqual(
      daemonRecord({
        appliedConditionalAccessPolicies: [
          initPolicy(),
          <AppliedConditionalAccessPolicy>{
            id: block,
            displayName: "WI01 - Block workload identities outside trusted locations",
            enforcedGrantControls: ["Block"],
            enforcedSessionControls: [],
            result: "reportOnlyFailure",
            conditionsSatisfied: "application,location,servicePrincipals",
            conditionsNotSatisfied: "none",
          },
        ],
      }),
    );
  });
});

describe("the client address through a trusted proxy (gatehouse serve --trusted-proxy)", () => {
  it("reads X-Forwarded-For from a trusted proxy only, for the workload block policy and the record", async () => {
    await workloadBlock("enabled");
    const app = await createServer({
      store: t.store,
      oidc: { issuer: ISSUER, trustedProxies: ["10.0.0.0/8"] },
      rateLimitPerMinute: 0,
      signInRetentionIntervalMs: 0,
    });
    try {
      const viaProxy = await clientCredentials(app, PROXY_IP, { "x-forwarded-for": `192.0.2.99, ${TRUSTED_IP}` });
      expect(viaProxy.statusCode).toBe(200);
      const direct = await clientCredentials(app, UNTRUSTED_IP, { "x-forwarded-for": TRUSTED_IP });
      expect(direct.statusCode).toBe(400);
      const records = (await t.store.signIns.list({ filter: { appId: t.daemon.appId } })).value;
      expect(records.map((r) => [r.ipAddress, r.conditionalAccessStatus]).sort()).toEqual([
        [UNTRUSTED_IP, "failure"],
        [TRUSTED_IP, "notApplied"],
      ]);
    } finally {
      await app.close();
    }
  });
});
