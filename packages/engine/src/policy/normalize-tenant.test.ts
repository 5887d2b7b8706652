import fc from "fast-check";
import { describe, expect, it } from "vitest";
import { normalizeTenant } from "./normalize-tenant.js";

const USER = "7d2e4f60-1a3b-4c5d-8e9f-0a1b2c3d4e5f";
const GROUP = "5c9b3e7a-0d51-4c1e-9f3b-2b6c1a7d9e01";
const LOCATION = "9a8b7c6d-5e4f-4a3b-8c2d-1e0f9a8b7c6d";
const SP = "3f1a2b3c-4d5e-4f60-8a7b-9c0d1e2f3a4b";
const STRENGTH = "a7a09591-49c1-4f33-bb37-76f0b6abf067";

const policy = (
  conditions: Record<string, unknown>,
  grantControls: Record<string, unknown> = { operator: "OR", builtInControls: ["mfa"] },
) => ({
  id: "p1",
  displayName: "P",
  state: "enabled",
  conditions: { applications: { includeApplications: ["All"] }, ...conditions },
  grantControls,
});

describe("normalizeTenant", () => {
  it("reads an empty object as an empty tenant", () => {
    expect(normalizeTenant({})).toEqual({
      tenant: {
        tenantId: "",
        policies: [],
        namedLocations: [],
        authenticationStrengthPolicies: [],
        users: [],
        groups: [],
        roleAssignments: [],
        servicePrincipals: [],
      },
      issues: [],
    });
  });

  it("reads PascalCase keys and Graph collections, keeping ids as given", () => {
    const { tenant, issues } = normalizeTenant({
      TenantId: "contoso",
      Users: { "@odata.context": "x", value: [{ Id: USER.toUpperCase(), UserPrincipalName: "a@contoso.com", UserType: "Member" }] },
      Groups: { value: [{ id: GROUP, displayName: "Admins", members: [USER, { "@odata.type": "#microsoft.graph.user", id: "u2" }] }] },
      RoleAssignments: [{ RoleDefinitionId: "62e90394-69f5-4237-9190-012177145e10", PrincipalId: USER, DirectoryScopeId: "/" }],
      ServicePrincipals: [{ id: SP, appId: "00000003-0000-0ff1-ce00-000000000000", servicePrincipalType: "Application" }],
      AuthenticationStrengthPolicies: [{ id: STRENGTH, displayName: "FIDO", allowedCombinations: ["fido2", "password, sms"] }],
    });
    expect(issues).toEqual([]);
    expect(tenant.tenantId).toBe("contoso");
    expect(tenant.users).toEqual([{ id: USER.toUpperCase(), userPrincipalName: "a@contoso.com", userType: "Member" }]);
    expect(tenant.groups).toEqual([{ id: GROUP, displayName: "Admins", members: [USER, "u2"] }]);
    expect(tenant.roleAssignments).toEqual([
      {
        roleDefinitionId: "62e90394-69f5-4237-9190-012177145e10",
        roleTemplateId: "62e90394-69f5-4237-9190-012177145e10",
        principalId: USER,
        directoryScopeId: "/",
      },
    ]);
    expect(tenant.servicePrincipals[0]).toMatchObject({ id: SP, appId: "00000003-0000-0ff1-ce00-000000000000" });
    expect(tenant.authenticationStrengthPolicies).toEqual([
      {
        id: STRENGTH,
        displayName: "FIDO",
        policyType: "custom",
        requirementsSatisfied: "mfa",
        allowedCombinations: ["fido2", "password,sms"],
      },
    ]);
  });

  it("validates policies against the snapshot's own objects, case-insensitively", () => {
    const { tenant, issues } = normalizeTenant({
      users: [{ id: USER }],
      groups: [{ id: GROUP.toUpperCase(), members: [] }],
      namedLocations: [{ id: LOCATION, displayName: "HQ", ipRanges: [{ cidrAddress: "192.0.2.0/24" }] }],
      servicePrincipals: [],
      policies: [
        policy({
          users: { includeUsers: [USER], excludeUsers: ["11111111-2222-4333-8444-555555555555"], excludeGroups: [GROUP] },
          locations: {
            includeLocations: ["All"],
            excludeLocations: [LOCATION, "AllTrusted", "00000000-0000-0000-0000-000000000000", "3d46dbda-8382-466a-856d-eb00cbc6b910"],
          },
        }),
      ],
    });
    expect(tenant.policies).toHaveLength(1);
    expect(issues.map((i) => [i.code, i.severity, i.path])).toEqual([
      ["unknownReference", "warning", "$.policies[0].conditions.users.excludeUsers[0]"],
    ]);
  });

  it("always knows the built-in roles and authentication strengths", () => {
    const { issues } = normalizeTenant({
      policies: [
        policy(
          {
            users: {
              includeUsers: ["None"],
              includeRoles: [
                "62e90394-69f5-4237-9190-012177145e10",
                "d29b2b05-8046-44ba-8758-1e26182fcf32",
                "aaaaaaaa-bbbb-4ccc-8ddd-eeeeeeeeeeee",
              ],
            },
          },
          { operator: "OR", authenticationStrength: { id: "00000000-0000-0000-0000-000000000004" } },
        ),
      ],
    });
    expect(issues.map((i) => i.path)).toEqual(["$.policies[0].conditions.users.includeRoles[2]"]);
  });

  it("does not check kinds of references whose collection the snapshot lacks", () => {
    const { issues } = normalizeTenant({
      policies: [policy({ users: { includeUsers: [USER], includeGroups: [GROUP] }, locations: { includeLocations: [LOCATION] } })],
    });
    expect(issues).toEqual([]);
  });

  it("knows custom strengths and role ids from assignments", () => {
    const custom = "bbbbbbbb-cccc-4ddd-8eee-ffffffffffff";
    const { issues } = normalizeTenant({
      authenticationStrengthPolicies: [{ id: STRENGTH, allowedCombinations: ["fido2"] }],
      roleAssignments: [{ roleTemplateId: custom, principalId: USER }],
      policies: [policy({ users: { includeRoles: [custom] } }, { operator: "OR", authenticationStrength: { id: STRENGTH } })],
    });
    expect(issues).toEqual([]);
  });

  it("uses $.policies.value[i] paths for a Graph collection of policies and warns about missing policy ids", () => {
    const { tenant, issues } = normalizeTenant({
      policies: {
        value: [policy({ users: { includeUsers: ["All"] } }), { ...policy({ users: { includeGroups: ["<G>"] } }), id: undefined }],
      },
    });
    expect(tenant.policies).toHaveLength(2);
    expect(issues.map((i) => [i.code, i.path])).toEqual([
      ["placeholder", "$.policies.value[1].conditions.users.includeGroups[0]"],
      ["missingId", "$.policies.value[1].id"],
    ]);
  });

  it("reads templates among the policies", () => {
    const template = {
      id: "t1",
      name: "Block legacy",
      details: {
        conditions: { users: { includeUsers: ["All"] }, applications: { includeApplications: ["All"] } },
        grantControls: { operator: "OR", builtInControls: ["block"] },
      },
    };
    const { tenant } = normalizeTenant({ policies: [template] });
    expect(tenant.policies[0]).toMatchObject({ templateId: "t1", state: "enabledForReportingButNotEnforced" });
  });

  it("reports and skips objects without the ids the engine needs, and duplicates", () => {
    const { tenant, issues } = normalizeTenant({
      users: [{ displayName: "no id" }, { id: USER }, { id: USER.toUpperCase() }, "x"],
      groups: [{ id: GROUP, members: [42] }],
      roleAssignments: [{ principalId: USER }],
      servicePrincipals: [{ id: SP }],
      namedLocations: [{ displayName: "no id", countriesAndRegions: ["FI"] }],
      authenticationStrengthPolicies: [{ id: STRENGTH, allowedCombinations: [] }],
      policies: [policy({ users: { includeUsers: ["All"] } }), policy({ users: { includeUsers: ["All"] } })],
    });
    expect(issues.map((i) => [i.code, i.severity, i.path])).toEqual([
      ["missingId", "error", "$.namedLocations[0].id"],
      ["missingAllowedCombinations", "error", "$.authenticationStrengthPolicies[0].allowedCombinations"],
      ["missingId", "error", "$.users[0].id"],
      ["duplicateId", "error", "$.users[2].id"],
      ["wrongType", "error", "$.users[3]"],
      ["wrongType", "error", "$.groups[0].members[0]"],
      ["missingId", "error", "$.roleAssignments[0]"],
      ["missingId", "error", "$.servicePrincipals[0].appId"],
      ["duplicateId", "error", "$.policies[1].id"],
    ]);
    expect(tenant.users).toHaveLength(2);
    expect(tenant.namedLocations).toEqual([]);
    expect(tenant.servicePrincipals).toEqual([]);
  });

  it("validates named locations with paths from the tenant root", () => {
    const { tenant, issues } = normalizeTenant({
      namedLocations: [{ id: LOCATION, displayName: "Too big", ipRanges: [{ cidrAddress: "10.0.0.0/8" }] }],
    });
    expect(tenant.namedLocations).toHaveLength(1);
    expect(issues.map((i) => [i.code, i.path])).toEqual([["invalidIpRange", "$.namedLocations[0].ipRanges[0]"]]);
  });

  it("reports wrong shapes, unparseable text and non-objects without throwing", () => {
    expect(normalizeTenant({ users: "everyone" }).issues).toEqual([expect.objectContaining({ code: "wrongType", path: "$.users" })]);
    expect(normalizeTenant("{ nope").issues).toEqual([expect.objectContaining({ code: "invalidJson", path: "$" })]);
    expect(normalizeTenant(JSON.stringify({ tenantId: "t" })).tenant.tenantId).toBe("t");
    expect(normalizeTenant([]).issues).toEqual([expect.objectContaining({ code: "notAnObject" })]);
  });

  it("never throws on arbitrary snapshots (property)", () => {
    const collection = fc.oneof(
      fc.jsonValue(),
      fc.array(fc.dictionary(fc.constantFrom("id", "members", "appId", "ipRanges", "conditions", "state"), fc.jsonValue())),
    );
    fc.assert(
      fc.property(
        fc.record(
          { policies: collection, users: collection, groups: collection, namedLocations: collection, servicePrincipals: collection },
          { requiredKeys: [] },
        ),
        (raw) => {
          const { issues } = normalizeTenant(raw);
          expect(issues.some((i) => i.code === "unreadable")).toBe(false);
        },
      ),
    );
  });
});
