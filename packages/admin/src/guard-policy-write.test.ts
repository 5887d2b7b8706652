import type { ConditionalAccessPolicy } from "@gatehouse/engine";
import { describe, expect, it } from "vitest";
import { type GuardPolicyWriteInput, guardPolicyWrite, proposedPolicySet } from "./guard-policy-write.js";
import { CONDITIONAL_ACCESS_TEMPLATES, createPolicyFromTemplate, findTemplate } from "./templates.js";
import {
  ADMIN,
  BLOCK,
  BREAK_GLASS_1,
  EMERGENCY_ACCESS,
  EMERGENCY_GROUP,
  MANAGEMENT_API,
  MFA,
  type PolicyShape,
  policy,
  tenant,
} from "./test-tenant.js";

const ID = "d0000000-0000-4000-8000-000000000001";
const SAFE_USERS = { includeUsers: ["All"], excludeUsers: [ADMIN, BREAK_GLASS_1], excludeGroups: [EMERGENCY_GROUP] };
const EXPOSING_USERS = { includeUsers: ["All"], excludeUsers: [ADMIN] };

const make = (shape: Partial<PolicyShape> = {}): ConditionalAccessPolicy =>
  policy({ id: ID, displayName: "CA01 - All users - Require MFA", users: SAFE_USERS, grantControls: MFA, ...shape });

function guard(
  current: ConditionalAccessPolicy | null,
  proposed: ConditionalAccessPolicy | null,
  overrides: Partial<GuardPolicyWriteInput> & { namingStandard?: string | null } = {},
) {
  const { namingStandard = null, ...rest } = overrides;
  return guardPolicyWrite({
    snapshot: tenant(current === null ? [] : [current]),
    current,
    proposed,
    caller: { userId: ADMIN },
    settings: { emergencyAccess: EMERGENCY_ACCESS, namingStandard, managementApiAppId: MANAGEMENT_API },
    acknowledgeUnsafe: false,
    ...rest,
  });
}

describe("guardPolicyWrite: validation and naming", () => {
  it("passes a safe policy with no errors and no warnings", () => {
    expect(guard(null, make())).toEqual({ errors: [], warnings: [] });
  });

  it("rejects an invalid policy with 400 and the engine's JSON paths", () => {
    const result = guard(null, make({ users: { includeUsers: ["All"], excludeUsers: [ADMIN], excludeGroups: ["Emergency access"] } }));
    expect(result.errors).toEqual([
      expect.objectContaining({
        code: "invalidPolicy",
        status: 400,
        policyId: ID,
        details: { path: "$.conditions.users.excludeGroups[0]", issueCode: "notAnObjectId" },
      }),
    ]);
    expect(result.errors[0]?.message).toMatch(/^\$\.conditions\.users\.excludeGroups\[0\]: /);
    expect(result.warnings).toEqual([]);
  });

  it("does not repeat errors the stored policy already had, so an imported policy can still be switched off", () => {
    const broken = make({ users: { includeUsers: ["All"], excludeUsers: [ADMIN], excludeGroups: ["Emergency access"] } });
    expect(guard(broken, { ...broken, state: "disabled" }).errors).toEqual([]);
  });

  it("rejects a new name that breaks the naming standard with 400, naming the pattern", () => {
    const result = guard(null, make({ displayName: "Require MFA" }), { namingStandard: String.raw`^CA\d{2} - ` });
    expect(result.errors).toEqual([
      {
        code: "namingStandard",
        status: 400,
        message: String.raw`The policy name "Require MFA" does not follow the naming standard /^CA\d{2} - /`,
        policyId: ID,
        details: { reason: "mismatch", pattern: String.raw`^CA\d{2} - ` },
      },
    ]);
  });

  it("checks the naming standard on a rename but grandfathers an unchanged legacy name", () => {
    const legacy = make({ displayName: "Old policy" });
    const standard = { namingStandard: String.raw`^CA\d{2} - ` };
    expect(guard(legacy, { ...legacy, state: "disabled" }, standard).errors).toEqual([]);
    expect(guard(legacy, { ...legacy, displayName: "Still old" }, standard).errors.map((e) => e.code)).toEqual(["namingStandard"]);
    expect(guard(legacy, { ...legacy, displayName: "CA07 - renamed" }, standard).errors).toEqual([]);
  });

  it("reports an invalid naming-standard pattern as a 400 error", () => {
    const result = guard(null, make(), { namingStandard: "^CA(" });
    expect(result.errors).toEqual([
      expect.objectContaining({ code: "namingStandard", status: 400, details: { reason: "invalidPattern", pattern: "^CA(" } }),
    ]);
  });

  it("skips the exposure and lockout checks when the write is rejected as invalid anyway", () => {
    const result = guard(null, make({ displayName: "Block", users: { includeUsers: ["All"] }, grantControls: BLOCK }), {
      namingStandard: "^CA",
    });
    expect(result.errors.map((e) => e.code)).toEqual(["namingStandard"]);
    expect(result.warnings).toEqual([]);
  });
});

