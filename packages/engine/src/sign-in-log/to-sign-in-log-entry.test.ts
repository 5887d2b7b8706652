import { describe, expect, it } from "vitest";
import { type CompiledTenant, compileTenant } from "../compile/compile-tenant.js";
import { evaluateSignIn } from "../evaluate/evaluate.js";
import { APPS, baseTenant, LOCATIONS, SP, TENANT_ID, USERS } from "../evaluate/test-arbitraries.js";
import type { ConditionalAccessPolicy, TenantSnapshot } from "../policy/types.js";
import type { WhatIfRequest } from "../whatif/types.js";
import { toSignInLogEntry } from "./to-sign-in-log-entry.js";
import type { AppliedConditionalAccessPolicy, SignInLogEntry } from "./types.js";

const MFA_ID = "ffffffff-0000-0000-0000-000000000001";
const TOU_ID = "ffffffff-0000-0000-0000-000000000002";
const BLOCK_ID = "ffffffff-0000-0000-0000-000000000003";

const grant = (builtInControls: string[], extra: Partial<NonNullable<ConditionalAccessPolicy["grantControls"]>> = {}) =>
  ({
    operator: "OR",
    builtInControls,
    customAuthenticationFactors: [],
    termsOfUse: [],
    authenticationStrength: null,
    ...extra,
  }) as ConditionalAccessPolicy["grantControls"];

const ALL_USERS: ConditionalAccessPolicy["conditions"]["users"] = {
  includeUsers: ["All"],
  excludeUsers: [],
  includeGroups: [],
  excludeGroups: [],
  includeRoles: [],
  excludeRoles: [],
  includeGuestsOrExternalUsers: null,
  excludeGuestsOrExternalUsers: null,
};

const appsCondition = (includeApplications: string[]): ConditionalAccessPolicy["conditions"]["applications"] => ({
  includeApplications,
  excludeApplications: [],
  includeUserActions: [],
  includeAuthenticationContextClassReferences: [],
  applicationFilter: null,
});

const policy = (
  overrides: Partial<Omit<ConditionalAccessPolicy, "conditions">> & { conditions?: Partial<ConditionalAccessPolicy["conditions"]> },
): ConditionalAccessPolicy => ({
  id: MFA_ID,
  displayName: "Require MFA for everyone",
  state: "enabled",
  grantControls: grant(["mfa"]),
  sessionControls: null,
  ...overrides,
  conditions: {
    users: ALL_USERS,
    clientApplications: null,
    applications: appsCondition(["All"]),
    clientAppTypes: ["all"],
    platforms: null,
    locations: null,
    devices: null,
    signInRiskLevels: [],
    userRiskLevels: [],
    servicePrincipalRiskLevels: [],
    insiderRiskLevels: [],
    authenticationFlows: null,
    deviceStates: null,
    ...overrides.conditions,
  },
});

const tenantOf = (policies: ConditionalAccessPolicy[], extra: Partial<TenantSnapshot> = {}): CompiledTenant =>
  compileTenant({
    ...baseTenant(policies),
    servicePrincipals: [
      ...baseTenant([]).servicePrincipals,
      { id: "dddddddd-0000-0000-0000-0000000000a1", appId: APPS[0] as string, displayName: "Payroll" },
    ],
    ...extra,
  });

const request = (extra: Partial<WhatIfRequest> = {}, conditions: WhatIfRequest["signInConditions"] = {}): WhatIfRequest => ({
  signInIdentity: { "@odata.type": "#microsoft.graph.userSignIn", userId: USERS[0] as string },
  signInContext: { "@odata.type": "#microsoft.graph.applicationContext", includeApplications: [APPS[0] as string] },
  signInConditions: { clientAppType: "browser", devicePlatform: "windows", ipAddress: "192.0.2.10", country: "NL", ...conditions },
  ...extra,
});

const MFA_DONE = { authenticationMethods: ["password", "microsoftAuthenticatorPush"] };

const logOf = (tenant: CompiledTenant, req: WhatIfRequest, n = 1): SignInLogEntry =>
  toSignInLogEntry({
    tenant,
    request: req,
    evaluation: evaluateSignIn(tenant, req),
    id: `00000000-0000-0000-0000-00000000000${n}`,
    createdDateTime: "2024-05-01T12:00:00Z",
    correlationId: "cccccccc-cccc-cccc-cccc-cccccccccccc",
  });

