/**
 * `gatehouse lint`: findings about a tenant's policy set, each with a stable rule id
 * (`rules.ts`), a severity, the policy, a JSON path into the snapshot
 * (`$.policies[i]...`), a message and a fix hint. Semantic rules ask the engine (spec
 * R8-R13 for users, R33-R39 for outcomes) over the equivalence classes of
 * `probe-directory` / `request-space`; structural rules read the normalized policy.
 */
import { checkNamingStandard, findEmergencyAccessExposure, resolveEmergencyAccessAccounts } from "@gatehouse/admin";
import {
  BUILT_IN_AUTHENTICATION_STRENGTH_IDS,
  BUILT_IN_ROLE_TEMPLATE_IDS,
  type ConditionalAccessPolicy,
  compileTenant,
  decide,
  evaluateSignIn,
  SPECIAL_LOCATION_IDS,
  type TenantSnapshot,
  type ValidationContext,
  validatePolicy,
  type WhatIfRequest,
} from "@gatehouse/engine";
import { checkCisaScubaBaseline } from "../baseline/cisa-scuba.js";
import { managementApiAppId } from "../gaps/find-gaps.js";
import { blockGrant } from "../internal/block-all-policy.js";
import { lightSnapshot } from "../internal/light-snapshot.js";
import {
  createNamer,
  daysSince,
  grantBlocks,
  grantRequiresSomething,
  hasKeyword,
  isWorkloadPolicy,
  lowerAll,
  policyMode,
} from "../internal/policy-facts.js";
import { buildProbeDirectory, type EmergencyAccess, type ProbeProfile } from "../internal/probe-directory.js";
import { buildRequestSpace, type RequestSpace } from "../internal/request-space.js";
import { describePoint, spaceSize, sweep } from "../internal/sweep.js";
import { type LintSeverity, RULES_BY_ID, SEVERITY_RANK } from "./rules.js";

export interface LintFinding {
  ruleId: string;
  severity: LintSeverity;
  policyId: string | null;
  policyName: string | null;
  /** JSON path into the tenant snapshot, e.g. `$.policies[3].conditions.users.excludeGroups[0]`. */
  path: string;
  message: string;
  fixHint: string;
}

export interface LintOptions {
  /** Declared emergency-access accounts (users and groups). */
  emergencyAccess?: EmergencyAccess;
  /** The naming standard, a regular expression (spec §4.3). */
  namingStandard?: string | null;
  /** GH012 threshold; default 30. */
  maxReportOnlyDays?: number;
  /** "Now" for GH012; the library reads no clock. */
  now?: Date;
  /** Budget of engine decisions for the pairwise shadowing rule (GH008); default 400,000. */
  shadowBudget?: number;
}

/** Roles that can change Conditional Access: the admins a lockout would strand (GH001). */
export const CA_ADMIN_ROLES = [
  "62e90394-69f5-4237-9190-012177145e10", // Global Administrator
  "194ae4cb-b126-40b2-bd5b-6091b380977d", // Security Administrator
  "b1be1c3e-b65d-4f19-8427-f6fa0d97feb9", // Conditional Access Administrator
];

const AZURE_PORTAL_APP_ID = "c44b4083-3bb0-49c1-b47d-974e53cbdf3c";

const lowerSet = (values: readonly string[]): Set<string> => new Set(values.map((v) => String(v).toLowerCase()));

