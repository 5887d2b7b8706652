import { normalizeTenant } from "@gatehouse/engine";
import { describe, expect, it } from "vitest";
import { findGaps, formatGapsText, MANAGEMENT_API_APP_ID } from "../index.js";
import { CORPUS, corpusPoliciesByFolder, corpusPresent } from "../internal/test-corpus.js";
import { EMERGENCY, IDS, makePolicy, makeTenant } from "../internal/test-tenant.js";

const ex = { excludeGroups: [IDS.emergency] };
const gaps = (policies: ReturnType<typeof makePolicy>[], only?: "managementApiMfa") =>
  findGaps(makeTenant(policies), { emergencyAccess: EMERGENCY, ...(only ? { only } : {}) });

describe("findGaps", () => {
  it("finds nothing when everyone but emergency access needs MFA everywhere", () => {
    const report = gaps([makePolicy({ name: "MFA", users: ex, grant: ["mfa"] })]);
    expect(report.findings).toEqual([]);
    expect(report.managementApi.reachableWithoutMfa).toBe(false);
    expect(report.exhaustive).toBe(true);
    expect(formatGapsText(report)).toContain("no one but the emergency-access accounts");
  });

  it("names the excluded group, and answers the Management API question exactly", () => {
    const report = gaps([makePolicy({ name: "MFA", users: { excludeGroups: [IDS.emergency, IDS.sales] }, grant: ["mfa"] })]);
    expect(report.managementApi.reachableWithoutMfa).toBe(true);
    expect(report.managementApi.findings.map((f) => f.message).join("\n")).toContain("members of Sales");
    const only = gaps(
      [makePolicy({ name: "MFA", users: { excludeGroups: [IDS.emergency, IDS.sales] }, grant: ["mfa"] })],
      "managementApiMfa",
    );
    expect(only.managementApi.reachableWithoutMfa).toBe(true);
    expect(only.findings.every((f) => f.resource === "the Gatehouse Management API")).toBe(true);
    // Emergency access alone is never a gap.
    expect(gaps([makePolicy({ name: "MFA", users: ex, grant: ["mfa"] })], "managementApiMfa").managementApi.reachableWithoutMfa).toBe(
      false,
    );
  });

  it("MFA on the Management API only for browsers leaves desktop and legacy clients", () => {
    const api = makePolicy({
      name: "API MFA",
      users: ex,
      apps: { includeApplications: [MANAGEMENT_API_APP_ID] },
      conditions: { clientAppTypes: ["browser"] },
      grant: ["mfa"],
    });
    const report = gaps([api], "managementApiMfa");
    expect(report.managementApi.reachableWithoutMfa).toBe(true);
    const text = report.findings.map((f) => f.message).join("\n");
    expect(text).toContain("mobile and desktop apps");
    expect(text).not.toMatch(/using browsers reach/);
  });

  it("a trusted-location exclusion is a gap from that location only", () => {
    const mfa = makePolicy({
      name: "MFA outside",
      users: ex,
      conditions: { locations: { includeLocations: ["All"], excludeLocations: ["AllTrusted"] } },
      grant: ["mfa"],
    });
    const report = gaps([mfa]);
    expect(report.findings.length).toBeGreaterThan(0);
    for (const f of report.findings) expect(f.when).toContain("Head office");
  });

  it("reports access with no control at all when no policy applies, with a request that shows it", () => {
    const report = gaps([]);
    const none = report.findings.filter((f) => f.kind === "noControl");
    expect(none.length).toBeGreaterThan(0);
    expect(none[0]?.example.satisfied?.authenticationMethods).toEqual(["password"]);
    // A policy requiring a compliant device is a control, though not MFA.
    const device = gaps([makePolicy({ name: "Device", users: ex, grant: ["compliantDevice"] })]);
    expect(device.findings.filter((f) => f.kind === "noControl")).toEqual([]);
    expect(
      device.findings
        .filter((f) => f.kind === "noMfa")
        .map((f) => f.when)
        .join(" "),
    ).toContain("compliant");
  });
});

describe("findGaps over the shared corpus", () => {
  const present = corpusPresent();
  it.skipIf(!present && process.env.CI !== "true")(
    "finds exactly what sweeping every resource finds, with resources every policy treats alike swept once",
    () => {
      if (!present) throw new Error(`${CORPUS} is missing (CI=true requires it)`);
      const byFolder = corpusPoliciesByFolder();
      let compared = 0;
      let saved = 0;
      for (const policies of byFolder.values()) {
        if (policies.length === 0) continue;
        // Turned on: report-only and disabled baselines are what the sweep is about too.
        const enabled = policies.map((p) => ({ ...(p as object), state: "enabled" }));
        const { tenant } = normalizeTenant({ tenantId: "t", policies: enabled });
        const every = findGaps(tenant, { sweepEveryPoint: true, maxEvaluations: 40_000 });
        if (!every.exhaustive) continue;
        const merged = findGaps(tenant);
        expect(merged.exhaustive).toBe(true);
        expect(merged.findings).toEqual(every.findings);
        expect(merged.managementApi).toEqual(every.managementApi);
        expect(merged.evaluations).toBeLessThanOrEqual(every.evaluations);
        saved += every.evaluations - merged.evaluations;
        compared++;
      }
      expect(compared).toBeGreaterThan(10);
      expect(saved).toBeGreaterThan(0);
    },
    60_000,
  );
  if (!present) it.skip(`needs ${CORPUS}`, () => {});
});
