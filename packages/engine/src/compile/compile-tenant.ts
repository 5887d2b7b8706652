import { compileApplicationsCondition, REGISTER_SECURITY_INFO } from "../conditions/applications.js";
import { compileAuthenticationFlowsCondition } from "../conditions/authentication-flows.js";
import { compileClientAppTypesCondition } from "../conditions/client-app-types.js";
import { type CompileContext, type CompiledCondition, MATCH, NO_MATCH, type SignInFacts } from "../conditions/condition.js";
import { compileDevicePlatformsCondition } from "../conditions/device-platforms.js";
import { compileDevicesCondition } from "../conditions/devices.js";
import { compileLocationsCondition } from "../conditions/locations.js";
import {
  compileInsiderRiskCondition,
  compileServicePrincipalRiskCondition,
  compileSignInRiskCondition,
  compileUserRiskCondition,
} from "../conditions/risk-levels.js";
import { classifyGuest, compileUsersCondition } from "../conditions/users.js";
import { compileWorkloadIdentitiesCondition } from "../conditions/workload-identities.js";
import { createStrengthCatalog, type StrengthCatalog } from "../controls/authentication-strength-catalog.js";
import { type CompiledGrant, compileGrantControls } from "../controls/grant-controls.js";
import { createDeviceAttributeReader, type FilterAttributes } from "../filter/index.js";
import type { ConditionalAccessPolicy, CrossTenantAccessPolicy, InboundTrust, TenantSnapshot, ValidationIssue } from "../policy/types.js";
import { SUITE_KEYWORDS } from "../well-known/app-suites.js";
import { createDirectoryIndex, type DirectoryIndex } from "./directory-index.js";
import { createLocationCatalog, type LocationCatalog, type LocationProblem } from "./location-catalog.js";

export interface CompileOptions {
  /** Country of an IP address (ISO 3166 alpha-2), for country locations (R26). Injected: the engine does no I/O. */
  lookupCountry?: (ipAddress: string) => string | null | undefined;
  /** Extra members of suite keywords (`Office365`, `MicrosoftAdminPortals`) or new suites, by appId. */
  suites?: Readonly<Record<string, readonly string[]>>;
}

export type PolicyMode = "enabled" | "reportOnly" | "disabled";

export interface CompiledPolicy {
  readonly index: number;
  readonly policy: ConditionalAccessPolicy;
  readonly mode: PolicyMode;
  /** Configured conditions in Graph's analysis-reason order (R46). */
  readonly conditions: readonly CompiledCondition[];
  /**
   * The same conditions cheapest first, for the decision alone (applicability is an AND, so
   * order only matters for the What-If reason): enum checks before locations, device
   * filters last.
   */
  readonly decideOrder: readonly CompiledCondition[];
  readonly grant: CompiledGrant;
  /** The grant with its authentication strength removed (R37's registration exception). */
  readonly grantWithoutStrength: CompiledGrant;
  /** The policy targets the security-info registration user action by name (R22, R37). */
  readonly explicitRegistration: boolean;
}

export interface CompiledTenant {
  readonly tenantId: string;
  readonly policies: readonly CompiledPolicy[];
  readonly directory: DirectoryIndex;
  readonly locations: LocationCatalog;
  readonly strengths: StrengthCatalog;
  readonly options: CompileOptions;
  /** Problems met while compiling (invalid filter rules, unparseable ranges), with paths from the tenant root. */
  readonly issues: readonly ValidationIssue[];
  /** Some policy has an insider-risk condition (R29). */
  readonly usesInsiderRisk: boolean;
  /** Inbound trust for a home tenant (partner settings, else the default; R37). */
  inboundTrust(homeTenantId: string | null): InboundTrust;
  /** Filter attributes of a normalized deviceInfo, limited to what the tenant's device filters read (§3.7). */
  readonly readDeviceAttributes: (deviceInfo: Record<string, unknown> | null | undefined) => FilterAttributes;
  /** Enabled policies that may apply to a target; every other enabled policy provably does not (R19). */
  enabledCandidates(target: CandidateTarget): CandidateList;
}

export interface CandidateList {
  readonly policies: readonly CompiledPolicy[];
  /** 1 where the policy's application condition is already known to match the target. */
  readonly targetMatched: Uint8Array;
}

/** Position of the applications condition in every policy's condition list (users, workload identities, applications, ...). */
export const APPLICATIONS_CONDITION = 2;

