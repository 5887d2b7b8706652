/**
 * Every file of the shared real-world corpus (/work/shared/corpus, see its SOURCES.md) goes
 * through the readers: nothing crashes, valid Graph loads without errors, and the known-bad
 * dialects (placeholders, display names, template placeholders) are reported with a path.
 * The corpus is read in place and never copied into the repository.
 */
import { existsSync, readdirSync, readFileSync } from "node:fs";
import { join, relative } from "node:path";
import { fileURLToPath } from "node:url";
import { describe, expect, it } from "vitest";
import { parseJsonDocument } from "./decode-json-text.js";
import { normalizePolicy } from "./normalize-policy.js";
import { normalizeTenant } from "./normalize-tenant.js";
import { readPolicyDocument } from "./read-policy-document.js";
import type { ConditionalAccessPolicy, ValidationIssue } from "./types.js";

const corpusDir = fileURLToPath(new URL("../../../../../shared/corpus/", import.meta.url));

type Kind = "policies" | "namedLocations" | "fragment" | "skipped";

/** Files that are not policy documents, each with the reason (nothing is skipped silently). */
const CLASSIFICATION: readonly { pattern: RegExp; kind: Kind; reason: string }[] = [
  { pattern: /(^|\/)LICENSE$/, kind: "skipped", reason: "licence text" },
  { pattern: /^SOURCES\.md$/, kind: "skipped", reason: "description of the corpus" },
  { pattern: /\.testplan\.yaml$/, kind: "skipped", reason: "ScubaGear YAML test plan (the engine has no YAML reader)" },
  { pattern: /TestResults\.json$/, kind: "skipped", reason: "ScubaGear baseline verdicts, not policies" },
  { pattern: /MigrationTable\.json$/, kind: "skipped", reason: "IntuneManagement id -> display name table" },
  { pattern: /\/Groups\/[^/]+\.json$/, kind: "skipped", reason: "directory group objects (used by the tenant test below)" },
  { pattern: /Convert\.Json$/, kind: "skipped", reason: "Fortigi terms-of-use name -> id map" },
  { pattern: /NamedLocations\/[^/]+\.json$/, kind: "namedLocations", reason: "named location" },
  { pattern: /demodata\/namedLocations\.json$/, kind: "namedLocations", reason: "named locations" },
  { pattern: /CapSnippets\/[^/]+\.json$/, kind: "fragment", reason: "all-null PowerShell SDK skeleton of part of a policy" },
];

function classify(file: string): { kind: Kind; reason: string } {
  return CLASSIFICATION.find((c) => c.pattern.test(file)) ?? { kind: "policies", reason: "policy document" };
}

function walk(dir: string): string[] {
  return readdirSync(dir, { withFileTypes: true })
    .flatMap((entry) => (entry.isDirectory() ? walk(join(dir, entry.name)) : [join(dir, entry.name)]))
    .sort();
}

function read(file: string): unknown {
  const parsed = parseJsonDocument(new Uint8Array(readFileSync(join(corpusDir, file))));
  if (!parsed.ok) throw new Error(`${file}: ${parsed.message}`);
  return parsed.value;
}

const errors = (issues: readonly ValidationIssue[]): ValidationIssue[] => issues.filter((i) => i.severity === "error");

/** Folders whose every policy is valid Graph (exports of real tenants and Microsoft's templates). */
const VALID_GRAPH = /^(j0eyv__ConditionalAccessBaseline|jsa2__caOptics|cisagov__ScubaGear|DataGuys__ConditionalAccessAnalyzer)\//;

function hasKeyDeep(value: unknown, test: (key: string) => boolean): boolean {
  if (Array.isArray(value)) return value.some((item) => hasKeyDeep(item, test));
  if (typeof value === "object" && value !== null) {
    return Object.entries(value).some(([key, item]) => test(key) || hasKeyDeep(item, test));
  }
  return false;
}

const present = existsSync(corpusDir);

