import fc from "fast-check";
import { describe, expect, it } from "vitest";
import { normalizePolicy } from "./normalize-policy.js";
import type { ValidationIssue } from "./types.js";
import type { ValidationContext } from "./validate-policy.js";
import { validatePolicy } from "./validate-policy.js";

const GROUP = "5c9b3e7a-0d51-4c1e-9f3b-2b6c1a7d9e01";
const USER = "7d2e4f60-1a3b-4c5d-8e9f-0a1b2c3d4e5f";
const SP = "3f1a2b3c-4d5e-4f60-8a7b-9c0d1e2f3a4b";
const LOCATION = "9a8b7c6d-5e4f-4a3b-8c2d-1e0f9a8b7c6d";

type Raw = Record<string, unknown>;

const base = (): Raw => ({
  id: "p",
  displayName: "Baseline",
  state: "enabled",
  conditions: {
    users: { includeUsers: ["All"], excludeGroups: [GROUP] },
    applications: { includeApplications: ["All"] },
    clientAppTypes: ["all"],
  },
  grantControls: { operator: "OR", builtInControls: ["mfa"] },
});

/** A raw policy with `patch` merged one level into conditions/grant/session. */
function raw(patch: { conditions?: Raw; grantControls?: Raw | null; sessionControls?: Raw; top?: Raw } = {}): Raw {
  const b = base();
  return {
    ...b,
    ...patch.top,
    conditions: { ...(b.conditions as Raw), ...patch.conditions },
    grantControls: patch.grantControls === null ? null : { ...(b.grantControls as Raw), ...patch.grantControls },
    ...(patch.sessionControls ? { sessionControls: patch.sessionControls } : {}),
  };
}

function validate(input: Raw, context?: ValidationContext): ValidationIssue[] {
  const { policy, issues } = normalizePolicy(input);
  if (policy === null) throw new Error("no policy");
  expect(issues.filter((i) => i.severity === "error")).toEqual([]);
  return validatePolicy(policy, context);
}

const codes = (issues: readonly ValidationIssue[]): string[] => issues.map((i) => `${i.severity}:${i.code}@${i.path}`);

