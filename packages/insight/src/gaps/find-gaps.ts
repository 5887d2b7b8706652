/**
 * `gatehouse gaps`: the effective-control analysis. Over the exact equivalence classes of
 * the sign-in space (`probe-directory`: every combination of group, role and guest
 * memberships the enabled policies distinguish, plus "a member of none"; `request-space`:
 * each named resource, "any other app", user actions, client app types, platform, location,
 * risk, device and flow classes), the engine's `decide` answers, for each point:
 *
 * - no MFA: a session that used only a password (and satisfied every control that is not
 *   MFA: terms of use, approved or compliant app, on the point's device) is granted;
 * - no control: a password-only session on an unregistered device is granted.
 *
 * Classes of applicability-only dimensions (platform, location, risk) whose matching policy
 * set strictly contains another's are not swept: more applying enabled policies never make
 * an outcome weaker (R33, R34, R38), so a gap there implies one in the smaller class. The
 * answer to "is there a gap" is therefore exact; findings name the weakest classes.
 *
 * In particular: can anyone except the emergency-access accounts reach the Gatehouse
 * Management API without MFA? (`managementApi`).
 */
import { GATEHOUSE_MANAGEMENT_API_APP_ID } from "@gatehouse/admin";
import {
  compileTenant,
  decide,
  type SatisfiedControls,
  type TenantSnapshot,
  type UserSubject,
  userSubject,
  type WhatIfRequest,
} from "@gatehouse/engine";
import { isWorkloadPolicy, policyMode } from "../internal/policy-facts.js";
import { buildProbeDirectory, type EmergencyAccess, type ProbeProfile } from "../internal/probe-directory.js";
import { buildRequestSpace, joinWords, type RequestSpace, type SpaceValue, type Target } from "../internal/request-space.js";
import { type SweepPoint, sweep } from "../internal/sweep.js";

export const MANAGEMENT_API_APP_ID = GATEHOUSE_MANAGEMENT_API_APP_ID;

/**
 * The Management API's appId in a snapshot: the well-known id when a service principal has it
 * (or none is named "Gatehouse Management API"), else that service principal's appId.
 */
export function managementApiAppId(tenant: TenantSnapshot): string {
  const sps = tenant.servicePrincipals ?? [];
  if (sps.some((s) => String(s.appId).toLowerCase() === MANAGEMENT_API_APP_ID)) return MANAGEMENT_API_APP_ID;
  return sps.find((s) => String(s.displayName ?? "").toLowerCase() === "gatehouse management api")?.appId ?? MANAGEMENT_API_APP_ID;
}

export interface GapFinding {
  kind: "noMfa" | "noControl";
  resource: string;
  /** Who: profile labels. */
  users: string[];
  /** In which circumstances, in words. */
  when: string;
  message: string;
  /** One What-If request that demonstrates the gap (with its `satisfied` session). */
  example: WhatIfRequest;
}

export interface GapsReport {
  /** What was swept: every resource, or only the Management API (`--question management-api-mfa`). */
  scope: "all" | "managementApiMfa";
  /** Every class was evaluated (false when `maxEvaluations` stopped the sweep). */
  exhaustive: boolean;
  evaluations: number;
  profiles: number;
  approximations: string[];
  managementApi: {
    appId: string;
    /** Exactly: some non-emergency-access user reaches the Management API without MFA. */
    reachableWithoutMfa: boolean;
    /** Findings about the Management API (a subset of `findings` when the whole sweep ran). */
    findings: GapFinding[];
  };
  findings: GapFinding[];
}

export interface GapsOptions {
  emergencyAccess?: EmergencyAccess;
  /** Answer only the Management API question. */
  only?: "managementApiMfa";
  /** The Management API's appId (default {@link managementApiAppId}). */
  managementApiAppId?: string;
  /** Stop after this many decisions (default 10,000,000: about a minute on one core). */
  maxEvaluations?: number;
  /**
   * Decide at every point instead of once per class of equivalent (user class, resource)
   * pairs (the reference the classes are checked against; much slower on large tenants).
   */
  sweepEveryPoint?: boolean;
}

const MANAGEMENT_API_LABEL = "the Gatehouse Management API";

interface Hit {
  point: SweepPoint;
  request: WhatIfRequest;
}

