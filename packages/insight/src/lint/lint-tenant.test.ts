import { normalizeTenant } from "@gatehouse/engine";
import { describe, expect, it } from "vitest";
import {
  failsThreshold,
  findJsonPathPosition,
  formatLintText,
  LINT_RULES,
  type LintFinding,
  type LintOptions,
  lintTenant,
  toSarif,
} from "../index.js";
import { CORPUS, corpusPoliciesByFolder, corpusPresent } from "../internal/test-corpus.js";
import { EMERGENCY, IDS, makePolicy, makeTenant } from "../internal/test-tenant.js";

const NOW = new Date("2026-11-27T00:00:00Z");
/** Good hygiene: legacy auth and device code blocked for all but emergency access. */
const HYGIENE = () => [
  makePolicy({
    name: "Block legacy",
    users: { excludeGroups: [IDS.emergency] },
    conditions: { clientAppTypes: ["exchangeActiveSync", "other"] },
    grant: ["block"],
  }),
  makePolicy({
    name: "Block device code",
    users: { excludeGroups: [IDS.emergency] },
    conditions: { authenticationFlows: { transferMethods: ["deviceCodeFlow"] } },
    grant: ["block"],
  }),
];
const lint = (policies: ReturnType<typeof makePolicy>[], options: LintOptions = {}) =>
  lintTenant(makeTenant([...HYGIENE(), ...policies]), { emergencyAccess: EMERGENCY, now: NOW, ...options });
const rules = (findings: LintFinding[]) => findings.map((f) => f.ruleId);
const of = (findings: LintFinding[], rule: string, name: string) => findings.filter((f) => f.ruleId === rule && f.policyName === name);