export interface CandidateTarget {
  readonly target: "application" | "userAction" | "authContext";
  readonly applications: readonly string[];
  readonly userAction: string | null;
  readonly authContext: string | null;
}

/** Policy state (R1). An unknown future state is enforced, failing closed. */
function modeOf(state: string): PolicyMode {
  switch (String(state).toLowerCase()) {
    case "disabled":
      return "disabled";
    case "enabledforreportingbutnotenforced":
      return "reportOnly";
    default:
      return "enabled";
  }
}

const lower = (values: readonly string[] | undefined | null): string[] =>
  (values ?? []).filter((v) => typeof v === "string").map((v) => v.toLowerCase());

/**
 * Compiles a tenant snapshot once into indexes: directory bitsets, a location interval
 * index, strengths, per-policy condition closures, and per-resource candidate lists.
 * Pure: no I/O, no clock. Many sign-ins are then evaluated against the result.
 */
export function compileTenant(tenant: TenantSnapshot, options: CompileOptions = {}): CompiledTenant {
  const issues: ValidationIssue[] = [];
  const policies = tenant.policies ?? [];

  const referencedGroups = new Set<string>();
  const referencedRoles = new Set<string>();
  for (const policy of policies) {
    const users = policy.conditions?.users;
    if (!users) continue;
    for (const g of [...lower(users.includeGroups), ...lower(users.excludeGroups)]) referencedGroups.add(g);
    for (const r of [...lower(users.includeRoles), ...lower(users.excludeRoles)]) referencedRoles.add(r);
  }
  const directory = createDirectoryIndex(
    {
      users: tenant.users ?? [],
      groups: tenant.groups ?? [],
      roleAssignments: tenant.roleAssignments ?? [],
      servicePrincipals: tenant.servicePrincipals ?? [],
    },
    referencedGroups,
    referencedRoles,
  );

  const locationProblems: LocationProblem[] = [];
  const locations = createLocationCatalog(tenant.namedLocations ?? [], locationProblems);
  for (const p of locationProblems) {
    issues.push({ code: p.code, severity: "error", path: `$.namedLocations[${p.locationIndex}]${p.path.slice(1)}`, message: p.message });
  }
  const strengths = createStrengthCatalog(tenant.authenticationStrengthPolicies ?? []);

  const suites = new Map<string, Set<string>>();
  for (const [keyword, ids] of Object.entries(SUITE_KEYWORDS)) suites.set(keyword.toLowerCase(), new Set(lower(ids)));
  for (const [keyword, ids] of Object.entries(options.suites ?? {})) {
    const set = suites.get(keyword.toLowerCase()) ?? new Set<string>();
    for (const id of lower(ids)) set.add(id);
    suites.set(keyword.toLowerCase(), set);
  }
  const resourceAttributes = new Map<string, FilterAttributes>();
  for (const sp of tenant.servicePrincipals ?? []) {
    if (sp.customSecurityAttributes && typeof sp.appId === "string") {
      resourceAttributes.set(sp.appId.toLowerCase(), sp.customSecurityAttributes as FilterAttributes);
    }
  }

  const policyIndex = new Map<ConditionalAccessPolicy, number>(policies.map((p, i) => [p, i]));
  const ctx: CompileContext = {
    tenantId: String(tenant.tenantId ?? ""),
    directory,
    locations,
    suites,
    resourceAttributes,
    deviceProperties: new Set<string>(),
    issue(policy, issue) {
      const i = policyIndex.get(policy);
      issues.push({ severity: "error", ...issue, path: `$.policies[${i}]${issue.path.slice(1)}` });
    },
  };

  const compiled: CompiledPolicy[] = policies.map((policy, index) => {
    const conditions = [
      compileUsersCondition(policy, ctx),
      compileWorkloadIdentitiesCondition(policy, ctx),
      compileApplicationsCondition(policy, ctx),
      compileDevicePlatformsCondition(policy),
      compileDevicesCondition(policy, ctx),
      compileClientAppTypesCondition(policy),
      compileLocationsCondition(policy, ctx),
      compileSignInRiskCondition(policy),
      compileServicePrincipalRiskCondition(policy),
      compileUserRiskCondition(policy),
      compileInsiderRiskCondition(policy),
      compileAuthenticationFlowsCondition(policy),
    ].filter((c): c is CompiledCondition => c !== null);
    const grant = compileGrantControls(policy, strengths);
    const explicitRegistration = lower(policy.conditions?.applications?.includeUserActions).includes(REGISTER_SECURITY_INFO);
    const grantWithoutStrength = { ...grant, controls: grant.controls.filter((c) => c.control !== "authenticationStrength") };
    const decideOrder = [...conditions].sort((a, b) => (DECIDE_COST[a.reason] ?? 50) - (DECIDE_COST[b.reason] ?? 50));
    return { index, policy, mode: modeOf(policy.state), conditions, decideOrder, grant, grantWithoutStrength, explicitRegistration };
  });

  attachSubjectProfiles(directory, compiled, policies);
  const readDeviceAttributes = createDeviceAttributeReader(ctx.deviceProperties);

  return {
    tenantId: ctx.tenantId,
    policies: compiled,
    directory,
    locations,
    strengths,
    options,
    issues,
    readDeviceAttributes,
    usesInsiderRisk: compiled.some((p) => p.conditions.some((c) => c.reason === "insiderRisk")),
    inboundTrust: createInboundTrustLookup(tenant.crossTenantAccessPolicy),
    enabledCandidates: createCandidateIndex(
      compiled.filter((p) => p.mode === "enabled"),
      suites,
    ),
  };
}

