import { describe, expect, it } from "vitest";
import { diffPolicySets, formatDiffText } from "../index.js";
import { IDS, makePolicy, makeTenant } from "../internal/test-tenant.js";

describe("diffPolicySets", () => {
  const mfa = makePolicy({ id: "p-mfa", name: "MFA", users: { excludeGroups: [IDS.emergency] }, grant: ["mfa"] });
  const legacy = makePolicy({
    id: "p-legacy",
    name: "Block legacy",
    conditions: { clientAppTypes: ["exchangeActiveSync", "other"] },
    grant: ["block"],
  });

  it("matches by id, then by name, and describes changes in words", () => {
    const after = [
      {
        ...mfa,
        state: "enabledForReportingButNotEnforced",
        conditions: { ...mfa.conditions, users: { ...mfa.conditions.users!, excludeGroups: [IDS.emergency, IDS.sales] } },
        grantControls: { ...mfa.grantControls!, builtInControls: ["mfa", "compliantDevice"] },
      },
      { ...legacy, id: "another-id", conditions: { ...legacy.conditions, clientAppTypes: ["exchangeActiveSync"] } },
      makePolicy({ id: "p-new", name: "Risky", conditions: { signInRiskLevels: ["high"] }, grant: ["block"] }),
    ];
    const diff = diffPolicySets(makeTenant([mfa, legacy]), makeTenant(after));
    expect(diff.added.map((p) => p.displayName)).toEqual(["Risky"]);
    expect(diff.added[0]?.summary).toBe("on: blocks access for All on All when sign-in risk high");
    expect(diff.removed).toEqual([]);
    const byName = new Map(diff.changed.map((c) => [c.displayName, c]));
    expect(byName.get("MFA")?.changes.map((c) => c.description)).toEqual([
      "state: on → report-only",
      "excluded groups: now also Sales",
      "grant controls: now also compliantDevice",
    ]);
    expect(byName.get("Block legacy")?.matchedBy).toBe("displayName");
    expect(byName.get("Block legacy")?.changes.map((c) => c.description)).toEqual(["client app types: no longer other"]);
    expect(formatDiffText(diff)).toContain("1 added, 0 removed, 2 changed, 0 unchanged");
  });

  it("sees no change in reordered or re-cased ids, and reports removals", () => {
    const twin = {
      ...mfa,
      conditions: { ...mfa.conditions, users: { ...mfa.conditions.users!, excludeGroups: [IDS.emergency.toUpperCase()] } },
    };
    const diff = diffPolicySets(makeTenant([mfa, legacy]), makeTenant([twin]));
    expect(diff.unchanged).toBe(1);
    expect(diff.removed.map((p) => p.displayName)).toEqual(["Block legacy"]);
    expect(diff.removed[0]?.summary).toContain("blocks access");
  });
});