describe("guardPolicyWrite: emergency-access accounts", () => {
  it("warns when a report-only policy applies to emergency-access accounts", () => {
    const result = guard(null, make({ state: "enabledForReportingButNotEnforced", users: EXPOSING_USERS }));
    expect(result.errors).toEqual([]);
    expect(result.warnings).toEqual([expect.objectContaining({ code: "emergencyAccessExposure", status: 409, policyId: ID })]);
    expect(result.warnings[0]?.message).toContain("bg1@contoso.onmicrosoft.example");
    expect(result.warnings[0]?.message).toContain("bg3@contoso.onmicrosoft.example");
  });

  it("refuses with 409 to turn on a policy that applies to emergency-access accounts", () => {
    const reportOnly = make({ state: "enabledForReportingButNotEnforced", users: EXPOSING_USERS });
    const result = guard(reportOnly, { ...reportOnly, state: "enabled" });
    expect(result.errors).toEqual([expect.objectContaining({ code: "emergencyAccessExposure", status: 409, policyId: ID })]);
    expect(result.errors[0]?.message).toContain("would be enforced on emergency-access accounts");
    expect(result.warnings).toEqual([]);
  });

  it("lets the caller acknowledge turning it on, and says so in a warning", () => {
    const reportOnly = make({ state: "enabledForReportingButNotEnforced", users: EXPOSING_USERS });
    const result = guard(reportOnly, { ...reportOnly, state: "enabled" }, { acknowledgeUnsafe: true });
    expect(result.errors).toEqual([]);
    expect(result.warnings).toEqual([expect.objectContaining({ code: "emergencyAccessExposure", status: 409 })]);
    expect(result.warnings[0]?.message).toMatch(/^Acknowledged: /);
  });

  it("refuses to create an enabled policy that applies to emergency-access accounts", () => {
    expect(guard(null, make({ users: EXPOSING_USERS })).errors.map((e) => e.code)).toEqual(["emergencyAccessExposure"]);
  });

  it("refuses to widen an enabled policy to an emergency-access account it did not cover", () => {
    const enabled = make();
    const widened = make({ users: { includeUsers: ["All"], excludeUsers: [ADMIN, BREAK_GLASS_1] } });
    const result = guard(enabled, widened);
    expect(result.errors).toEqual([expect.objectContaining({ code: "emergencyAccessExposure", status: 409 })]);
    expect(result.errors[0]?.message).toContain("bg2@contoso.onmicrosoft.example");
    expect(result.errors[0]?.message).not.toContain("bg1@");
  });

  it("only warns when an enabled policy keeps the exposure it already had (e.g. a rename)", () => {
    const enabled = make({ users: EXPOSING_USERS });
    const result = guard(enabled, { ...enabled, displayName: "CA01 - renamed" });
    expect(result.errors).toEqual([]);
    expect(result.warnings.map((w) => w.code)).toEqual(["emergencyAccessExposure"]);
  });

  it("raises nothing for disabling a policy that applied to emergency-access accounts", () => {
    const enabled = make({ users: EXPOSING_USERS });
    expect(guard(enabled, { ...enabled, state: "disabled" })).toEqual({ errors: [], warnings: [] });
  });
});