function validationContext(tenant: TenantSnapshot): ValidationContext {
  // A kind of reference is checked only when the snapshot lists that kind of object at all:
  // the built-in role list is not exhaustive, and exports often omit custom strengths.
  const context: ValidationContext = {};
  if ((tenant.roleAssignments ?? []).length > 0) {
    context.roleTemplateIds = lowerSet([...BUILT_IN_ROLE_TEMPLATE_IDS, ...tenant.roleAssignments.map((a) => a.roleTemplateId)]);
  }
  if ((tenant.authenticationStrengthPolicies ?? []).length > 0) {
    context.authenticationStrengthIds = lowerSet([
      ...BUILT_IN_AUTHENTICATION_STRENGTH_IDS,
      ...tenant.authenticationStrengthPolicies.map((s) => s.id),
    ]);
  }
  if ((tenant.users ?? []).length > 0) context.userIds = lowerSet(tenant.users.map((u) => u.id));
  if ((tenant.groups ?? []).length > 0) context.groupIds = lowerSet(tenant.groups.map((g) => g.id));
  if ((tenant.namedLocations ?? []).length > 0)
    context.namedLocationIds = lowerSet([...SPECIAL_LOCATION_IDS, ...tenant.namedLocations.map((l) => l.id)]);
  return context;
}

const PLACEHOLDER_CODES = new Set(["placeholder", "notAnObjectId"]);
const HANDLED_CODES = new Set(["unknownReference", "placeholder", "notAnObjectId", "workloadIdentityGrant"]);