describe.runIf(present)("the shared corpus", () => {
  const files = present ? walk(corpusDir).map((f) => relative(corpusDir, f).split("\\").join("/")) : [];
  const policyFiles = files.filter((f) => classify(f).kind === "policies");
  const loaded = new Map<string, { policies: ConditionalAccessPolicy[]; issues: ValidationIssue[] }>();
  for (const file of policyFiles) loaded.set(file, readPolicyDocument(read(file), { source: file }));
  const get = (file: string) => {
    const result = loaded.get(file);
    if (result === undefined) throw new Error(`not loaded: ${file}`);
    return result;
  };

  it("classifies every file, skipping only non-policy files with a stated reason", () => {
    expect(files.length).toBeGreaterThan(300);
    const byKind = new Map<Kind, number>();
    for (const file of files) byKind.set(classify(file).kind, (byKind.get(classify(file).kind) ?? 0) + 1);
    const skipped = files.filter((f) => classify(f).kind === "skipped");
    for (const file of skipped) expect(classify(file).reason).not.toBe("");
    expect(skipped.filter((f) => f.endsWith(".json") || f.endsWith(".Json")).length).toBe(36 + 2 + 1 + 1);
    expect(byKind.get("namedLocations")).toBe(4);
    expect(byKind.get("fragment")).toBe(5);
  });

  it("reads every policy document without crashing, and prints a summary", () => {
    const byCode = new Map<string, number>();
    let policies = 0;
    for (const file of policyFiles) {
      const result = get(file);
      policies += result.policies.length;
      expect(result.policies.length, file).toBeGreaterThan(0);
      for (const issue of result.issues) {
        byCode.set(`${issue.severity}:${issue.code}`, (byCode.get(`${issue.severity}:${issue.code}`) ?? 0) + 1);
        expect(issue.source).toBe(file);
        expect(issue.path.startsWith("$")).toBe(true);
      }
    }
    const summary = [...byCode].sort(([a], [b]) => a.localeCompare(b)).map(([code, n]) => `  ${code}: ${n}`);
    console.log(`corpus: ${policyFiles.length} policy files, ${policies} policies loaded\n${summary.join("\n")}`);
    expect(policies).toBeGreaterThan(330);
  });

  it("loads every valid Graph policy (tenant exports, templates) with zero errors", () => {
    const valid = policyFiles.filter((f) => VALID_GRAPH.test(f));
    expect(valid.length).toBeGreaterThan(60);
    for (const file of valid) expect(errors(get(file).issues), file).toEqual([]);
  });

  it("strips every OData annotation and PascalCase key from loaded policies", () => {
    for (const file of policyFiles) {
      for (const policy of get(file).policies) {
        expect(
          hasKeyDeep(policy, (k) => k.startsWith("#") || (k.includes("@") && k !== "@odata.type")),
          file,
        ).toBe(false);
        expect(
          hasKeyDeep(policy, (k) => /^[A-Z]/.test(k)),
          file,
        ).toBe(false);
      }
    }
  });

  it("reports every AlexFilipin <placeholder> group reference as a placeholder error with its path", () => {
    const alex = policyFiles.filter((f) => f.startsWith("AlexFilipin__"));
    expect(alex.length).toBe(214);
    let placeholders = 0;
    for (const file of alex) {
      const { policies, issues } = get(file);
      const [policy] = policies;
      if (!policy) throw new Error(file);
      const users = policy.conditions.users;
      const expected = (["includeGroups", "excludeGroups"] as const).flatMap((key) =>
        (users?.[key] ?? []).flatMap((value, index) => (value.startsWith("<") ? [`$.conditions.users.${key}[${index}]`] : [])),
      );
      const reported = issues.filter((i) => i.code === "placeholder" && i.severity === "error").map((i) => i.path);
      expect(reported, file).toEqual(expected);
      placeholders += reported.length;
      expect(
        issues.some((i) => i.code === "placeholder" && i.path === "$.displayName" && i.severity === "warning"),
        file,
      ).toBe(true);
    }
    expect(placeholders).toBeGreaterThan(400);
  });

  it("reports the Fortigi display names where object ids belong, with fixes", () => {
    const { policies, issues } = get("Fortigi__ConditionalAccess/Examples/Policy/Temp/CA-01- All Apps - All Admins - Require MFA.json");
    expect(policies).toHaveLength(1);
    const at = (path: string) => issues.find((i) => i.path === path);
    expect(at("$.conditions.users.includeUsers[0]")).toMatchObject({ code: "notAnObjectId", severity: "error" });
    expect(at("$.conditions.users.includeUsers[0]")?.message).toContain("William Overweg");
    expect(at("$.conditions.users.includeGroups[0]")).toMatchObject({ code: "notAnObjectId" });
    expect(at("$.conditions.applications.includeApplications[0]")?.message).toContain("797f4846-ba00-4fd7-ba43-dac1f8f63013");
    expect(at("$.conditions.applications.includeApplications[1]")?.message).toContain("Office365");
    expect(at("$.conditions.users.includeRoles[0]")?.message).toContain("62e90394-69f5-4237-9190-012177145e10");
    const utf8 = get("Fortigi__ConditionalAccess/Examples/Policy/CA-02- All Apps - All Users - Require MFA or Trusted Device.json");
    expect(utf8.policies[0]?.conditions.clientAppTypes).toEqual(["all"]);
    expect(utf8.issues.find((i) => i.path === "$.conditions.users.includeUsers[0]")?.message).toContain("user principal name");
    expect(utf8.issues.find((i) => i.path === "$.conditions.users.includeRoles[0]")?.message).toContain(
      "729827e3-9c14-49f7-bb1b-9608f156bbb8",
    );
    for (const file of policyFiles.filter((f) => f.startsWith("Fortigi__"))) {
      expect(get(file).issues.filter((i) => i.code === "notAnObjectId").length, file).toBeGreaterThan(2);
    }
  });

  it("turns DataGuys templates into report-only policies and reports the admin placeholder", () => {
    const templates = policyFiles.filter((f) => f.startsWith("DataGuys__"));
    expect(templates).toHaveLength(18);
    for (const file of templates) {
      const { policies, issues } = get(file);
      expect(policies, file).toHaveLength(1);
      expect(policies[0]?.state).toBe("enabledForReportingButNotEnforced");
      expect(policies[0]?.templateId).toMatch(/^[0-9a-f-]{36}$/);
      const placeholder = issues.filter((i) => i.code === "templatePlaceholder");
      expect(
        placeholder.map((i) => i.path.replace(/\[\d+\]$/, "[]")),
        file,
      ).toEqual(["$.details.conditions.users.excludeUsers[]"]);
      expect(policies[0]?.conditions.users?.excludeUsers, file).not.toContain("Current administrator will be excluded");
    }
    const { policies, issues } = get("DataGuys__ConditionalAccessAnalyzer/Templates/008_.json");
    expect(policies[0]).toMatchObject({
      id: "",
      displayName: "Require password change for high-risk users",
      templateId: "634b6de7-c38d-4357-a2c7-3842706eedd7",
      grantControls: { operator: "AND", builtInControls: ["mfa", "passwordChange"] },
    });
    expect(policies[0]?.conditions.users?.excludeUsers).toEqual([]);
    expect(issues.find((i) => i.code === "templateGrantMapped")?.path).toBe("$.details.grantControls.builtInControls[0]");
  });

  it("loads a UTF-16 j0eyv export with its exact users and no annotations", () => {
    const { policies, issues } = get(
      "j0eyv__ConditionalAccessBaseline/Config/ConditionalAccess/CA000-Global-IdentityProtection-AnyApp-AnyPlatform-MFA.json",
    );
    expect(issues).toEqual([]);
    expect(policies).toHaveLength(1);
    const policy = policies[0];
    expect(policy?.id).toBe("809741fe-fb1b-4746-9ff0-83a978a4c891");
    expect(policy?.conditions.users).toEqual({
      includeUsers: ["All"],
      excludeUsers: [],
      includeGroups: [],
      excludeGroups: [
        "8e75af29-5176-4372-a718-724b8a4620dc",
        "cfa1f128-ec48-4ee1-9ea9-1c28fdb57722",
        "2eee133e-3427-4860-81b9-057d5b28b022",
        "349156c1-2fb1-4ffa-9cd3-5c4418e24e4c",
        "7452a2db-063a-4048-84b0-ff691fa2900e",
        "2802b872-ccfb-4b29-a9a9-459808dfb11b",
        "68ce874b-21a9-4ca9-b447-f09a037be53a",
      ],
      includeRoles: [],
      excludeRoles: ["d29b2b05-8046-44ba-8758-1e26182fcf32"],
      includeGuestsOrExternalUsers: null,
      excludeGuestsOrExternalUsers: null,
    });
    expect(policy?.grantControls).toEqual({
      operator: "OR",
      builtInControls: ["mfa"],
      customAuthenticationFactors: [],
      termsOfUse: [],
      authenticationStrength: null,
    });
    expect(policy?.createdDateTime).toBe("2026-02-13T11:37:41.7574033Z");
  });

  it("splits the j0eyv comma-joined flag enums", () => {
    const flows = get(
      "j0eyv__ConditionalAccessBaseline/Config/ConditionalAccess/CA004-Global-IdentityProtection-AnyApp-AnyPlatform-AuthenticationFlows.json",
    );
    expect(flows.policies[0]?.conditions.authenticationFlows?.transferMethods).toEqual(["deviceCodeFlow", "authenticationTransfer"]);
    const guests = get(
      "j0eyv__ConditionalAccessBaseline/Config/ConditionalAccess/CA400-GuestUsers-IdentityProtection-AnyApp-AnyPlatform-MFA.json",
    );
    expect(guests.policies[0]?.conditions.users?.includeGuestsOrExternalUsers?.guestOrExternalUserTypes.length).toBeGreaterThan(4);
    expect(guests.policies[0]?.conditions.users?.includeGuestsOrExternalUsers?.externalTenants).toMatchObject({ membershipKind: "all" });
  });

  it("loads the ScubaGear PascalCase export: 7 policies with /Date(ms)/ converted to ISO-8601", () => {
    const { policies, issues } = get("cisagov__ScubaGear/PowerShell/ScubaGear/Sample-Reports/ProviderSettingsExport.json");
    expect(errors(issues)).toEqual([]);
    expect(policies).toHaveLength(7);
    expect(policies[0]).toMatchObject({
      id: "e430772e-f1c9-4618-9b68-4f125e80a288",
      displayName: "Live - Session Length is Limited & No persistent browser sessions",
      state: "enabled",
      createdDateTime: new Date(1647536088205).toISOString(),
      modifiedDateTime: new Date(1769788627239).toISOString(),
      grantControls: null,
    });
    expect(policies[0]?.createdDateTime).toBe("2022-03-17T16:54:48.205Z");
    expect(policies[0]?.sessionControls?.signInFrequency).toEqual({
      isEnabled: true,
      type: "days",
      authenticationType: "primaryAndSecondaryAuthentication",
      frequencyInterval: "timeBased",
      value: 4,
    });
    for (const policy of policies) expect(policy.createdDateTime ?? "").toMatch(/^\d{4}-\d\d-\d\dT/);
  });

  it("reads the older ScubaGear stubs: 20 policies, and a single-object export", () => {
    const stub = get(
      "cisagov__ScubaGear/PowerShell/ScubaGear/Testing/Unit/PowerShell/CreateReport/CreateReportStubs/ProviderSettingsExport.json",
    );
    expect(stub.policies).toHaveLength(20);
    expect(stub.policies.filter((p) => p.state === "enabled")).toHaveLength(12);
    expect(stub.policies.filter((p) => p.state === "enabledForReportingButNotEnforced")).toHaveLength(8);
    const single = get("cisagov__ScubaGear/PowerShell/ScubaGear/Testing/Unit/PowerShell/RunRego/RunRegoStubs/ProviderSettingsExport.json");
    expect(single.policies).toHaveLength(1);
    const [policy] = single.policies;
    expect(policy?.conditions.clientApplications).toBeNull();
    expect(policy?.conditions.platforms).toBeNull();
    expect(policy?.conditions.users?.includeGuestsOrExternalUsers).toBeNull();
    expect(policy?.grantControls?.authenticationStrength).toBeNull();
    expect(policy?.sessionControls).toBeNull();
    expect(policy?.conditions.users?.includeUsers).toEqual(["GuestsOrExternalUsers"]);
  });

  it("reads AlexFilipin's locations: [] as not configured", () => {
    const file =
      "AlexFilipin__ConditionalAccess/PolicyRepository/Workload Protection/701 - RING - Workload Protection - All apps Block Access When risk Level detected.json";
    const { policies, issues } = get(file);
    expect(policies[0]?.conditions.locations).toBeNull();
    expect(policies[0]?.conditions.clientApplications?.includeServicePrincipals).toEqual(["ServicePrincipalsInMyTenant"]);
    expect(errors(issues)).toEqual([]);
  });

  it("normalizes the all-null CapSnippets skeletons to 'not configured'", () => {
    for (const file of files.filter((f) => classify(f).kind === "fragment")) {
      const { policy } = normalizePolicy(read(file));
      expect(policy, file).not.toBeNull();
      const c = policy?.conditions;
      expect([c?.users, c?.applications, c?.clientApplications, c?.platforms, c?.locations, c?.devices, c?.deviceStates], file).toEqual([
        null,
        null,
        null,
        null,
        null,
        null,
        null,
      ]);
      expect(policy?.grantControls, file).toBeNull();
      expect(policy?.sessionControls, file).toBeNull();
    }
  });

  it("reads the named locations of j0eyv (UTF-16) and caOptics without errors", () => {
    for (const file of files.filter((f) => classify(f).kind === "namedLocations")) {
      const value = read(file);
      const { tenant, issues } = normalizeTenant({ namedLocations: Array.isArray(value) ? value : [value] });
      expect(errors(issues), file).toEqual([]);
      expect(tenant.namedLocations.length, file).toBeGreaterThan(0);
    }
    const caOptics = normalizeTenant({ namedLocations: read("jsa2__caOptics/demodata/namedLocations.json") });
    expect(caOptics.tenant.namedLocations.map((l) => l["@odata.type"])).toEqual([
      "#microsoft.graph.ipNamedLocation",
      "#microsoft.graph.countryNamedLocation",
      "#microsoft.graph.countryNamedLocation",
    ]);
  });

  it("builds the j0eyv tenant: every group and location the policies reference is known", () => {
    const dir = "j0eyv__ConditionalAccessBaseline/Config/";
    const { tenant, issues } = normalizeTenant({
      tenantId: "42ba3ed1-ae78-4fd0-8080-5f8bfcc27b29",
      policies: files.filter((f) => f.startsWith(`${dir}ConditionalAccess/`)).map(read),
      namedLocations: files.filter((f) => f.startsWith(`${dir}NamedLocations/`)).map(read),
      groups: files.filter((f) => f.startsWith(`${dir}Groups/`)).map(read),
    });
    expect(tenant.policies).toHaveLength(36);
    expect(tenant.namedLocations).toHaveLength(3);
    expect(tenant.groups).toHaveLength(36);
    // Two pairs of group files in the corpus share an id (renamed exports of the same group).
    expect(errors(issues).map((i) => `${i.code} ${i.path}`)).toEqual(["duplicateId $.groups[9].id", "duplicateId $.groups[11].id"]);
    // Groups and locations all resolve; only role ids beyond the built-in list of spec §2.4 remain.
    const unknown = issues.filter((i) => i.code === "unknownReference");
    expect(unknown.length).toBeGreaterThan(0);
    for (const issue of unknown) expect(issue.path).toMatch(/^\$\.policies\[\d+\]\.conditions\.users\.(include|exclude)Roles\[\d+\]$/);
  });
});

if (!present) {
  describe("the shared corpus", () => {
    it.skip(`is not present at ${corpusDir}; the corpus tests need the shared tree next to the repository`, () => {});
  });
}