/**
 * Per-target candidate lists (R19, R22, R23). A policy is left out only when its
 * application condition cannot match the target. For a single application the condition
 * itself is evaluated here, once per application id (it depends on nothing else), so the
 * sign-in path only checks `targetMatched`.
 */
function createCandidateIndex(
  policies: readonly CompiledPolicy[],
  suites: ReadonlyMap<string, ReadonlySet<string>>,
): (target: CandidateTarget) => CandidateList {
  const forAllApps: CompiledPolicy[] = [];
  const byApp = new Map<string, CompiledPolicy[]>();
  const byAction = new Map<string, CompiledPolicy[]>();
  const byContext = new Map<string, CompiledPolicy[]>();
  const push = (map: Map<string, CompiledPolicy[]>, key: string, policy: CompiledPolicy): void => {
    const list = map.get(key) ?? [];
    if (list[list.length - 1] !== policy) list.push(policy);
    map.set(key, list);
  };
  for (const policy of policies) {
    const apps = policy.policy.conditions?.applications;
    if (!apps) continue;
    const include = lower(apps.includeApplications);
    if (include.includes("all") || apps.applicationFilter) forAllApps.push(policy);
    else {
      for (const value of include) {
        const suite = suites.get(value);
        if (suite) for (const id of suite) push(byApp, id, policy);
        else push(byApp, value, policy);
      }
    }
    if (include.includes("all")) push(byAction, REGISTER_SECURITY_INFO, policy);
    for (const action of lower(apps.includeUserActions)) push(byAction, action, policy);
    for (const context of lower(apps.includeAuthenticationContextClassReferences)) push(byContext, context, policy);
  }
  const byIndex = (a: CompiledPolicy, b: CompiledPolicy): number => a.index - b.index;
  const unresolved = (list: readonly CompiledPolicy[]): CandidateList => ({ policies: list, targetMatched: new Uint8Array(list.length) });

  // One application: evaluate each candidate's application condition for it now.
  const resolveApp = (appId: string): CandidateList => {
    const specific = byApp.get(appId);
    const merged = specific ? [...new Set([...forAllApps, ...specific])].sort(byIndex) : forAllApps;
    const facts = { target: "application", applications: [appId], userAction: null, authContext: null } as unknown as SignInFacts;
    const kept: CompiledPolicy[] = [];
    const matched: number[] = [];
    for (const policy of merged) {
      const condition = policy.conditions[APPLICATIONS_CONDITION];
      const r = condition === undefined ? MATCH : condition.check(facts);
      if (r === NO_MATCH) continue;
      kept.push(policy);
      matched.push(r === MATCH ? 1 : 0);
    }
    return { policies: kept, targetMatched: Uint8Array.from(matched) };
  };
  // Bounded cache: application ids come from requests; when full it starts over.
  const cache = new Map<string, CandidateList>();
  const forApp = (appId: string): CandidateList => {
    let list = cache.get(appId);
    if (list === undefined) {
      list = resolveApp(appId);
      if (cache.size >= APP_CACHE_LIMIT) cache.clear();
      cache.set(appId, list);
    }
    return list;
  };
  const empty = unresolved([]);
  const actionLists = new Map([...byAction].map(([k, v]) => [k, unresolved(v)]));
  const contextLists = new Map([...byContext].map(([k, v]) => [k, unresolved(v)]));
  return (target) => {
    switch (target.target) {
      case "application": {
        if (target.applications.length === 1) return forApp(target.applications[0] as string);
        const union = new Set<CompiledPolicy>();
        for (const appId of target.applications) for (const p of forApp(appId).policies) union.add(p);
        return unresolved([...union].sort(byIndex));
      }
      case "userAction":
        return actionLists.get(target.userAction ?? "") ?? empty;
      case "authContext":
        return contextLists.get(target.authContext ?? "") ?? empty;
    }
  };
}