/** Lints a tenant snapshot; findings sorted by severity, then policy order, then rule. */
export function lintTenant(tenant: TenantSnapshot, options: LintOptions = {}): LintFinding[] {
  const findings: LintFinding[] = [];
  const policies = tenant.policies ?? [];
  const ea = options.emergencyAccess ?? { userIds: [], groupIds: [] };
  const hasEa = ea.userIds.length + ea.groupIds.length > 0;
  const name = createNamer(tenant);
  const at = (i: number, rest = ""): string => `$.policies[${i}]${rest}`;
  const add = (
    ruleId: string,
    policyIndex: number | null,
    path: string,
    message: string,
    fixHint: string,
    severity?: LintSeverity,
  ): void => {
    const rule = RULES_BY_ID.get(ruleId);
    const policy = policyIndex === null ? null : policies[policyIndex];
    findings.push({
      ruleId,
      severity: severity ?? rule?.severity ?? "warning",
      policyId: policy?.id ?? null,
      policyName: policy?.displayName ?? null,
      path,
      message,
      fixHint,
    });
  };

  const context = validationContext(tenant);
  // Probe users are synthetic: judging policies needs the directory's structure, not its users
  // (except the emergency-access accounts, whose memberships matter).
  const eaAccounts = hasEa
    ? resolveEmergencyAccessAccounts(tenant, { userIds: [...ea.userIds], groupIds: [...ea.groupIds] }).map((a) => a.userId)
    : [];
  const light = lightSnapshot(tenant, policies, eaAccounts);
  policies.forEach((policy, i) => {
    const mode = policyMode(policy);
    const active = mode !== "disabled";

    // GH004, GH005, GH015: validation as data, by code.
    for (const issue of validatePolicy(policy, context, at(i))) {
      if (issue.code === "unknownReference")
        add("GH004", i, issue.path, issue.message, "Remove the reference, or restore the object it names");
      else if (PLACEHOLDER_CODES.has(issue.code))
        add("GH005", i, issue.path, issue.message, "Replace the value with the object id it stands for");
      else if (
        issue.severity === "error" &&
        !HANDLED_CODES.has(issue.code) &&
        !(isWorkloadPolicy(policy) && issue.code === "workloadIdentityGrant")
      ) {
        add("GH015", i, issue.path, issue.message, "Fix the value so Graph would accept the policy");
      }
    }
    if (/<[^<>]+>/.test(policy.displayName)) {
      add(
        "GH005",
        i,
        at(i, ".displayName"),
        `the displayName "${policy.displayName}" contains a template placeholder`,
        "Replace the placeholder in the name",
      );
    }

    // GH014: workload identities support block only (R16).
    if (isWorkloadPolicy(policy) && policy.grantControls) {
      const g = policy.grantControls;
      const others = [...g.builtInControls.filter((c) => c.toLowerCase() !== "block"), ...g.termsOfUse, ...g.customAuthenticationFactors];
      if (others.length > 0 || g.authenticationStrength) {
        add(
          "GH014",
          i,
          at(i, ".grantControls"),
          `the workload-identity policy requires ${[...others, ...(g.authenticationStrength ? ["an authentication strength"] : [])].join(", ")}, which a service principal cannot satisfy`,
          'Use grantControls { "operator": "OR", "builtInControls": ["block"] } for workload identities',
        );
      }
    }

    // GH012: report-only for too long.
    if (mode === "reportOnly" && options.now) {
      const since = policy.modifiedDateTime ?? policy.createdDateTime;
      const days = daysSince(since, options.now);
      const max = options.maxReportOnlyDays ?? 30;
      if (days !== null && days > max) {
        add(
          "GH012",
          i,
          at(i, ".state"),
          `the policy has been report-only for ${Math.floor(days)} days (since ${since}; limit ${max})`,
          "Turn the policy on (state enabled) after reviewing its report-only results, or delete it",
        );
      }
    }

    // GH013: naming standard.
    if (options.namingStandard) {
      const result = checkNamingStandard(policy.displayName, options.namingStandard);
      if (!result.ok) add("GH013", i, at(i, ".displayName"), result.message, `Rename the policy to match /${options.namingStandard}/`);
    }

    if (!active || isWorkloadPolicy(policy)) return;
    const users = policy.conditions?.users;

    // GH002: emergency-access accounts in scope.
    if (hasEa && users) {
      const exposures = findEmergencyAccessExposure(policy, light, { userIds: [...ea.userIds], groupIds: [...ea.groupIds] });
      if (exposures.length > 0) {
        const severity: LintSeverity = grantRequiresSomething(policy) && mode === "enabled" ? "error" : "warning";
        add(
          "GH002",
          i,
          at(i, ".conditions.users"),
          `the policy applies to the emergency-access account(s) ${exposures.map((e) => e.userPrincipalName ?? e.userId).join(", ")}`,
          `Add the emergency-access group or accounts to conditions.users.excludeGroups / excludeUsers`,
          severity,
        );
      }
    }
    // GH003: All users, blocks or requires, excludes nobody (when no accounts are declared).
    if (!hasEa && users && hasKeyword(users.includeUsers, "All") && grantRequiresSomething(policy)) {
      if (users.excludeUsers.length === 0 && users.excludeGroups.length === 0) {
        add(
          "GH003",
          i,
          at(i, ".conditions.users.excludeUsers"),
          `the policy ${grantBlocks(policy) ? "blocks" : "requires controls of"} All users and excludes no user or group, so no emergency-access account is kept out`,
          "Exclude the emergency-access accounts (or their group), and declare them with --emergency-access",
        );
      }
    }
  });

  const active = policies.map((p, i) => ({ p, i })).filter(({ p }) => policyMode(p) !== "disabled" && !isWorkloadPolicy(p));
  lintAdminLockout(light, active, ea, add);
  lintNeverApplies(light, active, add);
  lintDuplicates(policies, add);
  lintShadowed(light, active, options.shadowBudget ?? 400_000, add);
  lintUncoveredExclusions(light, active, ea, name, add);

  // GH009 / GH010: tenant-wide, judged like the baseline (MS.AAD.1.1, 3.9).
  const baseline = checkCisaScubaBaseline({ ...tenant, policies }, { emergencyAccess: ea });
  const control = (id: string) => baseline.controls.find((c) => c.id === id);
  if (control("MS.AAD.1.1v1")?.requirementMet === false) {
    add(
      "GH009",
      null,
      "$.policies",
      `legacy authentication is not blocked for all users: ${control("MS.AAD.1.1v1")?.details}`,
      "Add an enabled policy: All users (minus emergency access), All resources, clientAppTypes exchangeActiveSync and other, grant block",
    );
  }
  if (control("MS.AAD.3.9v1")?.requirementMet === false) {
    add(
      "GH010",
      null,
      "$.policies",
      `the device code flow is not blocked for all users: ${control("MS.AAD.3.9v1")?.details}`,
      "Add an enabled policy: All users (minus emergency access), All resources, authenticationFlows transferMethods deviceCodeFlow, grant block",
    );
  }

  const order = (f: LintFinding): number => (f.policyId === null ? -1 : policies.findIndex((p) => p.id === f.policyId));
  return findings.sort(
    (a, b) =>
      SEVERITY_RANK[b.severity] - SEVERITY_RANK[a.severity] ||
      order(a) - order(b) ||
      a.ruleId.localeCompare(b.ruleId) ||
      a.path.localeCompare(b.path),
  );
}