export function findGaps(tenant: TenantSnapshot, options: GapsOptions = {}): GapsReport {
  const enabled = tenant.policies.filter((p) => policyMode(p) === "enabled" && !isWorkloadPolicy(p));
  const directory = buildProbeDirectory(tenant, enabled, options.emergencyAccess ? { emergencyAccess: options.emergencyAccess } : {});
  const profiles = directory.profiles.filter((p) => !p.exempt);
  const apiAppId = (options.managementApiAppId ?? managementApiAppId(tenant)).toLowerCase();
  const space: RequestSpace = buildRequestSpace(directory.snapshot, enabled, {
    minimalOnly: true,
    extraApps: [{ appId: apiAppId, label: MANAGEMENT_API_LABEL }],
  });
  if (options.only === "managementApiMfa") space.targets = space.targets.filter((t) => t.key === apiAppId);
  const compiled = compileTenant({ ...directory.snapshot, policies: enabled });
  const base: SatisfiedControls = {
    termsOfUse: [...new Set(enabled.flatMap((p) => p.grantControls?.termsOfUse ?? []))],
    customAuthenticationFactors: [...new Set(enabled.flatMap((p) => p.grantControls?.customAuthenticationFactors ?? []))],
    approvedApplication: true,
    compliantApplication: true,
    authenticationMethods: ["password"],
  };
  const bare: SatisfiedControls = { authenticationMethods: ["password"] };
  const max = options.maxEvaluations ?? 10_000_000;
  let evaluations = 0;
  let exhaustive = true;
  /** Sweeps every point of one user class and resource into `into`; false when the budget ran out. */
  const sweepPair = (profile: ProbeProfile, target: SpaceValue<Target>, into: PairHits): boolean => {
    let complete = true;
    sweep([profile], { ...space, targets: [target] }, base, (point, request) => {
      if (evaluations >= max) {
        complete = false;
        return false;
      }
      evaluations++;
      if (decide(compiled, request).outcome !== "grant") return true;
      into.noMfa.push({ point, request });
      if (point.device.key === "unregistered" || point.device.key === "any") {
        evaluations++;
        const plain = { ...request, satisfied: bare };
        if (decide(compiled, plain).outcome === "grant") into.noControl.push({ point, request: plain });
      }
      return true;
    });
    return complete;
  };

  let findings: GapFinding[];
  let reachableWithoutMfa: boolean;
  if (options.sweepEveryPoint === true) {
    // The reference: every point of every user class and resource.
    const all: PairHits = { noMfa: [], noControl: [] };
    outer: for (const profile of profiles) {
      for (const target of space.targets) {
        if (!sweepPair(profile, target, all)) {
          exhaustive = false;
          break outer;
        }
      }
    }
    findings = [...group("noControl", all.noControl), ...group("noMfa", all.noMfa)];
    reachableWithoutMfa = all.noMfa.some((h) => h.point.target.key === apiAppId);
  } else {
    // (user class, resource) pairs that every enabled policy treats alike (pairKey) get the
    // same decision at every point: each such class is swept once, for its first pair.
    const keyOf = pairKeys(compiled);
    const classes = new Map<string, PairHits>();
    const pairs: Pair[] = [];
    for (const profile of profiles) {
      const subject = userSubject(compiled, profile.userId);
      for (const target of space.targets) {
        const key = keyOf(subject, profile, target);
        let hits = classes.get(key);
        if (hits === undefined) {
          hits = { noMfa: [], noControl: [] };
          classes.set(key, hits);
          if (exhaustive && !sweepPair(profile, target, hits)) exhaustive = false;
        }
        pairs.push({ profile, target, hits });
      }
    }
    findings = [...groupPairs("noControl", pairs), ...groupPairs("noMfa", pairs)];
    reachableWithoutMfa = pairs.some((p) => p.target.key === apiAppId && p.hits.noMfa.length > 0);
  }
  const api = findings.filter((f) => f.resource === MANAGEMENT_API_LABEL);
  return {
    scope: options.only ?? "all",
    exhaustive,
    evaluations,
    profiles: profiles.length,
    approximations: space.approximations,
    managementApi: {
      appId: apiAppId,
      reachableWithoutMfa,
      findings: api,
    },
    findings,
  };
}

interface PairHits {
  noMfa: Hit[];
  noControl: Hit[];
}

