import fc from "fast-check";
import { describe, expect, it } from "vitest";
import { normalizePolicy } from "./normalize-policy.js";
import type { ConditionalAccessPolicy } from "./types.js";

const GROUP = "5c9b3e7a-0d51-4c1e-9f3b-2b6c1a7d9e01";

function policyOf(raw: unknown): ConditionalAccessPolicy {
  const { policy } = normalizePolicy(raw);
  if (policy === null) throw new Error("no policy");
  return policy;
}

const minimal = {
  id: "p1",
  displayName: "MFA",
  state: "enabled",
  conditions: { users: { includeUsers: ["All"] }, applications: { includeApplications: ["All"] } },
  grantControls: { operator: "OR", builtInControls: ["mfa"] },
};

describe("normalizePolicy", () => {
  it("fills every collection of a minimal Graph policy and marks absent conditions as null", () => {
    const { policy, issues } = normalizePolicy(minimal);
    expect(issues).toEqual([]);
    expect(policy).toEqual({
      id: "p1",
      displayName: "MFA",
      state: "enabled",
      conditions: {
        users: {
          includeUsers: ["All"],
          excludeUsers: [],
          includeGroups: [],
          excludeGroups: [],
          includeRoles: [],
          excludeRoles: [],
          includeGuestsOrExternalUsers: null,
          excludeGuestsOrExternalUsers: null,
        },
        clientApplications: null,
        applications: {
          includeApplications: ["All"],
          excludeApplications: [],
          includeUserActions: [],
          includeAuthenticationContextClassReferences: [],
          applicationFilter: null,
        },
        clientAppTypes: [],
        platforms: null,
        locations: null,
        devices: null,
        signInRiskLevels: [],
        userRiskLevels: [],
        servicePrincipalRiskLevels: [],
        insiderRiskLevels: [],
        authenticationFlows: null,
        deviceStates: null,
      },
      grantControls: {
        operator: "OR",
        builtInControls: ["mfa"],
        customAuthenticationFactors: [],
        termsOfUse: [],
        authenticationStrength: null,
      },
      sessionControls: null,
    });
  });

  it("reads the PowerShell SDK dialect: PascalCase keys, /Date(ms)/ and all-null skeleton objects", () => {
    const policy = policyOf({
      Id: "p2",
      DisplayName: "Block legacy",
      State: "enabled",
      CreatedDateTime: "/Date(1656640539718)/",
      Conditions: {
        Users: {
          IncludeUsers: ["All"],
          IncludeGuestsOrExternalUsers: { ExternalTenants: { MembershipKind: null }, GuestOrExternalUserTypes: null },
        },
        Applications: { IncludeApplications: ["All"], ApplicationFilter: { Mode: null, Rule: null } },
        ClientAppTypes: ["exchangeActiveSync", "other"],
        ClientApplications: { IncludeServicePrincipals: null, ServicePrincipalFilter: { Mode: null, Rule: null } },
        Platforms: { IncludePlatforms: null, ExcludePlatforms: null },
        Devices: { DeviceFilter: { Mode: null, Rule: null }, IncludeDevices: null },
      },
      GrantControls: { Operator: "OR", BuiltInControls: ["block"], AuthenticationStrength: { Id: null, AllowedCombinations: null } },
      SessionControls: { SignInFrequency: { IsEnabled: null, Value: null }, PersistentBrowser: { IsEnabled: null, Mode: null } },
      AdditionalProperties: {},
    });
    expect(policy.createdDateTime).toBe("2022-07-01T01:55:39.718Z");
    expect(policy.conditions.users?.includeGuestsOrExternalUsers).toBeNull();
    expect(policy.conditions.applications?.applicationFilter).toBeNull();
    expect(policy.conditions.clientApplications).toBeNull();
    expect(policy.conditions.platforms).toBeNull();
    expect(policy.conditions.devices).toBeNull();
    expect(policy.conditions.clientAppTypes).toEqual(["exchangeActiveSync", "other"]);
    expect(policy.grantControls).toMatchObject({ operator: "OR", builtInControls: ["block"], authenticationStrength: null });
    expect(policy.sessionControls).toBeNull();
    expect(policy).not.toHaveProperty("additionalProperties");
  });

  it("reports a missing state as an error and reads the policy as disabled so it never enforces", () => {
    const { policy, issues } = normalizePolicy({ ...minimal, state: undefined });
    expect(policy?.state).toBe("disabled");
    expect(issues).toEqual([expect.objectContaining({ code: "missingState", severity: "error", path: "$.state" })]);
    expect(normalizePolicy({ ...minimal, state: "  " }).issues[0]?.code).toBe("missingState");
  });

  it("keeps an empty id and displayName when they are missing (the loader assigns ids)", () => {
    const { policy, issues } = normalizePolicy({ state: "disabled" });
    expect(policy).toMatchObject({ id: "", displayName: "", state: "disabled" });
    expect(issues).toEqual([]);
  });

  it("reads locations: [] (an array where an object belongs) as not configured", () => {
    const { policy, issues } = normalizePolicy({ ...minimal, conditions: { ...minimal.conditions, locations: [] } });
    expect(policy?.conditions.locations).toBeNull();
    expect(issues).toEqual([]);
  });

  it("reports a non-empty array where an object belongs", () => {
    const { policy, issues } = normalizePolicy({ ...minimal, conditions: { ...minimal.conditions, locations: ["All"] } });
    expect(policy?.conditions.locations).toBeNull();
    expect(issues).toEqual([expect.objectContaining({ code: "wrongType", severity: "error", path: "$.conditions.locations" })]);
  });

  it("splits comma-joined flag enums and also accepts arrays", () => {
    const policy = policyOf({
      ...minimal,
      conditions: {
        ...minimal.conditions,
        users: {
          includeUsers: ["None"],
          includeGuestsOrExternalUsers: {
            guestOrExternalUserTypes: "internalGuest, B2bCollaborationGuest,b2bDirectConnectUser",
            externalTenants: { membershipKind: "all" },
          },
          excludeGuestsOrExternalUsers: { guestOrExternalUserTypes: ["serviceProvider", "otherExternalUser,serviceProvider"] },
        },
        authenticationFlows: { transferMethods: "deviceCodeFlow,authenticationTransfer" },
        insiderRiskLevels: "elevated",
      },
    });
    expect(policy.conditions.users?.includeGuestsOrExternalUsers?.guestOrExternalUserTypes).toEqual([
      "internalGuest",
      "b2bCollaborationGuest",
      "b2bDirectConnectUser",
    ]);
    expect(policy.conditions.users?.excludeGuestsOrExternalUsers?.guestOrExternalUserTypes).toEqual([
      "serviceProvider",
      "otherExternalUser",
    ]);
    expect(policy.conditions.authenticationFlows?.transferMethods).toEqual(["deviceCodeFlow", "authenticationTransfer"]);
    expect(policy.conditions.insiderRiskLevels).toEqual(["elevated"]);
    expect(
      policyOf({ ...minimal, conditions: { ...minimal.conditions, insiderRiskLevels: ["minor", "moderate"] } }).conditions
        .insiderRiskLevels,
    ).toEqual(["minor", "moderate"]);
  });

  it("restores Graph's documented spelling of enum values and keywords", () => {
    const policy = policyOf({
      displayName: "x",
      state: "EnabledForReportingButNotEnforced",
      conditions: {
        users: { includeUsers: ["all"], excludeUsers: ["guestsorexternalusers"] },
        applications: {
          includeApplications: ["office365"],
          excludeApplications: ["MICROSOFTADMINPORTALS"],
          includeUserActions: ["URN:USER:REGISTERSECURITYINFO"],
        },
        clientAppTypes: ["All", "MobileAppsAndDesktopClients"],
        platforms: { includePlatforms: ["IOS", "MacOS", "WindowsPhone"], excludePlatforms: ["ANDROID"] },
        locations: { includeLocations: ["all"], excludeLocations: ["alltrusted"] },
        clientApplications: { includeServicePrincipals: ["serviceprincipalsinmytenant"] },
        signInRiskLevels: ["High", "MEDIUM"],
        userRiskLevels: ["unknownfuturevalue"],
      },
      grantControls: { operator: "and", builtInControls: ["MFA", "CompliantDevice"] },
      sessionControls: { cloudAppSecurity: { isEnabled: true, cloudAppSecurityType: "BlockDownloads" } },
    });
    expect(policy.state).toBe("enabledForReportingButNotEnforced");
    expect(policy.conditions.users?.includeUsers).toEqual(["All"]);
    expect(policy.conditions.users?.excludeUsers).toEqual(["GuestsOrExternalUsers"]);
    expect(policy.conditions.applications?.includeApplications).toEqual(["Office365"]);
    expect(policy.conditions.applications?.excludeApplications).toEqual(["MicrosoftAdminPortals"]);
    expect(policy.conditions.applications?.includeUserActions).toEqual(["urn:user:registersecurityinfo"]);
    expect(policy.conditions.clientAppTypes).toEqual(["all", "mobileAppsAndDesktopClients"]);
    expect(policy.conditions.platforms).toEqual({ includePlatforms: ["iOS", "macOS", "windowsPhone"], excludePlatforms: ["android"] });
    expect(policy.conditions.locations).toEqual({ includeLocations: ["All"], excludeLocations: ["AllTrusted"] });
    expect(policy.conditions.clientApplications?.includeServicePrincipals).toEqual(["ServicePrincipalsInMyTenant"]);
    expect(policy.conditions.signInRiskLevels).toEqual(["high", "medium"]);
    expect(policy.conditions.userRiskLevels).toEqual(["unknownFutureValue"]);
    expect(policy.grantControls).toMatchObject({ operator: "AND", builtInControls: ["mfa", "compliantDevice"] });
    expect(policy.sessionControls?.cloudAppSecurity).toEqual({ isEnabled: true, cloudAppSecurityType: "blockDownloads" });
  });

  it("keeps unknown values verbatim for the validator instead of dropping them", () => {
    const policy = policyOf({
      ...minimal,
      conditions: { ...minimal.conditions, clientAppTypes: ["hologram"] },
      grantControls: { builtInControls: ["telepathy"] },
    });
    expect(policy.conditions.clientAppTypes).toEqual(["hologram"]);
    expect(policy.grantControls?.builtInControls).toEqual(["telepathy"]);
  });

  it("preserves unknown members on the policy and on nested objects, keys normalized", () => {
    const policy = policyOf({
      ...minimal,
      PartialEnablementStrategy: null,
      FutureMember: { Nested: 1 },
      conditions: {
        ...minimal.conditions,
        AgentIdRiskLevels: "high",
        users: { includeUsers: ["None"], IncludeAgentUsers: ["All"] },
        clientApplications: { includeServicePrincipals: [], includeAgentIdServicePrincipals: ["All"] },
      },
      sessionControls: { networkAccessSecurity: { isEnabled: true } },
    });
    expect(policy.partialEnablementStrategy).toBeNull();
    expect(policy.futureMember).toEqual({ nested: 1 });
    expect(policy.conditions.agentIdRiskLevels).toBe("high");
    expect(policy.conditions.users).toMatchObject({ includeUsers: ["None"], includeAgentUsers: ["All"] });
    expect(policy.conditions.clientApplications).toMatchObject({ includeServicePrincipals: [], includeAgentIdServicePrincipals: ["All"] });
    expect(policy.sessionControls?.networkAccessSecurity).toEqual({ isEnabled: true });
  });

  it("reads a grant with an operator but no control as no grant requirement", () => {
    expect(policyOf({ ...minimal, grantControls: { operator: "OR", builtInControls: [], termsOfUse: [] } }).grantControls).toBeNull();
  });

  it("reads a missing operator as AND and warns only when several controls are combined", () => {
    const single = normalizePolicy({ ...minimal, grantControls: { builtInControls: ["mfa"] } });
    expect(single.policy?.grantControls?.operator).toBe("AND");
    expect(single.issues).toEqual([]);
    const several = normalizePolicy({ ...minimal, grantControls: { builtInControls: ["mfa"], termsOfUse: [GROUP] } });
    expect(several.policy?.grantControls?.operator).toBe("AND");
    expect(several.issues).toEqual([
      expect.objectContaining({ code: "missingOperator", severity: "warning", path: "$.grantControls.operator" }),
    ]);
  });

  it("keeps the authentication strength reference with its @odata.type and reports a missing id", () => {
    const strength = {
      "@odata.type": "#microsoft.graph.authenticationStrengthPolicy",
      id: "00000000-0000-0000-0000-000000000004",
      displayName: "Phishing-resistant MFA",
    };
    expect(
      policyOf({ ...minimal, grantControls: { operator: "OR", authenticationStrength: strength } }).grantControls?.authenticationStrength,
    ).toEqual(strength);
    const missing = normalizePolicy({ ...minimal, grantControls: { operator: "OR", authenticationStrength: { displayName: "x" } } });
    expect(missing.issues).toEqual([
      expect.objectContaining({ code: "missingAuthenticationStrengthId", path: "$.grantControls.authenticationStrength.id" }),
    ]);
  });

  it("infers the external tenants kind and @odata.type", () => {
    const tenant = "0f3e7a1c-2b4d-4e5f-8a9b-0c1d2e3f4a5b";
    const policy = policyOf({
      ...minimal,
      conditions: {
        ...minimal.conditions,
        users: {
          includeUsers: ["None"],
          includeGuestsOrExternalUsers: { guestOrExternalUserTypes: "b2bCollaborationGuest", externalTenants: { members: [tenant] } },
          excludeGuestsOrExternalUsers: {
            guestOrExternalUserTypes: "serviceProvider",
            externalTenants: { "@odata.type": "#microsoft.graph.conditionalAccessAllExternalTenants" },
          },
        },
      },
    });
    expect(policy.conditions.users?.includeGuestsOrExternalUsers?.externalTenants).toEqual({
      "@odata.type": "#microsoft.graph.conditionalAccessEnumeratedExternalTenants",
      membershipKind: "enumerated",
      members: [tenant],
    });
    expect(policy.conditions.users?.excludeGuestsOrExternalUsers?.externalTenants).toEqual({
      "@odata.type": "#microsoft.graph.conditionalAccessAllExternalTenants",
      membershipKind: "all",
    });
  });

  it("reads session controls, coercing numeric strings and assuming isEnabled when settings are given", () => {
    const { policy, issues } = normalizePolicy({
      ...minimal,
      sessionControls: {
        signInFrequency: { value: "12", type: "Hours" },
        persistentBrowser: { isEnabled: "True", mode: "Never" },
        disableResilienceDefaults: false,
        continuousAccessEvaluation: { mode: "strictLocation" },
      },
    });
    expect(policy?.sessionControls).toEqual({
      signInFrequency: { isEnabled: true, value: 12, type: "hours" },
      persistentBrowser: { isEnabled: true, mode: "never" },
      disableResilienceDefaults: false,
      continuousAccessEvaluation: { mode: "strictLocation" },
    });
    expect(issues).toEqual([
      expect.objectContaining({ code: "missingIsEnabled", severity: "warning", path: "$.sessionControls.signInFrequency.isEnabled" }),
    ]);
  });

  it("keeps the deprecated device states and device include/exclude lists", () => {
    const policy = policyOf({
      ...minimal,
      conditions: {
        ...minimal.conditions,
        deviceStates: { includeStates: ["all"], excludeStates: ["compliant"] },
        devices: { excludeDevices: ["domainjoined"] },
      },
    });
    expect(policy.conditions.deviceStates).toEqual({ includeStates: ["All"], excludeStates: ["Compliant"] });
    expect(policy.conditions.devices).toEqual({ deviceFilter: null, excludeDevices: ["DomainJoined"] });
  });

  it("reports wrong types with their paths and still returns a usable policy", () => {
    const { policy, issues } = normalizePolicy({
      ...minimal,
      displayName: 42,
      conditions: { users: { includeUsers: 7, includeGroups: [GROUP, 12, null, "  "], excludeGroups: GROUP }, applications: "All" },
    });
    expect(policy?.displayName).toBe("");
    expect(policy?.conditions.users?.includeUsers).toEqual([]);
    expect(policy?.conditions.users?.includeGroups).toEqual([GROUP]);
    expect(policy?.conditions.users?.excludeGroups).toEqual([GROUP]);
    expect(policy?.conditions.applications).toBeNull();
    expect(issues.map((i) => [i.code, i.severity, i.path])).toEqual([
      ["wrongType", "error", "$.displayName"],
      ["wrongType", "error", "$.conditions.users.includeUsers"],
      ["wrongType", "error", "$.conditions.users.includeGroups[1]"],
      ["coercedToArray", "warning", "$.conditions.users.excludeGroups"],
      ["wrongType", "error", "$.conditions.applications"],
    ]);
  });

  it("uses the given base path for issues", () => {
    expect(normalizePolicy({}, "$.value[3]").issues[0]?.path).toBe("$.value[3].state");
  });

  it("returns no policy for input that is not an object", () => {
    for (const raw of [null, 42, "policy", [minimal]]) {
      const { policy, issues } = normalizePolicy(raw);
      expect(policy).toBeNull();
      expect(issues).toEqual([expect.objectContaining({ code: "notAnObject", severity: "error", path: "$" })]);
    }
  });

  it("is idempotent: normalizing a normalized policy changes nothing (property)", () => {
    fc.assert(
      fc.property(
        fc.record({
          state: fc.constantFrom("Enabled", "disabled", "ENABLEDFORREPORTINGBUTNOTENFORCED"),
          includeUsers: fc.array(fc.constantFrom("all", "None", GROUP)),
          clientAppTypes: fc.oneof(fc.constant(null), fc.array(fc.constantFrom("All", "browser", "Other"))),
          guestTypes: fc.oneof(fc.constant(null), fc.constantFrom("internalGuest,serviceProvider", "B2bDirectConnectUser")),
          operator: fc.constantFrom("and", "OR", undefined),
          controls: fc.array(fc.constantFrom("MFA", "block", "compliantdevice")),
        }),
        (r) => {
          const first = policyOf({
            displayName: "p",
            state: r.state,
            conditions: {
              users: { includeUsers: r.includeUsers, includeGuestsOrExternalUsers: { guestOrExternalUserTypes: r.guestTypes } },
              applications: { includeApplications: ["All"] },
              clientAppTypes: r.clientAppTypes,
            },
            grantControls: { operator: r.operator, builtInControls: r.controls },
          });
          expect(normalizePolicy(first).policy).toEqual(first);
        },
      ),
    );
  });

  it("never throws and always yields arrays for list fields, whatever the input (property)", () => {
    const anyPolicyish = fc.record(
      {
        state: fc.anything(),
        displayName: fc.anything(),
        conditions: fc.oneof(
          fc.anything(),
          fc.record({
            users: fc.anything(),
            applications: fc.anything(),
            clientAppTypes: fc.anything(),
            locations: fc.anything(),
            insiderRiskLevels: fc.anything(),
          }),
        ),
        grantControls: fc.oneof(
          fc.anything(),
          fc.record({ operator: fc.anything(), builtInControls: fc.anything(), authenticationStrength: fc.anything() }),
        ),
        sessionControls: fc.oneof(fc.anything(), fc.record({ signInFrequency: fc.anything(), persistentBrowser: fc.anything() })),
      },
      { requiredKeys: [] },
    );
    fc.assert(
      fc.property(fc.oneof(fc.anything(), anyPolicyish), (raw) => {
        const { policy } = normalizePolicy(raw);
        if (policy === null) return;
        expect(Array.isArray(policy.conditions.clientAppTypes)).toBe(true);
        expect(Array.isArray(policy.conditions.insiderRiskLevels)).toBe(true);
        expect(typeof policy.state).toBe("string");
        if (policy.conditions.users) expect(Array.isArray(policy.conditions.users.includeUsers)).toBe(true);
        if (policy.grantControls) expect(Array.isArray(policy.grantControls.builtInControls)).toBe(true);
      }),
    );
  });
});