type Add = (ruleId: string, policyIndex: number | null, path: string, message: string, fixHint: string, severity?: LintSeverity) => void;
type Indexed = { p: ConditionalAccessPolicy; i: number };

/** The policy with its grant replaced by block and no session controls: `decide` blocks exactly where it applies. */
const asBlock = (p: ConditionalAccessPolicy, id = p.id): ConditionalAccessPolicy => ({
  ...p,
  id,
  state: "enabled",
  grantControls: blockGrant(),
  sessionControls: null,
});

/** GH001: a policy that blocks every CA-capable admin (emergency access included) somewhere. */
function lintAdminLockout(tenant: TenantSnapshot, active: readonly Indexed[], ea: EmergencyAccess, add: Add): void {
  for (const { p, i } of active) {
    if (!grantBlocks(p)) continue;
    const directory = buildProbeDirectory(tenant, [p], { emergencyAccess: ea, roles: CA_ADMIN_ROLES });
    const adminRoles = new Set(CA_ADMIN_ROLES.map((r) => `r:${r}`));
    const admins = directory.profiles.filter((x) => x.exempt || x.memberships.some((m) => adminRoles.has(m)));
    if (admins.length === 0) continue;
    const apiAppId = managementApiAppId(tenant).toLowerCase();
    const space = buildRequestSpace(directory.snapshot, [p], {
      extraApps: [
        { appId: apiAppId, label: "the Gatehouse Management API" },
        { appId: AZURE_PORTAL_APP_ID, label: "the Azure portal" },
      ],
    });
    // Administration happens from a browser or a desktop client, at no detected risk, without a transfer flow.
    space.targets = space.targets.filter((t) => t.key === apiAppId || t.key === AZURE_PORTAL_APP_ID.toLowerCase());
    space.clientAppTypes = space.clientAppTypes.filter((c) => c.key === "browser" || c.key === "mobileAppsAndDesktopClients");
    space.signInRisks = [{ key: "none", label: "no risk", value: "none" }];
    space.userRisks = [{ key: "none", label: "no risk", value: "none" }];
    space.flows = [{ key: "none", label: "no transfer flow", value: null }];
    const compiled = compileTenant({ ...directory.snapshot, policies: [{ ...p, state: "enabled" }] });
    const first = admins[0] as ProbeProfile;
    let hit: string | null = null;
    sweep([first], space, { authenticationMethods: ["password", "fido2"] }, (point, request) => {
      if (decide(compiled, request).outcome !== "block") return true;
      const all = admins.every((a) => {
        const r = { ...request, signInIdentity: { "@odata.type": "#microsoft.graph.userSignIn" as const, userId: a.userId } };
        return decide(compiled, r).outcome === "block";
      });
      if (!all) return true;
      hit = `${describePoint({ ...point, profile: { ...point.profile, label: "every administrator" } })} to ${point.target.label}`;
      return false;
    });
    if (hit !== null) {
      add(
        "GH001",
        i,
        `$.policies[${i}].conditions.users`,
        `the policy would block ${hit}: ${admins.map((a) => a.label).join("; ")}`,
        "Exclude the emergency-access accounts (excludeUsers / excludeGroups) so someone can always undo the policy",
      );
    }
  }
}