interface Pair {
  profile: ProbeProfile;
  target: SpaceValue<Target>;
  /** The hits of the pair's class, found at its first pair's points. */
  hits: PairHits;
}

/**
 * The class of a (user class, resource) pair: pairs with equal keys get equal decisions at
 * every point of the rest of the space. A decision depends on the user only through the
 * users condition of each policy and the guest facts grant controls read (`userSubject`), and
 * on the resource only through each policy's applications condition (R19). So the key is the
 * list of policies whose users and applications conditions both match, plus the guest facts;
 * a resource whose applications conditions cannot all be settled for it alone (user actions,
 * authentication contexts, filters on the app's attributes) keeps its own key. An unknown
 * user is a class of its own.
 */
function pairKeys(compiled: ReturnType<typeof compileTenant>) {
  const candidates = new Map<string, number[] | null>();
  const resolved = (target: SpaceValue<Target>): number[] | null => {
    let list = candidates.get(target.key);
    if (list === undefined) {
      list = null;
      const apps = (target.value as { includeApplications?: unknown }).includeApplications;
      if (Array.isArray(apps) && apps.length === 1 && typeof apps[0] === "string") {
        const c = compiled.enabledCandidates({
          target: "application",
          applications: [apps[0].toLowerCase()],
          userAction: null,
          authContext: null,
        });
        if (c.targetMatched.every((m) => m === 1)) list = c.policies.map((p) => p.index);
      }
      candidates.set(target.key, list);
    }
    return list;
  };
  const everyMatch = new WeakMap<Uint8Array, string>();
  return (subject: UserSubject | null, profile: ProbeProfile, target: SpaceValue<Target>): string => {
    if (subject === null) return `user:${profile.key}\u0000${target.key}`;
    const guest = `${subject.guestType ?? ""}|${subject.externalTenantId ?? ""}|${subject.insiderRiskLevel ?? ""}`;
    const list = resolved(target);
    if (list !== null) return `apps\u0000${list.filter((i) => subject.matches[i] === 1).join(",")}\u0000${guest}`;
    let matched = everyMatch.get(subject.matches);
    if (matched === undefined) {
      matched = [...subject.matches.keys()].filter((i) => subject.matches[i] === 1).join(",");
      everyMatch.set(subject.matches, matched);
    }
    return `${target.key}\u0000${matched}\u0000${guest}`;
  };
}

/** {@link group} over classes: the same findings, in the same order, as grouping every point's hit. */
function groupPairs(kind: GapFinding["kind"], pairs: readonly Pair[]): GapFinding[] {
  const whenOf = new Map<readonly Hit[], string>();
  const byCircumstance = new Map<string, { resource: string; when: string; users: string[]; example: WhatIfRequest }>();
  for (const { profile, target, hits: all } of pairs) {
    const hits = kind === "noMfa" ? all.noMfa : all.noControl;
    const first = hits[0];
    if (first === undefined) continue;
    let when = whenOf.get(hits);
    if (when === undefined) {
      when = circumstances(hits.map((h) => h.point));
      whenOf.set(hits, when);
    }
    const key = `${target.key}\u0000${when}`;
    const entry = byCircumstance.get(key);
    if (entry) entry.users.push(profile.label);
    else {
      const example: WhatIfRequest = {
        ...first.request,
        signInIdentity: { "@odata.type": "#microsoft.graph.userSignIn", userId: profile.userId },
        signInContext: target.value,
      };
      byCircumstance.set(key, { resource: target.label, when, users: [profile.label], example });
    }
  }
  return [...byCircumstance.values()].map((e) => finding(kind, e));
}

/** Groups hits: per resource, users with the same circumstances together. */
function group(kind: GapFinding["kind"], hits: readonly Hit[]): GapFinding[] {
  const byTargetProfile = new Map<string, Hit[]>();
  for (const h of hits) {
    const key = `${h.point.target.key}\u0000${h.point.profile.key}`;
    const list = byTargetProfile.get(key);
    if (list) list.push(h);
    else byTargetProfile.set(key, [h]);
  }
  const byCircumstance = new Map<string, { resource: string; when: string; users: string[]; example: WhatIfRequest }>();
  for (const list of byTargetProfile.values()) {
    const first = list[0] as Hit;
    const when = circumstances(list.map((h) => h.point));
    const key = `${first.point.target.key}\u0000${when}`;
    const entry = byCircumstance.get(key);
    if (entry) entry.users.push(first.point.profile.label);
    else byCircumstance.set(key, { resource: first.point.target.label, when, users: [first.point.profile.label], example: first.request });
  }
  return [...byCircumstance.values()].map((e) => finding(kind, e));
}