const applied = (entry: SignInLogEntry, id: string): AppliedConditionalAccessPolicy => {
  const found = entry.appliedConditionalAccessPolicies.find((p) => p.id === id);
  if (!found) throw new Error(`policy ${id} is not in the entry`);
  return found;
};

describe("a granted sign-in", () => {
  it("logs success with the enforced MFA control when the session already has MFA", () => {
    const tenant = tenantOf([policy({})]);
    const entry = logOf(tenant, request({ satisfied: MFA_DONE }));

    expect(entry).toMatchObject({
      id: "00000000-0000-0000-0000-000000000001",
      createdDateTime: "2024-05-01T12:00:00Z",
      correlationId: "cccccccc-cccc-cccc-cccc-cccccccccccc",
      userId: USERS[0],
      userPrincipalName: "user0@contoso.test",
      userDisplayName: "User 0",
      appId: APPS[0],
      appDisplayName: "Payroll",
      resourceId: APPS[0],
      resourceDisplayName: "Payroll",
      ipAddress: "192.0.2.10",
      clientAppUsed: "Browser",
      conditionalAccessStatus: "success",
      isInteractive: true,
      riskLevelDuringSignIn: "none",
      authenticationRequirement: "multiFactorAuthentication",
      authenticationMethodsUsed: ["Password", "Authenticator App"],
      location: { countryOrRegion: "NL" },
      deviceDetail: { deviceId: "", displayName: "", operatingSystem: "Windows", isCompliant: false, trustType: "" },
      originalTransferMethod: "none",
      status: { errorCode: 0 },
    });
    expect(entry.appliedConditionalAccessPolicies).toEqual([
      {
        id: MFA_ID,
        displayName: "Require MFA for everyone",
        enforcedGrantControls: ["Require multifactor authentication"],
        enforcedSessionControls: [],
        result: "success",
        conditionsSatisfied: "application,users",
        conditionsNotSatisfied: "none",
      },
    ]);
    expect(entry.gatehouse?.decision.outcome).toBe("grant");
    expect(entry.servicePrincipalId).toBeUndefined();
  });

  it("logs notApplied with single-factor authentication when no enabled policy applies", () => {
    const tenant = tenantOf([policy({ conditions: { applications: appsCondition([APPS[1] as string]) } })]);
    const entry = logOf(tenant, request());
    expect(entry.conditionalAccessStatus).toBe("notApplied");
    expect(entry.status.errorCode).toBe(0);
    expect(entry.authenticationRequirement).toBe("singleFactorAuthentication");
    expect(applied(entry, MFA_ID)).toMatchObject({
      result: "notApplied",
      conditionsSatisfied: "users",
      conditionsNotSatisfied: "application",
    });
  });

  it("lists session controls with the log's display strings", () => {
    const tenant = tenantOf([
      policy({
        grantControls: null,
        sessionControls: { signInFrequency: { isEnabled: true, value: 4, type: "hours", frequencyInterval: "timeBased" } },
      }),
    ]);
    expect(applied(logOf(tenant, request()), MFA_ID).enforcedSessionControls).toEqual(["SignInFrequency"]);
  });
});

