import fc from "fast-check";
import { describe, expect, it } from "vitest";
import { isTemplateDocument, normalizeTemplate } from "./normalize-template.js";
import { readPolicyDocument } from "./read-policy-document.js";

const GROUP = "5c9b3e7a-0d51-4c1e-9f3b-2b6c1a7d9e01";

const policy = (name: string, extra: Record<string, unknown> = {}) => ({
  id: `id-${name}`,
  displayName: name,
  state: "enabled",
  conditions: { users: { includeUsers: ["All"] }, applications: { includeApplications: ["All"] } },
  grantControls: { operator: "OR", builtInControls: ["mfa"] },
  ...extra,
});

const template = {
  id: "634b6de7-c38d-4357-a2c7-3842706eedd7",
  name: "Require password change for high-risk users",
  description: "Require the user to change their password if the user risk is high.",
  scenarios: "zeroTrust,remoteWork",
  details: {
    conditions: {
      users: { includeUsers: ["All"], excludeUsers: ["Current administrator will be excluded"] },
      applications: { includeApplications: ["All"] },
      clientAppTypes: ["all"],
      userRiskLevels: ["high"],
    },
    grantControls: { operator: "AND", builtInControls: ["MfaAndChangePassword"], "authenticationStrength@odata.context": "x" },
    sessionControls: {
      signInFrequency: { isEnabled: true, frequencyInterval: "everyTime", authenticationType: "primaryAndSecondaryAuthentication" },
    },
  },
};

describe("readPolicyDocument", () => {
  it("reads a single policy object", () => {
    const { policies, issues } = readPolicyDocument(policy("A"));
    expect(issues).toEqual([]);
    expect(policies.map((p) => p.displayName)).toEqual(["A"]);
  });

  it("reads an array of policies with $[i] paths", () => {
    const bad = policy("B", { conditions: { users: { includeGroups: ["<Admins>"] }, applications: { includeApplications: ["All"] } } });
    const { policies, issues } = readPolicyDocument([policy("A"), bad]);
    expect(policies).toHaveLength(2);
    expect(issues.map((i) => i.path)).toEqual(["$[1].conditions.users.includeGroups[0]"]);
  });

  it("reads a Graph collection with $.value[i] paths", () => {
    const { policies, issues } = readPolicyDocument({
      "@odata.context": "https://graph.microsoft.com/v1.0/$metadata#identity/conditionalAccess/policies",
      value: [policy("A"), policy("B", { state: undefined })],
    });
    expect(policies.map((p) => p.state)).toEqual(["enabled", "disabled"]);
    expect(issues).toEqual([expect.objectContaining({ code: "missingState", path: "$.value[1].state" })]);
  });

  it("reads a ScubaGear export with an array or a single PascalCase policy", () => {
    const pascal = {
      Id: "x",
      DisplayName: "Scuba",
      State: "enabled",
      Conditions: { Users: { IncludeUsers: ["All"] }, Applications: { IncludeApplications: ["All"] } },
      GrantControls: { Operator: "OR", BuiltInControls: ["block"] },
    };
    const array = readPolicyDocument({ baseline_version: "1", conditional_access_policies: [pascal, pascal], tenant_details: [] });
    expect(array.policies).toHaveLength(2);
    expect(array.issues).toEqual([]);
    const single = readPolicyDocument({ conditional_access_policies: { ...pascal, State: "Enabled" } });
    expect(single.policies.map((p) => [p.displayName, p.state])).toEqual([["Scuba", "enabled"]]);
    expect(readPolicyDocument({ conditional_access_policies: null })).toEqual({ policies: [], issues: [] });
  });

  it("reads templates, alone or in a collection, with paths into their details", () => {
    const single = readPolicyDocument(template);
    expect(single.policies[0]).toMatchObject({
      state: "enabledForReportingButNotEnforced",
      templateId: template.id,
      displayName: template.name,
    });
    expect(single.issues.map((i) => [i.severity, i.code, i.path])).toEqual([
      ["warning", "templatePlaceholder", "$.details.conditions.users.excludeUsers[0]"],
      ["warning", "templateGrantMapped", "$.details.grantControls.builtInControls[0]"],
    ]);
    const collection = readPolicyDocument({
      value: [
        template,
        { ...template, details: { ...template.details, conditions: { ...template.details.conditions, clientAppTypes: ["fax"] } } },
      ],
    });
    expect(collection.policies).toHaveLength(2);
    expect(collection.issues.filter((i) => i.severity === "error").map((i) => i.path)).toEqual([
      "$.value[1].details.conditions.clientAppTypes[0]",
    ]);
  });

  it("parses text and bytes, and reports invalid JSON with line and column", () => {
    expect(readPolicyDocument(JSON.stringify([policy("A")])).policies).toHaveLength(1);
    expect(readPolicyDocument(new TextEncoder().encode(JSON.stringify(policy("A")))).policies).toHaveLength(1);
    const broken = readPolicyDocument('{\n  "state": }', { source: "broken.json" });
    expect(broken.policies).toEqual([]);
    expect(broken.issues).toEqual([
      expect.objectContaining({
        code: "invalidJson",
        severity: "error",
        path: "$",
        source: "broken.json",
        message: expect.stringMatching(/^invalid JSON at line 2, column 12/),
      }),
    ]);
  });

  it("reports documents and entries it does not recognize", () => {
    expect(readPolicyDocument({ PolicyId: "MS.AAD.1.1v1", RequirementMet: true }).issues).toEqual([
      expect.objectContaining({ code: "unrecognizedDocument", severity: "error", path: "$" }),
    ]);
    const mixed = readPolicyDocument([policy("A"), 42, [policy("B")]]);
    expect(mixed.policies).toHaveLength(1);
    expect(mixed.issues.map((i) => [i.code, i.path])).toEqual([
      ["unrecognizedDocument", "$[1]"],
      ["unrecognizedDocument", "$[2]"],
    ]);
    expect(readPolicyDocument({ value: "nope" }).issues).toEqual([expect.objectContaining({ code: "wrongType", path: "$.value" })]);
  });

  it("copies the source onto every issue and honours basePath, validate and context", () => {
    const bad = policy("B", {
      conditions: { users: { includeGroups: [GROUP, "<Admins>"] }, applications: { includeApplications: ["All"] } },
    });
    const read = readPolicyDocument([bad], { source: "policies.json", basePath: "$.policies", context: { groupIds: new Set() } });
    expect(read.issues.map((i) => [i.code, i.path, i.source])).toEqual([
      ["unknownReference", "$.policies[0].conditions.users.includeGroups[0]", "policies.json"],
      ["placeholder", "$.policies[0].conditions.users.includeGroups[1]", "policies.json"],
    ]);
    expect(readPolicyDocument([bad], { validate: false }).issues).toEqual([]);
  });

  it("never throws on arbitrary JSON (property)", () => {
    fc.assert(
      fc.property(
        fc.oneof(
          fc.jsonValue(),
          fc.record({ value: fc.array(fc.jsonValue()) }),
          fc.record({ conditional_access_policies: fc.jsonValue() }),
        ),
        (value) => {
          const { policies, issues } = readPolicyDocument(value);
          expect(Array.isArray(policies)).toBe(true);
          expect(issues.some((i) => i.code === "unreadable")).toBe(false);
        },
      ),
    );
  });
});

