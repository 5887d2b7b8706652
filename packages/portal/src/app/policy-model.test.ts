import { describe, expect, it } from "vitest";
import { sideBySide } from "./diff";
import { blankPolicy, fromGraph, fromTemplate, REPORT_ONLY, toGraph } from "./policy-model";
import type { Template } from "./types";

describe("the editor's policy model", () => {
  it("writes Graph JSON: flags enums comma-joined, read-only members left out of writes", () => {
    const policy = blankPolicy();
    policy.displayName = "CA10 - Device code flow";
    policy.id = "p-1";
    policy.createdDateTime = "2026-01-01T00:00:00Z";
    policy.conditions.users = { ...policy.conditions.users!, includeUsers: ["All"] };
    policy.conditions.applications = { ...policy.conditions.applications!, includeApplications: ["All"] };
    policy.conditions.authenticationFlows = { transferMethods: ["deviceCodeFlow", "authenticationTransfer"] };
    policy.conditions.insiderRiskLevels = ["elevated"];
    policy.conditions.users.includeGuestsOrExternalUsers = {
      guestOrExternalUserTypes: ["internalGuest", "b2bCollaborationGuest"],
      externalTenants: { membershipKind: "all" },
    };
    policy.grantControls = {
      operator: "OR",
      builtInControls: ["block"],
      customAuthenticationFactors: [],
      termsOfUse: [],
      authenticationStrength: null,
    };
    const view = toGraph(policy);
    expect(view).toMatchObject({ id: "p-1", createdDateTime: "2026-01-01T00:00:00Z", state: REPORT_ONLY });
    expect(view.conditions).toMatchObject({
      authenticationFlows: { transferMethods: "deviceCodeFlow,authenticationTransfer" },
      insiderRiskLevels: "elevated",
      users: { includeGuestsOrExternalUsers: { guestOrExternalUserTypes: "internalGuest,b2bCollaborationGuest" } },
      clientAppTypes: ["all"],
    });
    const write = toGraph(policy, true);
    expect(write).not.toHaveProperty("id");
    expect(write).not.toHaveProperty("createdDateTime");
    expect(write).not.toHaveProperty("modifiedDateTime");
  });

  it("reads back what it writes (a paste of the JSON view gives the same policy)", () => {
    const policy = blankPolicy();
    policy.displayName = "Round trip";
    policy.conditions.users = {
      ...policy.conditions.users!,
      includeUsers: ["All"],
      excludeGroups: ["e0000000-0000-4000-8000-000000000001"],
    };
    policy.conditions.applications = { ...policy.conditions.applications!, includeApplications: ["Office365"] };
    policy.conditions.authenticationFlows = { transferMethods: ["deviceCodeFlow"] };
    policy.grantControls = {
      operator: "AND",
      builtInControls: ["mfa", "compliantDevice"],
      customAuthenticationFactors: [],
      termsOfUse: [],
      authenticationStrength: null,
    };
    const { policy: back, issues } = fromGraph(JSON.parse(JSON.stringify(toGraph(policy))));
    expect(issues.filter((i) => i.severity === "error")).toEqual([]);
    expect(back?.conditions.users?.excludeGroups).toEqual(["e0000000-0000-4000-8000-000000000001"]);
    expect(back?.conditions.authenticationFlows?.transferMethods).toEqual(["deviceCodeFlow"]);
    expect(back?.grantControls).toMatchObject({ operator: "AND", builtInControls: ["mfa", "compliantDevice"] });
    expect(toGraph(back!)).toEqual(toGraph(policy));
  });

  it("reports a pasted document that is not a policy", () => {
    const { policy, issues } = fromGraph(["not", "a", "policy"]);
    expect(policy).toBeNull();
    expect(issues.some((i) => i.severity === "error")).toBe(true);
  });

  it("prefills a template in report-only with the signed-in administrator in place of the placeholder", () => {
    const template: Template = {
      id: "t-1",
      name: "Require multifactor authentication for admins",
      description: "MFA for privileged roles",
      scenarios: "protectAdmins",
      details: {
        conditions: {
          users: { includeRoles: ["62e90394-69f5-4237-9190-012177145e10"], excludeUsers: ["Current administrator will be excluded"] },
          applications: { includeApplications: ["All"] },
          clientAppTypes: ["all"],
        },
        grantControls: { operator: "OR", builtInControls: ["mfa"] },
        sessionControls: null,
      },
    };
    const policy = fromTemplate(template, "a0000000-0000-4000-8000-000000000001");
    expect(policy).toMatchObject({ displayName: template.name, state: REPORT_ONLY, templateId: "t-1" });
    expect(policy?.conditions.users?.excludeUsers).toEqual(["a0000000-0000-4000-8000-000000000001"]);
    expect(template.details.conditions.users).toMatchObject({ excludeUsers: ["Current administrator will be excluded"] });
  });
});

describe("the audit log's side-by-side diff", () => {
  it("aligns unchanged lines and marks removed and added ones", () => {
    const rows = sideBySide(["{", '  "state": "disabled"', "}"], ["{", '  "state": "enabled"', '  "x": 1', "}"]);
    expect(rows.filter((r) => !r.changed).map((r) => r.left)).toEqual(["{", "}"]);
    expect(rows.filter((r) => r.changed && r.left !== null).map((r) => r.left)).toEqual(['  "state": "disabled"']);
    expect(rows.filter((r) => r.changed && r.right !== null).map((r) => r.right)).toEqual(['  "state": "enabled"', '  "x": 1']);
  });

  it("shows a creation as all added and a deletion as all removed", () => {
    expect(sideBySide([], ["a", "b"])).toEqual([
      { left: null, right: "a", changed: true },
      { left: null, right: "b", changed: true },
    ]);
    expect(sideBySide(["a"], [])).toEqual([{ left: "a", right: null, changed: true }]);
  });
});