describe("an interrupted sign-in (R40)", () => {
  it("logs 50074 and result failure while MFA is still needed, then success in the second entry after MFA", () => {
    const tenant = tenantOf([policy({})]);
    const first = logOf(tenant, request(), 1);
    expect(first.status).toMatchObject({ errorCode: 50074, failureReason: "Strong Authentication is required." });
    expect(first.status.additionalDetails).toContain('multifactor authentication ("Require MFA for everyone")');
    expect(first.conditionalAccessStatus).toBe("failure");
    expect(first.authenticationRequirement).toBe("multiFactorAuthentication");
    expect(applied(first, MFA_ID)).toMatchObject({ result: "failure", enforcedGrantControls: ["Require multifactor authentication"] });

    const second = logOf(tenant, request({ satisfied: MFA_DONE }), 2);
    expect(second.status.errorCode).toBe(0);
    expect(second.conditionalAccessStatus).toBe("success");
    expect(applied(second, MFA_ID).result).toBe("success");
  });

  it("prompts MFA before terms of use: 50074 first, 50158 after MFA, success after both", () => {
    const tenant = tenantOf([
      policy({}),
      policy({ id: TOU_ID, displayName: "Accept the terms", grantControls: grant([], { termsOfUse: ["tou-1"] }) }),
    ]);
    const first = logOf(tenant, request(), 1);
    expect(first.status.errorCode).toBe(50074);
    expect(applied(first, MFA_ID).result).toBe("failure");
    expect(applied(first, TOU_ID)).toMatchObject({ result: "failure", enforcedGrantControls: ["Require terms of use"] });

    const second = logOf(tenant, request({ satisfied: MFA_DONE }), 2);
    expect(second.status).toMatchObject({ errorCode: 50158, failureReason: "External security challenge was not satisfied." });
    expect(applied(second, MFA_ID).result).toBe("success");
    expect(applied(second, TOU_ID).result).toBe("failure");

    const third = logOf(tenant, request({ satisfied: { ...MFA_DONE, termsOfUse: ["tou-1"] } }), 3);
    expect(third.status.errorCode).toBe(0);
    expect(third.appliedConditionalAccessPolicies.map((p) => p.result)).toEqual(["success", "success"]);
  });

  it("logs 50074 with the strength's display string and a singleChallengeRequired strength result", () => {
    const tenant = tenantOf([
      policy({ grantControls: grant([], { authenticationStrength: { id: "00000000-0000-0000-0000-000000000004" } as never }) }),
    ]);
    const entry = logOf(tenant, request({ satisfied: MFA_DONE }));
    expect(entry.status.errorCode).toBe(50074);
    expect(applied(entry, MFA_ID)).toMatchObject({
      enforcedGrantControls: ["Require authentication strength"],
      result: "failure",
      authenticationStrength: {
        authenticationStrengthId: "00000000-0000-0000-0000-000000000004",
        authenticationStrengthResult: "singleChallengeRequired",
      },
    });
    const done = logOf(tenant, request({ satisfied: { authenticationMethods: ["fido2"] } }));
    expect(applied(done, MFA_ID).authenticationStrength?.authenticationStrengthResult).toBe("satisfied");
  });
});

describe("a blocked sign-in", () => {
  it("logs 53003 naming the blocking policy, with Block as its enforced control", () => {
    const tenant = tenantOf([policy({}), policy({ id: BLOCK_ID, displayName: "Block Payroll", grantControls: grant(["block"]) })]);
    const entry = logOf(tenant, request({ satisfied: MFA_DONE }));
    expect(entry.status).toMatchObject({
      errorCode: 53003,
      failureReason: "Access has been blocked by Conditional Access policies. The access policy does not allow token issuance.",
    });
    expect(entry.status.additionalDetails).toContain('"Block Payroll"');
    expect(entry.conditionalAccessStatus).toBe("failure");
    expect(applied(entry, BLOCK_ID)).toMatchObject({ result: "failure", enforcedGrantControls: ["Block"] });
    expect(applied(entry, MFA_ID).result).toBe("success");
  });

  it("logs 53000 when a compliant device is required and the device is not compliant", () => {
    const tenant = tenantOf([policy({ grantControls: grant(["compliantDevice"]) })]);
    const entry = logOf(tenant, request({}, { deviceInfo: { isCompliant: false } }));
    expect(entry.status.errorCode).toBe(53000);
    expect(entry.status.failureReason).toContain("compliant");
    expect(applied(entry, MFA_ID)).toMatchObject({
      result: "failure",
      enforcedGrantControls: ["Require device to be marked as compliant"],
    });
  });

  it("logs 53001 when a hybrid joined device is required and the device is only registered", () => {
    const tenant = tenantOf([policy({ grantControls: grant(["domainJoinedDevice"]) })]);
    const entry = logOf(tenant, request({}, { deviceInfo: { deviceId: "dev-1", displayName: "LAPTOP-1", trustType: "Workplace" } }));
    expect(entry.status.errorCode).toBe(53001);
    expect(entry.deviceDetail).toMatchObject({ deviceId: "dev-1", displayName: "LAPTOP-1", trustType: "Azure AD registered" });
  });

  it("takes the browser and operating system the client reports (User-Agent), the device's own attributes first", () => {
    const tenant = tenantOf([]);
    const req = request({}, { devicePlatform: "macOS" });
    const entry = toSignInLogEntry({
      tenant,
      request: req,
      evaluation: evaluateSignIn(tenant, req),
      id: "00000000-0000-0000-0000-000000000001",
      createdDateTime: "2024-05-01T12:00:00Z",
      correlationId: "cccccccc-cccc-cccc-cccc-cccccccccccc",
      clientDevice: { browser: "Chrome 130.0.0", operatingSystem: "MacOs 10.15.7" },
    });
    expect(entry.deviceDetail).toEqual({
      deviceId: "",
      displayName: "",
      operatingSystem: "MacOs 10.15.7",
      isCompliant: false,
      trustType: "",
      browser: "Chrome 130.0.0",
    });
    const withDevice = { ...req, signInConditions: { ...req.signInConditions, deviceInfo: { operatingSystem: "macOS" } } };
    const own = toSignInLogEntry({
      tenant,
      request: withDevice,
      evaluation: evaluateSignIn(tenant, withDevice),
      id: "00000000-0000-0000-0000-000000000002",
      createdDateTime: "2024-05-01T12:00:00Z",
      correlationId: "cccccccc-cccc-cccc-cccc-cccccccccccc",
      clientDevice: { operatingSystem: "MacOs 10.15.7" },
    });
    expect(own.deviceDetail.operatingSystem).toBe("macOS");
    expect(own.deviceDetail.browser).toBeUndefined();
  });

  it("logs 53003, not a prompt, when MFA is required of a legacy client (R24)", () => {
    const tenant = tenantOf([policy({})]);
    const entry = logOf(tenant, request({}, { clientAppType: "exchangeActiveSync" }));
    expect(entry.status.errorCode).toBe(53003);
    expect(entry.clientAppUsed).toBe("Exchange ActiveSync");
  });
});