function finding(kind: GapFinding["kind"], e: { resource: string; when: string; users: string[]; example: WhatIfRequest }): GapFinding {
  return {
    kind,
    resource: e.resource,
    users: e.users,
    when: e.when,
    message: `${(e.users.length > 6 ? [...e.users.slice(0, 5), `${e.users.length - 5} other user classes`] : e.users).join("; ")}${e.when ? ` ${e.when}` : ""} reach ${e.resource} ${kind === "noMfa" ? "without MFA" : "with no control at all"}`,
    example: e.example,
  };
}

/** "using legacy clients from an untrusted address" for a set of points of one profile and resource. */
function circumstances(points: readonly SweepPoint[]): string {
  const distinct = (f: (p: SweepPoint) => { key: string; label: string }): { key: string; label: string }[] => {
    const m = new Map<string, string>();
    for (const p of points) {
      const v = f(p);
      m.set(v.key, v.label);
    }
    return [...m].map(([key, label]) => ({ key, label }));
  };
  const parts: string[] = [];
  const clients = distinct((p) => p.client);
  if (clients.length < 4) parts.push(`using ${joinWords(clients.map((c) => c.label))}`);
  const platforms = distinct((p) => p.platform).filter((p) => p.key !== "any");
  if (platforms.length > 0) parts.push(`on ${joinWords(platforms.map((p) => p.label))}`);
  const locations = distinct((p) => p.location).filter((l) => l.key !== "any");
  if (locations.length > 0) parts.push(`from ${joinWords(locations.map((l) => l.label))}`);
  const devices = distinct((p) => p.device).filter((d) => d.key !== "any");
  if (devices.length > 0 && devices.length < 4) parts.push(`with ${joinWords(devices.map((d) => d.label))}`);
  const risks = distinct((p) => p.signInRisk).filter((r) => r.key !== "any" && r.key !== "none");
  if (risks.length > 0) parts.push(`at sign-in ${joinWords(risks.map((r) => r.label))}`);
  const flows = distinct((p) => p.flow).filter((f) => f.key !== "any" && f.key !== "none");
  if (flows.length > 0) parts.push(`through ${joinWords(flows.map((f) => f.label))}`);
  return parts.join(" ");
}

export function formatGapsText(report: GapsReport): string {
  const lines: string[] = [];
  lines.push(
    `Management API (${report.managementApi.appId}): ${report.managementApi.reachableWithoutMfa ? "REACHABLE WITHOUT MFA by someone other than the emergency-access accounts" : "no one but the emergency-access accounts can reach it without MFA"}`,
  );
  for (const f of report.managementApi.findings) lines.push(`  - ${f.message}`);
  lines.push("");
  if (report.scope === "managementApiMfa") {
    lines.push(
      `${report.evaluations} decisions over ${report.profiles} user classes${report.exhaustive ? " (exhaustive)" : " (NOT exhaustive)"}`,
    );
    for (const a of report.approximations) lines.push(`Note: ${a}`);
    return `${lines.join("\n")}\n`;
  }
  const noControl = report.findings.filter((f) => f.kind === "noControl");
  const noMfa = report.findings.filter((f) => f.kind === "noMfa");
  if (noControl.length > 0) {
    lines.push("Access with no control at all:");
    for (const f of noControl) lines.push(`  - ${f.message}`);
    lines.push("");
  }
  if (noMfa.length > 0) {
    lines.push("Access without MFA:");
    for (const f of noMfa) lines.push(`  - ${f.message}`);
    lines.push("");
  }
  if (report.findings.length === 0) lines.push("No gaps: every sign-in class requires MFA or stronger.", "");
  lines.push(
    `${report.evaluations} decisions over ${report.profiles} user classes${report.exhaustive ? " (exhaustive)" : " (NOT exhaustive: the evaluation budget ran out)"}`,
  );
  for (const a of report.approximations) lines.push(`Note: ${a}`);
  return `${lines.join("\n")}\n`;
}