/** GH006: the policy applies at no point of its own space. */
function lintNeverApplies(tenant: TenantSnapshot, active: readonly Indexed[], add: Add): void {
  for (const { p, i } of active) {
    const structural = emptyScopeReason(p);
    if (structural !== null) {
      add(
        "GH006",
        i,
        structural.path.replace(/^\$/, `$.policies[${i}]`),
        `the policy can never apply: ${structural.reason}`,
        structural.hint,
      );
      continue;
    }
    const directory = buildProbeDirectory(tenant, [p], { realUsers: false });
    const space = buildRequestSpace(directory.snapshot, [p]);
    if (spaceSize(directory.profiles, space) > 50_000) continue;
    const compiled = compileTenant({ ...directory.snapshot, policies: [asBlock(p)] });
    let applies = false;
    sweep(directory.profiles, space, {}, (_point, request) => {
      if (decide(compiled, request).outcome === "block") applies = true;
      return !applies;
    });
    if (!applies) {
      add(
        "GH006",
        i,
        `$.policies[${i}].conditions`,
        "the policy can never apply: for every class of user, resource, client, platform, location, risk and device, some condition excludes it (an exclusion cancels every inclusion)",
        "Review the include and exclude lists; remove the exclusion that cancels the inclusion, or delete the policy",
      );
    }
  }
}

function emptyScopeReason(p: ConditionalAccessPolicy): { path: string; reason: string; hint: string } | null {
  const u = p.conditions?.users;
  if (u) {
    const includes =
      lowerAll(u.includeUsers).filter((x) => x !== "none").length +
      u.includeGroups.length +
      u.includeRoles.length +
      (u.includeGuestsOrExternalUsers ? 1 : 0);
    if (includes === 0)
      return {
        path: "$.conditions.users.includeUsers",
        reason: "it includes no users (None or empty)",
        hint: "Include the users, groups or roles the policy is meant for",
      };
  }
  const a = p.conditions?.applications;
  if (a) {
    const includes =
      lowerAll(a.includeApplications).filter((x) => x !== "none").length +
      a.includeUserActions.length +
      a.includeAuthenticationContextClassReferences.length;
    if (includes === 0 && !a.applicationFilter) {
      return {
        path: "$.conditions.applications.includeApplications",
        reason: "it targets no resource, user action or authentication context",
        hint: "Include the resources the policy is meant for",
      };
    }
  }
  const pl = p.conditions?.platforms;
  if (pl && pl.includePlatforms.length > 0 && hasKeyword(pl.excludePlatforms, "all")) {
    return {
      path: "$.conditions.platforms.excludePlatforms",
      reason: "it excludes all platforms",
      hint: "Exclude only the platforms that should be spared",
    };
  }
  return null;
}

/** GH007: same conditions, grant and session controls as an earlier active policy. */
function lintDuplicates(policies: readonly ConditionalAccessPolicy[], add: Add): void {
  const seen = new Map<string, number>();
  policies.forEach((p, i) => {
    if (policyMode(p) === "disabled") return;
    const key = canonical({ conditions: p.conditions, grantControls: p.grantControls, sessionControls: p.sessionControls });
    const earlier = seen.get(key);
    if (earlier === undefined) {
      seen.set(key, i);
      return;
    }
    const other = policies[earlier] as ConditionalAccessPolicy;
    add(
      "GH007",
      i,
      `$.policies[${i}]`,
      `the policy has the same conditions and controls as "${other.displayName}" (${other.id})`,
      `Delete one of the two policies, or change one so it does something different`,
    );
  });
}