describe("report-only and disabled policies (R39, R42)", () => {
  const reportOnly = (id: string, name: string, grantControls: ConditionalAccessPolicy["grantControls"]) =>
    policy({ id, displayName: name, state: "enabledForReportingButNotEnforced", grantControls });

  it("log report-only results without changing the sign-in's status", () => {
    const tenant = tenantOf([
      reportOnly("ffffffff-0000-0000-0000-0000000000a1", "RO MFA", grant(["mfa"])),
      reportOnly("ffffffff-0000-0000-0000-0000000000a2", "RO block", grant(["block"])),
      reportOnly("ffffffff-0000-0000-0000-0000000000a3", "RO compliant", grant(["compliantDevice"])),
      policy({
        id: "ffffffff-0000-0000-0000-0000000000a4",
        displayName: "RO other app",
        state: "enabledForReportingButNotEnforced",
        conditions: { applications: appsCondition([APPS[1] as string]) },
      }),
      policy({ id: "ffffffff-0000-0000-0000-0000000000a5", displayName: "Off", state: "disabled", grantControls: grant(["block"]) }),
    ]);
    const entry = logOf(tenant, request());
    expect(entry.appliedConditionalAccessPolicies.map((p) => [p.displayName, p.result])).toEqual([
      ["RO MFA", "reportOnlyInterrupted"],
      ["RO block", "reportOnlyFailure"],
      ["RO compliant", "reportOnlyFailure"],
      ["RO other app", "reportOnlyNotApplied"],
      ["Off", "notEnabled"],
    ]);
    expect(entry.conditionalAccessStatus).toBe("notApplied");
    expect(entry.status.errorCode).toBe(0);
    expect(entry.authenticationRequirement).toBe("singleFactorAuthentication");
    expect(applied(entry, "ffffffff-0000-0000-0000-0000000000a5")).toMatchObject({
      enforcedGrantControls: ["Block"],
      conditionsSatisfied: "none",
      conditionsNotSatisfied: "none",
    });

    const afterMfa = logOf(tenant, request({ satisfied: MFA_DONE }));
    expect(applied(afterMfa, "ffffffff-0000-0000-0000-0000000000a1").result).toBe("reportOnlySuccess");
  });
});