const APP_CACHE_LIMIT = 10_000;

/** Relative cost of a condition check on the decision path (lower runs first). */
const DECIDE_COST: Readonly<Record<string, number>> = {
  users: 0,
  workloadIdentities: 1,
  application: 2,
  userActions: 2,
  authenticationContext: 2,
  clientApps: 3,
  devicePlatform: 4,
  signInRisk: 5,
  userRisk: 6,
  insiderRisk: 7,
  authenticationFlow: 8,
  location: 9,
  devices: 10,
};

/**
 * Precomputes every policy's users condition (R8-R13) once per distinct user profile: the
 * facts that condition reads (explicit listing, referenced groups and roles, guest type,
 * home tenant when a policy enumerates tenants). Users with equal facts share one result
 * array, so a sign-in skips the users condition entirely.
 */
function attachSubjectProfiles(
  directory: DirectoryIndex,
  compiled: readonly CompiledPolicy[],
  policies: readonly ConditionalAccessPolicy[],
): void {
  const listed = new Set<string>();
  let enumeratesTenants = false;
  for (const policy of policies) {
    const users = policy.conditions?.users;
    if (!users) continue;
    for (const id of [...lower(users.includeUsers), ...lower(users.excludeUsers)]) listed.add(id);
    for (const g of [users.includeGuestsOrExternalUsers, users.excludeGuestsOrExternalUsers]) {
      if (g?.externalTenants && String(g.externalTenants.membershipKind).toLowerCase() === "enumerated") enumeratesTenants = true;
    }
  }
  const profiles = new Map<string, { guestType: string | null; externalTenantId: string | null; matches: Uint8Array }>();
  for (const entry of directory.users.values()) {
    const guestType = classifyGuest(undefined, entry.user);
    const tenant =
      typeof entry.user.externalTenantId === "string" && entry.user.externalTenantId.length > 0
        ? entry.user.externalTenantId.toLowerCase()
        : null;
    const key = `${listed.has(entry.id) ? entry.id : ""}|${entry.groups.join(",")}|${entry.roles.join(",")}|${guestType ?? ""}|${enumeratesTenants ? (tenant ?? "") : ""}`;
    let profile = profiles.get(key);
    if (!profile) {
      const facts = {
        kind: "user",
        principalId: entry.id,
        groups: entry.groups,
        roles: entry.roles,
        guestType,
        externalTenantId: tenant,
      } as unknown as SignInFacts;
      const matches = new Uint8Array(compiled.length);
      for (const policy of compiled) {
        const users = policy.conditions[0];
        matches[policy.index] = users !== undefined && users.reason === "users" && users.check(facts) === 1 ? 1 : 0;
      }
      profile = { guestType, externalTenantId: tenant, matches };
      profiles.set(key, profile);
    }
    entry.subject = profile;
  }
}

const NOTHING_TRUSTED: InboundTrust = Object.freeze({
  isMfaAccepted: false,
  isCompliantDeviceAccepted: false,
  isHybridAzureADJoinedDeviceAccepted: false,
});

/** R37: a partner's inbound trust when configured, else the tenant default (Entra's default trusts nothing). */
function createInboundTrustLookup(policy: CrossTenantAccessPolicy | undefined): (homeTenantId: string | null) => InboundTrust {
  const fallback = policy?.default?.inboundTrust ?? NOTHING_TRUSTED;
  const partners = new Map<string, InboundTrust>();
  for (const partner of policy?.partners ?? []) {
    if (partner && typeof partner.tenantId === "string" && partner.inboundTrust)
      partners.set(partner.tenantId.toLowerCase(), partner.inboundTrust);
  }
  return (homeTenantId) => (homeTenantId === null ? fallback : (partners.get(homeTenantId) ?? fallback));
}