/** JSON with sorted keys and sorted string arrays, case-insensitive ids. */
export function canonical(value: unknown): string {
  if (Array.isArray(value)) {
    const items = value.map(canonical);
    return `[${(value.every((v) => typeof v === "string") ? items.map((s) => s.toLowerCase()).sort() : items).join(",")}]`;
  }
  if (value !== null && typeof value === "object") {
    const entries = Object.entries(value as Record<string, unknown>)
      .filter(([k, v]) => v !== undefined && !k.startsWith("@odata"))
      .sort(([a], [b]) => a.localeCompare(b));
    return `{${entries.map(([k, v]) => `${JSON.stringify(k)}:${canonical(v)}`).join(",")}}`;
  }
  return JSON.stringify(value ?? null);
}

/** GH008: wherever P applies, an enabled Q applies that blocks or asks for the same grant. */
/** Pairs judged by GH008 at most (deterministic order: policy order). */
const MAX_SHADOW_PAIRS = 2000;

/**
 * A necessary condition for Q to apply wherever P does, read from the include lists: Q's
 * users, resources and client app types include P's (or All). Pairs failing it are not
 * swept. (Two different groups with the same members would be missed: GH008 is a note.)
 */
function mayCover(q: ConditionalAccessPolicy, p: ConditionalAccessPolicy): boolean {
  const qu = q.conditions?.users;
  const pu = p.conditions?.users;
  const within = (a: readonly string[] | undefined, b: readonly string[] | undefined): boolean => {
    const set = new Set(lowerAll(b));
    return lowerAll(a).every((x) => set.has(x));
  };
  if (qu && !hasKeyword(qu.includeUsers, "All")) {
    if (!pu || hasKeyword(pu.includeUsers, "All")) return false;
    if (
      !within(pu.includeUsers, qu.includeUsers) ||
      !within(pu.includeGroups, qu.includeGroups) ||
      !within(pu.includeRoles, qu.includeRoles)
    )
      return false;
  }
  const qa = q.conditions?.applications;
  const pa = p.conditions?.applications;
  if (qa && !hasKeyword(qa.includeApplications, "All")) {
    if (!pa || hasKeyword(pa.includeApplications, "All")) return false;
    if (!within(pa.includeApplications, qa.includeApplications) || !within(pa.includeUserActions, qa.includeUserActions)) return false;
  }
  const qc = lowerAll(q.conditions?.clientAppTypes);
  const pc = lowerAll(p.conditions?.clientAppTypes);
  if (qc.length > 0 && !qc.includes("all") && (pc.length === 0 || pc.includes("all") || !pc.every((c) => qc.includes(c)))) return false;
  return true;
}

function lintShadowed(tenant: TenantSnapshot, active: readonly Indexed[], budget: number, add: Add): void {
  let spent = 0;
  let pairs = 0;
  for (const { p, i } of active) {
    if (policyMode(p) !== "enabled" || p.sessionControls) continue;
    for (const { p: q } of active) {
      if (q === p || policyMode(q) !== "enabled") continue;
      const sameGrant = canonical(q.grantControls) === canonical(p.grantControls);
      if (!grantBlocks(q) && !sameGrant) continue;
      if (canonical(q.conditions) === canonical(p.conditions)) continue; // GH007's business
      if (!mayCover(q, p)) continue;
      if (++pairs > MAX_SHADOW_PAIRS) return;
      const directory = buildProbeDirectory(tenant, [p, q], { realUsers: false });
      const space: RequestSpace = buildRequestSpace(directory.snapshot, [p, q]);
      const size = spaceSize(directory.profiles, space) * 2;
      if (spent + size > budget) return;
      spent += size;
      const P = compileTenant({ ...directory.snapshot, policies: [asBlock(p, "p")] });
      const Q = compileTenant({ ...directory.snapshot, policies: [asBlock(q, "q")] });
      let shadowed = true;
      let applies = false;
      sweep(directory.profiles, space, {}, (_point, request) => {
        if (decide(P, request).outcome !== "block") return true;
        applies = true;
        if (decide(Q, request).outcome !== "block") shadowed = false;
        return shadowed;
      });
      if (shadowed && applies) {
        add(
          "GH008",
          i,
          `$.policies[${i}]`,
          `wherever the policy applies, "${q.displayName}" also applies and ${grantBlocks(q) ? "blocks" : "requires the same controls"}; this policy never changes an outcome`,
          "Delete the policy, or narrow the other one if this policy was meant to be the stricter rule somewhere",
        );
        break;
      }
    }
  }
}