describe("a workload identity sign-in", () => {
  it("logs the service principal and no user fields", () => {
    const workloadPolicy = policy({
      id: BLOCK_ID,
      displayName: "Block automation outside the office",
      conditions: {
        users: { ...ALL_USERS, includeUsers: ["None"] },
        clientApplications: { includeServicePrincipals: [SP], excludeServicePrincipals: [], servicePrincipalFilter: null },
        locations: { includeLocations: ["All"], excludeLocations: [LOCATIONS[0] as string] },
      },
      grantControls: grant(["block"]),
    });
    const tenant = tenantOf([policy({}), workloadPolicy]);
    const req: WhatIfRequest = {
      signInIdentity: { "@odata.type": "#microsoft.graph.servicePrincipalSignIn", servicePrincipalId: SP },
      signInContext: { "@odata.type": "#microsoft.graph.applicationContext", includeApplications: [APPS[0] as string] },
      signInConditions: { ipAddress: "192.0.2.10" },
    };
    const entry = logOf(tenant, req);
    expect(entry).toMatchObject({
      servicePrincipalId: SP,
      servicePrincipalName: "Automation",
      appId: "eeeeeeee-0000-0000-0000-000000000001",
      appDisplayName: "Automation",
      resourceId: APPS[0],
      isInteractive: false,
      signInEventTypes: ["servicePrincipal"],
      clientAppUsed: null,
      authenticationRequirement: "singleFactorAuthentication",
      conditionalAccessStatus: "failure",
      status: { errorCode: 53003 },
    });
    for (const field of ["userId", "userPrincipalName", "userDisplayName", "authenticationMethodsUsed"])
      expect(entry).not.toHaveProperty(field);
    expect(applied(entry, BLOCK_ID)).toMatchObject({
      result: "failure",
      conditionsSatisfied: "application,location,servicePrincipals",
      conditionsNotSatisfied: "none",
    });
    // A user policy never covers a workload (R14): it fails on the workload-identity condition.
    expect(applied(entry, MFA_ID)).toMatchObject({
      result: "notApplied",
      conditionsSatisfied: "none",
      conditionsNotSatisfied: "servicePrincipals",
    });
  });
});

describe("conditions satisfied and not satisfied (beta flags)", () => {
  it("lists the conditions checked before the failing location, and only the location as not satisfied", () => {
    const tenant = tenantOf([
      policy({
        displayName: "MFA outside trusted locations",
        conditions: {
          platforms: { includePlatforms: ["all"], excludePlatforms: [] },
          clientAppTypes: ["browser", "mobileAppsAndDesktopClients"],
          locations: { includeLocations: ["All"], excludeLocations: ["AllTrusted"] },
          // Checked after the location: neither satisfied nor not satisfied.
          signInRiskLevels: ["none", "low"],
        },
      }),
    ]);
    // 203.0.113.0/24 is the trusted "Office" location.
    const inside = logOf(tenant, request({}, { ipAddress: "203.0.113.7" }));
    expect(applied(inside, MFA_ID)).toMatchObject({
      result: "notApplied",
      conditionsSatisfied: "application,users,devicePlatform,clientType",
      conditionsNotSatisfied: "location",
    });
    const outside = logOf(tenant, request({ satisfied: MFA_DONE }));
    expect(applied(outside, MFA_ID)).toMatchObject({
      result: "success",
      conditionsSatisfied: "application,users,devicePlatform,location,clientType,signInRisk",
      conditionsNotSatisfied: "none",
    });
  });

  it("reports an excluded user as the unmet users condition", () => {
    const tenant = tenantOf([policy({ conditions: { users: { ...ALL_USERS, excludeUsers: [USERS[0] as string] } } })]);
    expect(applied(logOf(tenant, request()), MFA_ID)).toMatchObject({ conditionsSatisfied: "none", conditionsNotSatisfied: "users" });
  });
});

describe("inputs the caller knows better", () => {
  it("take precedence over the directory, and the tenant's country lookup fills the location", () => {
    const tenant = compileTenant(baseTenant([policy({})]), { lookupCountry: (ip) => (ip === "192.0.2.10" ? "be" : null) });
    const req = request({ satisfied: MFA_DONE }, { country: null, devicePlatform: "iOS", signInRiskLevel: "Low" });
    const entry = toSignInLogEntry({
      tenant,
      request: req,
      evaluation: evaluateSignIn(tenant, req),
      id: "x",
      createdDateTime: "2024-05-01T12:00:00Z",
      correlationId: "y",
      userPrincipalName: "alias@contoso.test",
      userDisplayName: "Alias",
      appId: "client-app",
      appDisplayName: "Client",
      resourceDisplayName: "Resource",
      isInteractive: false,
    });
    expect(entry).toMatchObject({
      userPrincipalName: "alias@contoso.test",
      userDisplayName: "Alias",
      appId: "client-app",
      appDisplayName: "Client",
      resourceDisplayName: "Resource",
      isInteractive: false,
      signInEventTypes: ["nonInteractiveUser"],
      riskLevelDuringSignIn: "low",
      location: { countryOrRegion: "BE" },
      deviceDetail: { operatingSystem: "Ios" },
    });
    expect(TENANT_ID).toBe(tenant.tenantId);
  });
});