describe("normalizeTemplate", () => {
  it("recognizes template documents by their details", () => {
    expect(isTemplateDocument(template)).toBe(true);
    expect(isTemplateDocument(policy("A"))).toBe(false);
    expect(isTemplateDocument({ name: "x", details: "no" })).toBe(false);
  });

  it("creates the report-only policy the portal would create, mapping MfaAndChangePassword", () => {
    const { policy: created, issues } = normalizeTemplate(template);
    expect(created).toMatchObject({
      id: "",
      displayName: template.name,
      description: template.description,
      state: "enabledForReportingButNotEnforced",
      templateId: template.id,
      grantControls: { operator: "AND", builtInControls: ["mfa", "passwordChange"] },
      sessionControls: { signInFrequency: { isEnabled: true, frequencyInterval: "everyTime" } },
    });
    expect(created?.conditions.users?.excludeUsers).toEqual([]);
    expect(created).not.toHaveProperty("scenarios");
    expect(issues.every((i) => i.severity === "warning")).toBe(true);
  });

  it("forces AND when MfaAndChangePassword comes with an OR operator", () => {
    const or = {
      ...template,
      details: { ...template.details, grantControls: { operator: "OR", builtInControls: ["mfaAndChangePassword", "mfa"] } },
    };
    expect(normalizeTemplate(or).policy?.grantControls).toMatchObject({ operator: "AND", builtInControls: ["mfa", "passwordChange"] });
  });

  it("reports a template without details", () => {
    const { policy: created, issues } = normalizeTemplate({ id: "t", name: "Empty" });
    expect(created?.displayName).toBe("Empty");
    expect(issues).toEqual([expect.objectContaining({ code: "missingTemplateDetails", path: "$.details" })]);
    expect(normalizeTemplate("x").policy).toBeNull();
  });
});