describe("validatePolicy", () => {
  it("accepts a complete, valid policy without any issue", () => {
    const issues = validate(
      raw({
        conditions: {
          users: {
            includeUsers: ["All"],
            excludeUsers: ["GuestsOrExternalUsers", USER],
            excludeRoles: ["62e90394-69f5-4237-9190-012177145e10"],
            includeGuestsOrExternalUsers: { guestOrExternalUserTypes: "b2bCollaborationGuest", externalTenants: { membershipKind: "all" } },
          },
          applications: { includeApplications: ["All"], excludeApplications: ["Office365"] },
          platforms: { includePlatforms: ["all"], excludePlatforms: ["iOS", "android"] },
          locations: { includeLocations: ["All"], excludeLocations: ["AllTrusted", LOCATION] },
          devices: { deviceFilter: { mode: "exclude", rule: 'device.isCompliant -eq True -and device.trustType -eq "AzureAD"' } },
          signInRiskLevels: ["high", "medium"],
          authenticationFlows: { transferMethods: "deviceCodeFlow" },
        },
        grantControls: { operator: "OR", builtInControls: ["mfa", "compliantDevice"], termsOfUse: [GROUP] },
        sessionControls: {
          signInFrequency: { isEnabled: true, value: 4, type: "hours", frequencyInterval: "timeBased" },
          persistentBrowser: { isEnabled: true, mode: "never" },
        },
      }),
    );
    expect(issues).toEqual([]);
  });

  describe("enums", () => {
    it("reports an unknown enum value as an error naming the value", () => {
      const issues = validate(raw({ conditions: { clientAppTypes: ["hologram"] } }));
      expect(codes(issues)).toEqual(["error:unknownEnumValue@$.conditions.clientAppTypes[0]"]);
      expect(issues[0]?.message).toContain('"hologram"');
      expect(issues[0]?.message).toContain("mobileAppsAndDesktopClients");
    });

    it("reports unknown state, operator, platform, risk level and grant control values", () => {
      const issues = validate(
        raw({
          top: { state: "on" },
          conditions: { platforms: { includePlatforms: ["chromeOS"] }, userRiskLevels: ["severe"] },
          grantControls: { operator: "XOR", builtInControls: ["telepathy"] },
        }),
      );
      expect(codes(issues)).toEqual([
        "error:unknownEnumValue@$.state",
        "error:unknownEnumValue@$.conditions.platforms.includePlatforms[0]",
        "error:unknownEnumValue@$.conditions.userRiskLevels[0]",
        "error:unknownEnumValue@$.grantControls.operator",
        "error:unknownEnumValue@$.grantControls.builtInControls[0]",
      ]);
    });

    it("warns on unknownFutureValue, preview and deprecated values instead of rejecting them", () => {
      const issues = validate(
        raw({
          conditions: { clientAppTypes: ["easUnsupported"], signInRiskLevels: ["unknownFutureValue"] },
          grantControls: { operator: "AND", builtInControls: ["riskRemediation"] },
        }),
      );
      expect(codes(issues)).toEqual([
        "warning:deprecatedValue@$.conditions.clientAppTypes[0]",
        "warning:unknownFutureValue@$.conditions.signInRiskLevels[0]",
        "warning:previewValue@$.grantControls.builtInControls[0]",
      ]);
    });
  });

  describe("grant controls (R35, R36)", () => {
    it("rejects mfa together with an authentication strength (R36)", () => {
      const issues = validate(raw({ grantControls: { authenticationStrength: { id: "00000000-0000-0000-0000-000000000002" } } }));
      expect(codes(issues)).toEqual(["error:mfaWithAuthenticationStrength@$.grantControls.authenticationStrength"]);
    });

    it("rejects block combined with any other control (R35)", () => {
      expect(codes(validate(raw({ grantControls: { builtInControls: ["block", "mfa"] } })))).toEqual([
        "error:blockWithOtherControls@$.grantControls.builtInControls",
      ]);
      expect(codes(validate(raw({ grantControls: { builtInControls: ["block"], termsOfUse: [GROUP] } })))).toEqual([
        "error:blockWithOtherControls@$.grantControls.builtInControls",
      ]);
      expect(validate(raw({ grantControls: { builtInControls: ["block"] } }))).toEqual([]);
    });

    it("accepts password change with mfa, AND, user risk and All applications (R36)", () => {
      const issues = validate(
        raw({ conditions: { userRiskLevels: ["high"] }, grantControls: { operator: "AND", builtInControls: ["mfa", "passwordChange"] } }),
      );
      expect(issues).toEqual([]);
      const strength = validate(
        raw({
          conditions: { userRiskLevels: ["high"] },
          grantControls: {
            operator: "AND",
            builtInControls: ["passwordChange"],
            authenticationStrength: { id: "00000000-0000-0000-0000-000000000002" },
          },
        }),
      );
      expect(strength).toEqual([]);
    });

    it("lists every unmet password change requirement (R36)", () => {
      const issues = validate(
        raw({
          conditions: { applications: { includeApplications: ["Office365"] } },
          grantControls: { operator: "OR", builtInControls: ["passwordChange", "compliantDevice"] },
        }),
      );
      expect(codes(issues)).toEqual(["error:passwordChangeRequirements@$.grantControls.builtInControls"]);
      expect(issues[0]?.message).toBe(
        "passwordChange requires mfa or an authentication strength, operator AND, a userRiskLevels condition, All applications with no exclusions (R36)",
      );
      const excluded = validate(
        raw({
          conditions: { userRiskLevels: ["high"], applications: { includeApplications: ["All"], excludeApplications: ["Office365"] } },
          grantControls: { operator: "AND", builtInControls: ["mfa", "passwordChange"] },
        }),
      );
      expect(excluded[0]?.message).toBe("passwordChange requires All applications with no exclusions (R36)");
    });
  });

  describe("workload identities (R16)", () => {
    const workload = (patch: { conditions?: Raw; grantControls?: Raw } = {}): Raw =>
      raw({
        conditions: {
          users: { includeUsers: ["None"] },
          clientApplications: { includeServicePrincipals: ["ServicePrincipalsInMyTenant"] },
          ...patch.conditions,
        },
        grantControls: { builtInControls: ["block"], ...patch.grantControls },
      });

    it("accepts a block policy with locations and service principal risk", () => {
      expect(
        validate(
          workload({
            conditions: {
              locations: { includeLocations: ["All"], excludeLocations: ["AllTrusted"] },
              servicePrincipalRiskLevels: ["high"],
            },
          }),
        ),
      ).toEqual([]);
    });

    it("rejects grants other than block", () => {
      expect(codes(validate(workload({ grantControls: { builtInControls: ["mfa"] } })))).toEqual([
        "error:workloadIdentityGrant@$.grantControls",
      ]);
    });

    it("rejects device, platform and client app conditions", () => {
      const issues = validate(
        workload({
          conditions: {
            platforms: { includePlatforms: ["all"] },
            clientAppTypes: ["browser"],
            devices: { deviceFilter: { mode: "include", rule: 'device.trustType -eq "AzureAD"' } },
          },
        }),
      );
      expect(codes(issues)).toEqual([
        "error:workloadIdentityCondition@$.conditions.platforms",
        "error:workloadIdentityCondition@$.conditions.devices",
        "error:workloadIdentityCondition@$.conditions.clientAppTypes",
      ]);
    });

    it("rejects a policy that targets users and workload identities together", () => {
      expect(codes(validate(workload({ conditions: { users: { includeUsers: ["All"] } } })))).toEqual([
        "error:usersAndWorkloadIdentities@$.conditions.users",
      ]);
    });
  });

  describe("resources (§1.6)", () => {
    it("rejects a policy mixing applications, user actions and authentication contexts", () => {
      const issues = validate(
        raw({
          conditions: {
            applications: {
              includeApplications: ["All"],
              includeUserActions: ["urn:user:registersecurityinfo"],
              includeAuthenticationContextClassReferences: ["c1"],
            },
          },
        }),
      );
      expect(codes(issues)).toEqual(["error:mixedResourceKinds@$.conditions.applications"]);
      expect(issues[0]?.message).toContain("applications and user actions and authentication contexts");
    });

    it("accepts a user action with includeApplications None or empty", () => {
      expect(
        validate(
          raw({ conditions: { applications: { includeApplications: ["None"], includeUserActions: ["urn:user:registersecurityinfo"] } } }),
        ),
      ).toEqual([]);
      expect(validate(raw({ conditions: { applications: { includeUserActions: ["urn:user:registersecurityinfo"] } } }))).toEqual([]);
    });

    it("accepts authentication contexts c1 to c99 only", () => {
      const issues = validate(
        raw({ conditions: { applications: { includeAuthenticationContextClassReferences: ["c1", "c99", "c0", "c100", "cx"] } } }),
      );
      expect(codes(issues)).toEqual([
        "error:invalidAuthenticationContext@$.conditions.applications.includeAuthenticationContextClassReferences[2]",
        "error:invalidAuthenticationContext@$.conditions.applications.includeAuthenticationContextClassReferences[3]",
        "error:invalidAuthenticationContext@$.conditions.applications.includeAuthenticationContextClassReferences[4]",
      ]);
    });

    it("allows only mfa or an authentication strength for register or join devices (R22)", () => {
      const registerDevice = { applications: { includeUserActions: ["urn:user:registerdevice"] } };
      expect(validate(raw({ conditions: registerDevice }))).toEqual([]);
      expect(codes(validate(raw({ conditions: registerDevice, grantControls: { builtInControls: ["compliantDevice"] } })))).toEqual([
        "error:userActionGrant@$.grantControls",
      ]);
    });

    it("requires an applications condition and a subject (§1.2, §1.3)", () => {
      const issues = validate({ displayName: "x", state: "enabled", conditions: {} });
      expect(codes(issues)).toEqual(["error:missingSubject@$.conditions.users", "error:missingApplications@$.conditions.applications"]);
    });
  });

  describe("object ids", () => {
    it("reports placeholders where ids belong", () => {
      const issues = validate(
        raw({
          conditions: {
            users: {
              includeUsers: ["All"],
              excludeUsers: ["Current administrator will be excluded"],
              excludeGroups: ["<EmergencyAccessAccountsGroup>", "%BreakGlass%"],
            },
          },
        }),
      );
      expect(codes(issues)).toEqual([
        "error:placeholder@$.conditions.users.excludeUsers[0]",
        "error:placeholder@$.conditions.users.excludeGroups[0]",
        "error:placeholder@$.conditions.users.excludeGroups[1]",
      ]);
      expect(issues[1]?.message).toContain("<EmergencyAccessAccountsGroup>");
    });

    it("reports display names and UPNs where ids belong, with a suggested fix", () => {
      const issues = validate(
        raw({
          conditions: {
            users: {
              includeUsers: ["William Overweg", "william@example.com"],
              includeRoles: ["Helpdesk Administrator", "Company Administrator", "Search Editor"],
            },
            applications: { includeApplications: ["Office 365", "Microsoft Azure Management"] },
            locations: { includeLocations: ["All"], excludeLocations: ["Head office"] },
          },
        }),
      );
      const byPath = new Map(issues.map((i) => [i.path, i]));
      expect(issues.every((i) => i.code === "notAnObjectId" && i.severity === "error")).toBe(true);
      expect(byPath.get("$.conditions.users.includeUsers[0]")?.message).toBe(
        '"William Overweg" in includeUsers is not an object id (GUID); use the user\'s object id (GUID) or one of the keywords All, None, GuestsOrExternalUsers',
      );
      expect(byPath.get("$.conditions.users.includeUsers[1]")?.message).toContain("user principal name");
      expect(byPath.get("$.conditions.users.includeRoles[0]")?.message).toContain(
        "729827e3-9c14-49f7-bb1b-9608f156bbb8 (Helpdesk Administrator)",
      );
      expect(byPath.get("$.conditions.users.includeRoles[1]")?.message).toContain(
        "62e90394-69f5-4237-9190-012177145e10 (Global Administrator)",
      );
      expect(byPath.get("$.conditions.users.includeRoles[2]")?.message).toContain("role template id (GUID)");
      expect(byPath.get("$.conditions.applications.includeApplications[0]")?.message).toContain("did you mean the keyword Office365?");
      expect(byPath.get("$.conditions.applications.includeApplications[1]")?.message).toContain("797f4846-ba00-4fd7-ba43-dac1f8f63013");
      expect(byPath.get("$.conditions.locations.excludeLocations[0]")?.message).toContain("named location's id");
      expect(issues).toHaveLength(8);
    });

    it("reports keywords used where they are not allowed", () => {
      const issues = validate(
        raw({
          conditions: {
            users: { includeUsers: ["All"], excludeUsers: ["All"], includeRoles: ["None"] },
            locations: { includeLocations: ["AllTrusted"], excludeLocations: ["All"] },
          },
        }),
      );
      expect(codes(issues)).toEqual([
        "error:keywordNotAllowed@$.conditions.users.excludeUsers[0]",
        "error:keywordNotAllowed@$.conditions.users.includeRoles[0]",
        "error:keywordNotAllowed@$.conditions.locations.excludeLocations[0]",
      ]);
    });

    it("warns about references the tenant does not have, only for kinds the context knows", () => {
      const policy = raw({
        conditions: {
          users: {
            includeUsers: [USER.toUpperCase()],
            excludeGroups: [GROUP, "11111111-2222-4333-8444-555555555555"],
            includeRoles: ["62e90394-69f5-4237-9190-012177145e10"],
          },
          locations: { includeLocations: ["All"], excludeLocations: [LOCATION] },
        },
      });
      const issues = validate(policy, { userIds: new Set([USER]), groupIds: new Set([GROUP]), roleTemplateIds: new Set() });
      expect(codes(issues)).toEqual([
        "warning:unknownReference@$.conditions.users.excludeGroups[1]",
        "warning:unknownReference@$.conditions.users.includeRoles[0]",
      ]);
      expect(validate(policy)).toEqual([]);
    });

    it("checks the authentication strength id against the tenant", () => {
      const policy = raw({
        grantControls: { builtInControls: [], authenticationStrength: { id: "a7a09591-49c1-4f33-bb37-76f0b6abf067" } },
      });
      expect(codes(validate(policy, { authenticationStrengthIds: new Set(["00000000-0000-0000-0000-000000000002"]) }))).toEqual([
        "warning:unknownReference@$.grantControls.authenticationStrength.id",
      ]);
      expect(
        codes(validate(raw({ grantControls: { builtInControls: [], authenticationStrength: { id: "Phishing-resistant MFA" } } }))),
      ).toEqual(["error:notAnObjectId@$.grantControls.authenticationStrength.id"]);
    });
  });

  describe("filters", () => {
    it("reports an invalid device filter rule with its position", () => {
      const issues = validate(
        raw({ conditions: { devices: { deviceFilter: { mode: "exclude", rule: "device.isCompliant -eq True -and" } } } }),
      );
      expect(codes(issues)).toEqual(["error:invalidFilterRule@$.conditions.devices.deviceFilter.rule"]);
      expect(issues[0]?.message).toMatch(/^deviceFilter rule is invalid at character \d+: /);
    });

    it("reports unknown device properties and a missing or unknown mode", () => {
      expect(
        codes(validate(raw({ conditions: { devices: { deviceFilter: { mode: "include", rule: 'device.colour -eq "red"' } } } }))),
      ).toEqual(["error:invalidFilterRule@$.conditions.devices.deviceFilter.rule"]);
      expect(codes(validate(raw({ conditions: { devices: { deviceFilter: { rule: 'device.model -eq "x"' } } } })))).toEqual([
        "error:missingValue@$.conditions.devices.deviceFilter.mode",
      ]);
      expect(codes(validate(raw({ conditions: { devices: { deviceFilter: { mode: "only", rule: "" } } } })))).toEqual([
        "error:unknownEnumValue@$.conditions.devices.deviceFilter.mode",
        "error:invalidFilterRule@$.conditions.devices.deviceFilter.rule",
      ]);
    });

    it("parses application and service principal filters as custom security attribute rules", () => {
      const rule = 'CustomSecurityAttribute.ConditionalAccessTest_policyRequirement -contains "requireMFA"';
      expect(validate(raw({ conditions: { applications: { applicationFilter: { mode: "include", rule } } } }))).toEqual([]);
      expect(
        codes(validate(raw({ conditions: { applications: { applicationFilter: { mode: "include", rule: 'device.model -eq "x"' } } } }))),
      ).toEqual(["error:invalidFilterRule@$.conditions.applications.applicationFilter.rule"]);
      const workload = raw({
        conditions: {
          users: { includeUsers: ["None"] },
          clientApplications: {
            includeServicePrincipals: [SP],
            servicePrincipalFilter: { mode: "exclude", rule: "CustomSecurityAttribute.x -eq" },
          },
        },
        grantControls: { builtInControls: ["block"] },
      });
      const issues = validate(workload);
      expect(issues.length).toBeGreaterThan(0);
      expect(new Set(codes(issues))).toEqual(
        new Set(["error:invalidFilterRule@$.conditions.clientApplications.servicePrincipalFilter.rule"]),
      );
    });
  });

  describe("other constraints", () => {
    it("requires a display name and warns about a placeholder in it", () => {
      expect(codes(validate(raw({ top: { displayName: "" } })))).toEqual(["error:missingDisplayName@$.displayName"]);
      expect(codes(validate(raw({ top: { displayName: "100 - <RING> - MFA" } })))).toEqual(["warning:placeholder@$.displayName"]);
    });

    it("rejects device states combined with a device filter and external tenants without guest types", () => {
      const issues = validate(
        raw({
          conditions: {
            deviceStates: { includeStates: ["All"], excludeStates: ["Compliant"] },
            devices: { deviceFilter: { mode: "include", rule: 'device.model -eq "x"' } },
            users: { includeUsers: ["All"], excludeGuestsOrExternalUsers: { externalTenants: { membershipKind: "all" } } },
          },
        }),
      );
      expect(codes(issues)).toEqual([
        "error:deviceStatesWithDeviceFilter@$.conditions.deviceStates",
        "error:externalTenantsWithoutTypes@$.conditions.users.excludeGuestsOrExternalUsers.externalTenants",
      ]);
    });

    it("requires a value and unit for a time-based sign-in frequency", () => {
      expect(
        codes(validate(raw({ sessionControls: { signInFrequency: { isEnabled: true, frequencyInterval: "timeBased", value: 0 } } }))),
      ).toEqual([
        "error:invalidSignInFrequency@$.sessionControls.signInFrequency.value",
        "error:invalidSignInFrequency@$.sessionControls.signInFrequency.type",
      ]);
      expect(
        validate(
          raw({
            sessionControls: {
              signInFrequency: { isEnabled: true, frequencyInterval: "everyTime", authenticationType: "primaryAndSecondaryAuthentication" },
            },
          }),
        ),
      ).toEqual([]);
    });

    it("warns about configured members Gatehouse does not evaluate", () => {
      const issues = validate(
        raw({ conditions: { agentIdRiskLevels: "high", times: null }, sessionControls: { networkAccessSecurity: { isEnabled: true } } }),
      );
      expect(codes(issues)).toEqual([
        "warning:unsupportedMember@$.conditions.agentIdRiskLevels",
        "warning:unsupportedMember@$.sessionControls.networkAccessSecurity",
      ]);
    });

    it("prefixes every path with the base path", () => {
      const { policy } = normalizePolicy(raw({ top: { displayName: "" } }));
      if (!policy) throw new Error("no policy");
      expect(validatePolicy(policy, undefined, "$.value[2]").map((i) => i.path)).toEqual(["$.value[2].displayName"]);
    });
  });

  it("never throws on any normalized policy (property)", () => {
    const value = fc.oneof(fc.string(), fc.constantFrom("All", "None", "mfa", "block", GROUP, "<x>", "c5"), fc.anything());
    fc.assert(
      fc.property(
        fc.record({
          users: fc.dictionary(fc.constantFrom("includeUsers", "excludeUsers", "includeRoles", "includeGuestsOrExternalUsers"), value),
          applications: fc.dictionary(
            fc.constantFrom(
              "includeApplications",
              "includeUserActions",
              "includeAuthenticationContextClassReferences",
              "applicationFilter",
            ),
            value,
          ),
          clientApplications: fc.dictionary(fc.constantFrom("includeServicePrincipals", "servicePrincipalFilter"), value),
          grant: fc.dictionary(fc.constantFrom("operator", "builtInControls", "authenticationStrength", "termsOfUse"), value),
          devices: fc.dictionary(fc.constantFrom("deviceFilter"), fc.record({ mode: value, rule: value })),
        }),
        (r) => {
          const { policy } = normalizePolicy({
            displayName: "x",
            state: "enabled",
            conditions: { users: r.users, applications: r.applications, clientApplications: r.clientApplications, devices: r.devices },
            grantControls: r.grant,
          });
          if (policy === null) throw new Error("no policy");
          const issues = validatePolicy(policy, { groupIds: new Set() });
          expect(issues.every((i) => i.path.startsWith("$") && i.message.length > 0)).toBe(true);
          expect(issues.some((i) => i.code === "unreadable")).toBe(false);
        },
      ),
    );
  });
});