describe("guardPolicyWrite: caller lockout", () => {
  const blockAll = make({
    displayName: "CA00 - Block everyone",
    users: { includeUsers: ["All"], excludeUsers: [BREAK_GLASS_1], excludeGroups: [EMERGENCY_GROUP] },
    grantControls: BLOCK,
  });

  it("refuses with 409 a block of All users on All resources that does not exclude the caller, naming the policy", () => {
    const result = guard(null, blockAll);
    expect(result.errors).toEqual([expect.objectContaining({ code: "lockout", status: 409, policyId: ID })]);
    expect(result.errors[0]?.message).toContain('"CA00 - Block everyone"');
    expect(result.errors[0]?.details).toMatchObject({ severity: "error", policies: [{ id: ID, displayName: "CA00 - Block everyone" }] });
    expect(result.warnings).toEqual([]);
  });

  it("lets the caller acknowledge the lockout, turning it into a warning", () => {
    const result = guard(null, blockAll, { acknowledgeUnsafe: true });
    expect(result.errors).toEqual([]);
    expect(result.warnings.map((w) => [w.code, w.message.startsWith("Acknowledged: ")])).toEqual([["lockout", true]]);
  });

  it("accepts the same block when the caller is excluded", () => {
    const excluded = make({ displayName: "CA00 - Block everyone", users: SAFE_USERS, grantControls: BLOCK });
    expect(guard(null, excluded)).toEqual({ errors: [], warnings: [] });
  });

  it("accepts an MFA policy for everyone including the caller: MFA is interactive", () => {
    expect(
      guard(null, make({ users: { includeUsers: ["All"], excludeUsers: [BREAK_GLASS_1], excludeGroups: [EMERGENCY_GROUP] } })),
    ).toEqual({
      errors: [],
      warnings: [],
    });
  });

  it("detects the lockout when an update turns an existing report-only block on", () => {
    const reportOnly = { ...blockAll, state: "enabledForReportingButNotEnforced" };
    expect(guard(reportOnly, blockAll).errors.map((e) => e.code)).toEqual(["lockout"]);
  });

  it("never reports a lockout for a delete, which is still evaluated on the remaining set", () => {
    expect(guard(blockAll, null)).toEqual({ errors: [], warnings: [] });
  });

  it("warns, without blocking the write, about a block of some representative sign-ins only", () => {
    const cli = make({ displayName: "CA02 - Block desktop clients", users: SAFE_USERS, grantControls: BLOCK });
    cli.conditions.users = { ...cli.conditions.users!, excludeUsers: [BREAK_GLASS_1] };
    cli.conditions.clientAppTypes = ["mobileAppsAndDesktopClients"];
    const result = guard(null, cli);
    expect(result.errors).toEqual([]);
    expect(result.warnings.map((w) => w.code)).toEqual(["lockout"]);
  });
});

describe("guardPolicyWrite with template-created policies", () => {
  const now = new Date("2025-06-01T00:00:00Z");
  const fromTemplate = (id: string): ConditionalAccessPolicy => {
    const template = findTemplate(CONDITIONAL_ACCESS_TEMPLATES, id);
    if (template === null) throw new Error(id);
    return createPolicyFromTemplate(template, { callerUserId: ADMIN, emergencyAccess: EMERGENCY_ACCESS, now, id: ID });
  };

  it("accepts creating and then enabling 'Require multifactor authentication for all users' untouched", () => {
    const created = fromTemplate("a3d0a415-b068-4326-9251-f9cdf9feeb64");
    expect(guard(null, created)).toEqual({ errors: [], warnings: [] });
    expect(guard(created, { ...created, state: "enabled" })).toEqual({ errors: [], warnings: [] });
  });

  it("accepts enabling 'Block legacy authentication': the Management API is reached by modern clients", () => {
    const created = fromTemplate("0b2282f9-2862-4178-88b5-d79340b36cb8");
    const enabled = {
      ...created,
      state: "enabled",
      conditions: { ...created.conditions, users: { ...created.conditions.users!, excludeUsers: [BREAK_GLASS_1] } },
    };
    expect(guard(created, enabled)).toEqual({ errors: [], warnings: [] });
  });
});

describe("proposedPolicySet", () => {
  const a = policy({ id: "a" });
  const b = policy({ id: "b" });
  it("replaces the current policy in place, removes it on delete, and appends a new one", () => {
    const b2 = { ...b, displayName: "changed" };
    expect(proposedPolicySet([a, b], b, b2)).toEqual([a, b2]);
    expect(proposedPolicySet([a, b], a, null)).toEqual([b]);
    const c = policy({ id: "c" });
    expect(proposedPolicySet([a, b], null, c)).toEqual([a, b, c]);
    expect(proposedPolicySet([a, b], null, { ...b, displayName: "same id" })).toEqual([a, { ...b, displayName: "same id" }]);
  });

  it("throws TypeError in guardPolicyWrite for a caller bug: no policy at all, or two different policies", () => {
    expect(() => guard(null, null)).toThrow(TypeError);
    expect(() => guard(a, b)).toThrow(TypeError);
  });
});