describe("lintTenant", () => {
  it("GH001: a block for every administrator, emergency access included, is a lockout; excluding emergency access is not", () => {
    const bad = lint([makePolicy({ name: "Block all", grant: ["block"] })]);
    expect(of(bad, "GH001", "Block all")).toHaveLength(1);
    const good = lint([makePolicy({ name: "Block all", users: { excludeGroups: [IDS.emergency] }, grant: ["block"] })]);
    expect(of(good, "GH001", "Block all")).toHaveLength(0);
    const legacyOnly = lint([makePolicy({ name: "Legacy", conditions: { clientAppTypes: ["other"] }, grant: ["block"] })]);
    expect(of(legacyOnly, "GH001", "Legacy")).toHaveLength(0);
  });

  it("GH002: a policy that applies to an emergency-access account; not when the group is excluded", () => {
    const bad = lint([makePolicy({ name: "MFA", grant: ["mfa"] })]);
    expect(of(bad, "GH002", "MFA")[0]?.message).toContain("breakglass@contoso.test");
    const good = lint([makePolicy({ name: "MFA", users: { excludeGroups: [IDS.emergency] }, grant: ["mfa"] })]);
    expect(of(good, "GH002", "MFA")).toHaveLength(0);
  });

  it("GH003: with no declared accounts, All users + a control + no exclusion is flagged; an exclusion silences it", () => {
    const bad = lintTenant(makeTenant([makePolicy({ name: "MFA", grant: ["mfa"] })]), { now: NOW });
    expect(of(bad, "GH003", "MFA")).toHaveLength(1);
    const good = lintTenant(makeTenant([makePolicy({ name: "MFA", users: { excludeUsers: [IDS.breakGlass] }, grant: ["mfa"] })]), {
      now: NOW,
    });
    expect(of(good, "GH003", "MFA")).toHaveLength(0);
  });

  it("GH004: a reference to a group the tenant does not have; a known group is fine", () => {
    const bad = lint([
      makePolicy({
        name: "P",
        users: { includeUsers: [], includeGroups: ["b0000000-0000-4000-8000-0000000000ff"], excludeGroups: [IDS.emergency] },
        grant: ["mfa"],
      }),
    ]);
    expect(of(bad, "GH004", "P")[0]?.path).toBe("$.policies[2].conditions.users.includeGroups[0]");
    const good = lint([makePolicy({ name: "P", users: { includeUsers: [], includeGroups: [IDS.sales] }, grant: ["mfa"] })]);
    expect(of(good, "GH004", "P")).toHaveLength(0);
  });

  it("GH005: template placeholders and display names where ids belong", () => {
    const bad = lint([
      makePolicy({ name: "P", users: { excludeGroups: ["<EmergencyAccessAccountsGroup>", IDS.emergency] }, grant: ["mfa"] }),
    ]);
    expect(of(bad, "GH005", "P")[0]?.path).toBe("$.policies[2].conditions.users.excludeGroups[0]");
    const good = lint([makePolicy({ name: "P", users: { excludeGroups: [IDS.emergency] }, grant: ["mfa"] })]);
    expect(of(good, "GH005", "P")).toHaveLength(0);
  });

  it("GH006: a policy whose exclusion cancels its inclusion, or that includes nobody, can never apply", () => {
    const cancelled = lint([
      makePolicy({ name: "P", users: { includeUsers: [], includeGroups: [IDS.sales], excludeGroups: [IDS.sales] }, grant: ["mfa"] }),
    ]);
    expect(of(cancelled, "GH006", "P")).toHaveLength(1);
    const platforms = lint([
      makePolicy({
        name: "Q",
        users: { excludeGroups: [IDS.emergency] },
        conditions: { platforms: { includePlatforms: ["iOS"], excludePlatforms: ["iOS"] } },
        grant: ["mfa"],
      }),
    ]);
    expect(of(platforms, "GH006", "Q")).toHaveLength(1);
    const none = lint([makePolicy({ name: "R", users: { includeUsers: ["None"] }, grant: ["mfa"] })]);
    expect(of(none, "GH006", "R")[0]?.path).toBe("$.policies[2].conditions.users.includeUsers");
    const fine = lint([
      makePolicy({ name: "P", users: { includeUsers: [], includeGroups: [IDS.sales], excludeGroups: [IDS.finance] }, grant: ["mfa"] }),
    ]);
    expect(of(fine, "GH006", "P")).toHaveLength(0);
  });

  it("GH007: the same conditions and controls twice, whatever the names and order of ids", () => {
    const a = makePolicy({ name: "A", users: { includeUsers: [], includeGroups: [IDS.sales, IDS.finance] }, grant: ["mfa"] });
    const b = makePolicy({ name: "B", users: { includeUsers: [], includeGroups: [IDS.finance.toUpperCase(), IDS.sales] }, grant: ["mfa"] });
    expect(of(lint([a, b]), "GH007", "B")).toHaveLength(1);
    const c = makePolicy({ name: "C", users: { includeUsers: [], includeGroups: [IDS.sales] }, grant: ["mfa"] });
    expect(of(lint([a, c]), "GH007", "C")).toHaveLength(0);
  });

  it("GH008: an MFA policy for Sales is shadowed by a block for everyone on the same app; not by a block elsewhere", () => {
    const mfa = makePolicy({
      name: "MFA Sales",
      users: { includeUsers: [], includeGroups: [IDS.sales] },
      apps: { includeApplications: [IDS.appA] },
      grant: ["mfa"],
    });
    const block = makePolicy({
      name: "Block A",
      users: { excludeGroups: [IDS.emergency] },
      apps: { includeApplications: [IDS.appA] },
      grant: ["block"],
    });
    expect(of(lint([mfa, block]), "GH008", "MFA Sales")[0]?.message).toContain("Block A");
    const elsewhere = makePolicy({
      name: "Block other",
      users: { excludeGroups: [IDS.emergency] },
      apps: { includeApplications: ["c0000000-0000-4000-8000-00000000000b"] },
      grant: ["block"],
    });
    expect(of(lint([mfa, elsewhere]), "GH008", "MFA Sales")).toHaveLength(0);
  });

  it("GH009 / GH010: legacy authentication and the device code flow not blocked for all users", () => {
    const none = lintTenant(makeTenant([]), { emergencyAccess: EMERGENCY });
    expect(rules(none)).toEqual(expect.arrayContaining(["GH009", "GH010"]));
    const hygiene = lint([]);
    expect(rules(hygiene)).not.toContain("GH009");
    expect(rules(hygiene)).not.toContain("GH010");
    // Excluding Sales silently is not "all users".
    const narrowed = lintTenant(
      makeTenant([
        makePolicy({
          users: { excludeGroups: [IDS.emergency, IDS.sales] },
          conditions: { clientAppTypes: ["exchangeActiveSync", "other"] },
          grant: ["block"],
        }),
      ]),
      { emergencyAccess: EMERGENCY },
    );
    expect(rules(narrowed)).toContain("GH009");
  });

  it("GH011: an excluded group that no other controlling policy covers; covered when another policy includes it", () => {
    const mfa = makePolicy({ name: "MFA", users: { excludeGroups: [IDS.emergency, IDS.sales] }, grant: ["mfa"] });
    const bad = of(lint([mfa]), "GH011", "MFA");
    expect(bad.map((f) => f.path)).toEqual(["$.policies[2].conditions.users.excludeGroups[1]"]);
    const fallback = makePolicy({
      name: "Sales compliant",
      users: { includeUsers: [], includeGroups: [IDS.sales] },
      grant: ["compliantDevice"],
    });
    expect(of(lint([mfa, fallback]), "GH011", "MFA")).toHaveLength(0);
  });

  it("GH012: report-only for longer than the limit, judged from modifiedDateTime", () => {
    const old = makePolicy({
      name: "Old",
      state: "enabledForReportingButNotEnforced",
      users: { excludeGroups: [IDS.emergency] },
      grant: ["mfa"],
      extra: { modifiedDateTime: "2026-08-01T00:00:00Z" },
    });
    expect(of(lint([old]), "GH012", "Old")[0]?.message).toContain("118 days");
    expect(of(lint([old], { maxReportOnlyDays: 200 }), "GH012", "Old")).toHaveLength(0);
    const fresh = makePolicy({
      name: "Fresh",
      state: "enabledForReportingButNotEnforced",
      users: { excludeGroups: [IDS.emergency] },
      grant: ["mfa"],
      extra: { modifiedDateTime: "2026-11-20T00:00:00Z" },
    });
    expect(of(lint([fresh]), "GH012", "Fresh")).toHaveLength(0);
  });

  it("GH013: names outside the naming standard", () => {
    const p = makePolicy({ name: "Require MFA", users: { excludeGroups: [IDS.emergency] }, grant: ["mfa"] });
    expect(of(lint([p], { namingStandard: "^CA\\d{3} - " }), "GH013", "Require MFA")).toHaveLength(1);
    const q = makePolicy({ name: "CA001 - Require MFA", users: { excludeGroups: [IDS.emergency] }, grant: ["mfa"] });
    expect(of(lint([q], { namingStandard: "^CA\\d{3} - " }), "GH013", "CA001 - Require MFA")).toHaveLength(0);
  });

  it("GH014: a workload-identity policy that requires MFA; block is fine", () => {
    const workload = (grant: string[]) =>
      makePolicy({
        name: "Workload",
        users: { includeUsers: ["None"] },
        conditions: {
          clientApplications: {
            includeServicePrincipals: ["ServicePrincipalsInMyTenant"],
            excludeServicePrincipals: [],
            servicePrincipalFilter: null,
          },
        },
        grant,
      });
    expect(of(lint([workload(["mfa"])]), "GH014", "Workload")).toHaveLength(1);
    expect(of(lint([workload(["block"])]), "GH014", "Workload")).toHaveLength(0);
  });

  it("GH015: values Graph would reject", () => {
    const p = makePolicy({
      name: "P",
      users: { excludeGroups: [IDS.emergency] },
      conditions: { clientAppTypes: ["carrierPigeon"] },
      grant: ["mfa"],
    });
    expect(of(lint([p]), "GH015", "P").length).toBeGreaterThan(0);
    expect(of(lint([makePolicy({ name: "P", users: { excludeGroups: [IDS.emergency] }, grant: ["mfa"] })]), "GH015", "P")).toHaveLength(0);
  });

  it("a well-kept tenant has no findings at all", () => {
    const mfa = makePolicy({ name: "CA003 - MFA", users: { excludeGroups: [IDS.emergency] }, grant: ["mfa"] });
    const findings = lintTenant(makeTenant([...HYGIENE(), mfa]), { emergencyAccess: EMERGENCY, now: NOW });
    expect(findings).toEqual([]);
  });

  it("every finding has a known rule, and the threshold decides the exit", () => {
    const findings = lint([makePolicy({ name: "Block all", grant: ["block"] })]);
    const ids = new Set<string>(LINT_RULES.map((r) => r.id));
    for (const f of findings) expect(ids.has(f.ruleId)).toBe(true);
    expect(failsThreshold(findings, "error")).toBe(true);
    expect(failsThreshold([], "note")).toBe(false);
    expect(formatLintText(findings)).toContain("GH001");
  });

  it("SARIF 2.1.0 carries rule metadata, levels and logical and physical locations", () => {
    const findings = lint([makePolicy({ name: "Block all", grant: ["block"] })]);
    const sarif = toSarif(findings, { locate: () => ({ uri: "policies/block.json", region: { startLine: 3, startColumn: 5 } }) }) as {
      version: string;
      runs: {
        tool: { driver: { rules: { id: string }[] } };
        results: { ruleId: string; level: string; locations: Record<string, unknown>[] }[];
      }[];
    };
    expect(sarif.version).toBe("2.1.0");
    const run = sarif.runs[0];
    expect(run?.tool.driver.rules.map((r) => r.id)).toEqual(LINT_RULES.map((r) => r.id));
    const result = run?.results.find((r) => r.ruleId === "GH001");
    expect(result?.level).toBe("error");
    expect(result?.locations[0]).toMatchObject({
      physicalLocation: { artifactLocation: { uri: "policies/block.json" }, region: { startLine: 3, startColumn: 5 } },
      logicalLocations: [{ name: "Block all", kind: "object" }],
    });
  });

  it("finds a JSON path's line and column, matching member names case-insensitively", () => {
    const text = '{\n  "Policies": [\n    { "id": "x",\n      "Conditions": { "Users": { "ExcludeGroups": ["a", "b"] } } }\n  ]\n}';
    expect(findJsonPathPosition(text, "$.policies[0].conditions.users.excludeGroups[1]")).toEqual({ line: 4, column: 57 });
    expect(findJsonPathPosition(text, "$.policies[0].missing")).toEqual({ line: 3, column: 5 });
  });
});

describe("lint over the shared corpus", () => {
  const present = corpusPresent();
  it.skipIf(!present && process.env.CI !== "true")(`lints every policy folder of ${CORPUS} without a crash`, () => {
    if (!present) throw new Error(`${CORPUS} is missing (CI=true requires it)`);
    const byFolder = corpusPoliciesByFolder();
    let total = 0;
    for (const policies of byFolder.values()) {
      if (policies.length === 0) continue;
      const { tenant } = normalizeTenant({ tenantId: "t", policies });
      const findings = lintTenant(tenant, { now: NOW });
      total += findings.length;
      for (const f of findings) expect(f.path.startsWith("$.policies")).toBe(true);
    }
    expect(total).toBeGreaterThan(100);
  });
  if (!present) it.skip(`needs ${CORPUS}`, () => {});
});