/**
 * GH011: exclusions (not emergency access) left without an alternative: in the circumstances
 * the policy distinguishes, wherever the policy would apply to the excluded object without the
 * exclusion, some other active policy that blocks or requires a control must apply to it.
 */
function lintUncoveredExclusions(
  tenant: TenantSnapshot,
  active: readonly Indexed[],
  ea: EmergencyAccess,
  name: (id: string) => string,
  add: Add,
): void {
  const controlling = active.filter(({ p }) => grantRequiresSomething(p));
  if (controlling.length === 0) return;
  // One directory of probes and one compiled tenant for all controlling policies (as blocks):
  // "another policy applies" is read from the judgements of the others.
  const directory = buildProbeDirectory(
    tenant,
    controlling.map(({ p }) => p),
    { emergencyAccess: ea, realUsers: false },
  );
  const all = compileTenant({ ...directory.snapshot, policies: controlling.map(({ p }, n) => asBlock(p, `c${n}`)) });
  controlling.forEach(({ p, i }, self) => {
    const u = p.conditions?.users;
    if (!u) return;
    const excluded: { kind: "u" | "g" | "r"; id: string; key: "excludeUsers" | "excludeGroups" | "excludeRoles"; k: number }[] = [
      ...u.excludeUsers.map((id, k) => ({ kind: "u" as const, id, key: "excludeUsers" as const, k })),
      ...u.excludeGroups.map((id, k) => ({ kind: "g" as const, id, key: "excludeGroups" as const, k })),
      ...u.excludeRoles.map((id, k) => ({ kind: "r" as const, id, key: "excludeRoles" as const, k })),
    ].filter((x) => !["guestsorexternalusers", "all", "none"].includes(x.id.toLowerCase()));
    if (excluded.length === 0) return;
    const space = buildRequestSpace(directory.snapshot, [p]);
    const selfId = `c${self}`;
    const othersApply = (request: WhatIfRequest): boolean =>
      evaluateSignIn(all, request).judgements.some(
        (j) => j.policy.policy.id !== selfId && (j.reason === "notSet" || j.reason === "invalidCondition"),
      );
    for (const x of excluded) {
      const profile = directory.profiles.find((pr) => pr.key === `${x.kind}:${x.id.toLowerCase()}`);
      if (!profile || profile.exempt) continue;
      const without = { ...u, [x.key]: u[x.key].filter((_, k) => k !== x.k) };
      const widened = compileTenant({
        ...directory.snapshot,
        policies: [asBlock({ ...p, conditions: { ...p.conditions, users: without } })],
      });
      let gap: string | null = null;
      sweep([profile], space, {}, (point, request) => {
        if (decide(widened, request).outcome !== "block") return true;
        if (othersApply(request)) return true;
        gap = describePoint(point);
        return false;
      });
      if (gap !== null) {
        const what = x.kind === "u" ? "user" : x.kind === "g" ? "group" : "role";
        add(
          "GH011",
          i,
          `$.policies[${i}].conditions.users.${x.key}[${x.k}]`,
          `the excluded ${what} ${name(x.id)} is not covered by any other active policy that blocks or requires a control (e.g. ${gap} reaching ${describeTarget(p)})`,
          `Include ${name(x.id)} in a policy that gives it an alternative control, or declare it as emergency access`,
        );
      }
    }
  });
}

function describeTarget(p: ConditionalAccessPolicy): string {
  const apps = p.conditions?.applications?.includeApplications ?? [];
  return apps.length === 0 ? "the policy's resources" : apps.join(", ");
}
