/**
 * Policy impact: replays a sign-in history through the current policy set and a proposed one
 * and reports the sign-ins (and distinct users) whose outcome would change, by transition
 * (grant -> challenge, challenge -> block, ...), policy, application, user, client app type and
 * platform, with examples.
 *
 * Exactness and speed: both sets are compiled once. Only the policies that differ between
 * the two sets (added, removed, changed, state changed) can change an outcome, because the
 * decision is a function of the applying enabled policies (R33-R39). A sign-in is "affected"
 * when one of those policies (either version, if not disabled) may apply to it; only affected
 * sign-ins are decided, under both sets. Whether a differing policy may apply is answered
 * conservatively and cheaply, never wrongly excluding one: the candidate index of a tenant
 * holding just those policies (R19: resources), the subject kind (R14), and the enum
 * conditions a sign-in record states exactly (client app type R5, sign-in and user risk R27,
 * R28). Outcome totals (`outcomes`) are therefore over affected sign-ins.
 *
 * Memory: the records are consumed one at a time; what is kept grows with distinct users,
 * applications and policies, never with the number of sign-ins.
 */
import {
  type CompiledTenant,
  type CompileOptions,
  type ConditionalAccessPolicy,
  compileTenant,
  type Decision,
  decide,
  type Outcome,
  type TenantSnapshot,
  type WhatIfRequest,
} from "@gatehouse/engine";
import { canonical } from "../lint/lint-tenant.js";
import { isUnparsable, type SignInRecord } from "./read-sign-in-records.js";
import { type SignInBasics, type SignInFacts, signInBasics, signInToRequest } from "./sign-in-to-request.js";

export interface PolicyProposal {
  /** Added or changed policies (matched by id). */
  policies?: readonly ConditionalAccessPolicy[];
  /** Policies to remove, by id. */
  removePolicyIds?: readonly string[];
  /** State changes, e.g. `{ "<id>": "enabled" }` (report-only -> on). */
  states?: Readonly<Record<string, string>>;
}

export interface PolicyChange {
  policyId: string;
  policyName: string;
  change: "added" | "removed" | "changed" | "stateChanged";
  fromState?: string;
  toState?: string;
}

/** Applies a proposal to a policy set; unknown ids in `states` / `removePolicyIds` are reported. */
export function applyProposal(
  current: readonly ConditionalAccessPolicy[],
  proposal: PolicyProposal,
): { policies: ConditionalAccessPolicy[]; changes: PolicyChange[]; unknownIds: string[] } {
  const result = new Map(current.map((p) => [p.id.toLowerCase(), p]));
  const unknownIds: string[] = [];
  for (const p of proposal.policies ?? []) result.set(p.id.toLowerCase(), p);
  for (const id of proposal.removePolicyIds ?? []) {
    if (!result.delete(id.toLowerCase())) unknownIds.push(id);
  }
  for (const [id, state] of Object.entries(proposal.states ?? {})) {
    const p = result.get(id.toLowerCase());
    if (p === undefined) unknownIds.push(id);
    else result.set(id.toLowerCase(), { ...p, state });
  }
  const policies = [...result.values()];
  return { policies, changes: applyProposalDiff(current, policies), unknownIds };
}

const strip = (p: ConditionalAccessPolicy) => ({
  conditions: p.conditions,
  grantControls: p.grantControls,
  sessionControls: p.sessionControls,
});

export interface ImpactOptions {
  current: TenantSnapshot;
  proposed: TenantSnapshot;
  /** Only sign-ins at or after / before these instants (ISO 8601). */
  from?: string;
  to?: string;
  /** Examples kept per transition (default 5). */
  examples?: number;
  /** Rows kept in the by-user table (default 50). */
  topUsers?: number;
  compileOptions?: CompileOptions;
  /** Called every `progressEvery` records (default 10,000). */
  onProgress?: (records: number) => void;
  progressEvery?: number;
}

export interface Breakdown {
  key: string;
  label: string;
  signIns: number;
  users: number;
  /** Count per transition, e.g. `{ "grant->challenge": 12 }`. */
  transitions: Record<string, number>;
}

export interface ImpactExample {
  id: string;
  createdDateTime: string | null;
  user: string;
  application: string;
  clientAppType: string;
  platform: string;
  ipAddress: string | null;
  from: Outcome;
  to: Outcome;
  policies: string[];
}

export interface ImpactReport {
  period: { from: string | null; to: string | null };
  records: {
    read: number;
    /** Sign-ins replayed (read, minus unparsable, unusable, outside the period, unknown principal). */
    evaluated: number;
    /** Evaluated sign-ins some differing policy may apply to: decided under both sets. */
    affected: number;
    outsidePeriod: number;
    unparsable: number;
    unusable: number;
    unknownPrincipal: number;
  };
  changes: PolicyChange[];
  summary: { changedSignIns: number; changedUsers: number; transitions: { from: Outcome; to: Outcome; signIns: number; users: number }[] };
  /** Outcomes of the affected sign-ins under each set (unaffected ones are the same under both). */
  outcomes: { current: Record<Outcome, number>; proposed: Record<Outcome, number> };
  byPolicy: Breakdown[];
  byApplication: Breakdown[];
  byUser: Breakdown[];
  byClientAppType: Breakdown[];
  byPlatform: Breakdown[];
  examples: ImpactExample[];
}

class Tally {
  private readonly rows = new Map<string, { label: string; signIns: number; users: Set<string>; transitions: Record<string, number> }>();
  add(key: string, label: string, user: string, transition: string): void {
    let row = this.rows.get(key);
    if (row === undefined) {
      row = { label, signIns: 0, users: new Set(), transitions: {} };
      this.rows.set(key, row);
    }
    row.signIns++;
    row.users.add(user);
    row.transitions[transition] = (row.transitions[transition] ?? 0) + 1;
  }
  list(limit = Number.POSITIVE_INFINITY): Breakdown[] {
    return [...this.rows]
      .map(([key, r]) => ({ key, label: r.label, signIns: r.signIns, users: r.users.size, transitions: r.transitions }))
      .sort((a, b) => b.signIns - a.signIns || a.label.localeCompare(b.label))
      .slice(0, limit);
  }
}

/** Ids are usually lower case already: looked up as written first (no copy per record). */
const known = (set: ReadonlySet<string>, id: string): boolean => set.has(id) || set.has(id.toLowerCase());

/** Distinct requests whose decisions are remembered (see `decideBoth`). */
const DECISION_MEMO_SIZE = 20_000;

const BLOCK_ALL = {
  operator: "OR",
  builtInControls: ["block"],
  customAuthenticationFactors: [],
  termsOfUse: [],
  authenticationStrength: null,
};

/** The replay engine: compiled sets plus running totals. Feed records with `add`, then `report`. */
export class ImpactReplay {
  readonly current: CompiledTenant;
  readonly proposed: CompiledTenant;
  /** The differing policies only, both versions, forced to block (see module comment). */
  readonly changed: CompiledTenant;
  readonly changes: PolicyChange[];
  private readonly knownUsers: Set<string>;
  private readonly knownServicePrincipals: Set<string>;
  private readonly from: number;
  private readonly to: number;
  private readonly options: ImpactOptions;
  private readonly counts = { read: 0, evaluated: 0, affected: 0, outsidePeriod: 0, unparsable: 0, unusable: 0, unknownPrincipal: 0 };
  private readonly filters: QuickFilter[];
  /** Differing policies by lower-cased id: display name (the proposed one when both exist). */
  private readonly changedNames = new Map<string, string>();
  private readonly outcomes = { current: { grant: 0, challenge: 0, block: 0 }, proposed: { grant: 0, challenge: 0, block: 0 } };
  private readonly transitions = new Map<string, { signIns: number; users: Set<string> }>();
  private readonly changedUsers = new Set<string>();
  private changedSignIns = 0;
  private readonly byPolicy = new Tally();
  private readonly byApplication = new Tally();
  private readonly byUser = new Tally();
  private readonly byClientAppType = new Tally();
  private readonly byPlatform = new Tally();
  private readonly examples = new Map<string, ImpactExample[]>();
  private readonly decisions = new Map<string, { before: Decision; after: Decision }>();
  private readonly candidates = new Map<string, ReturnType<CompiledTenant["enabledCandidates"]>["policies"]>();

  constructor(options: ImpactOptions) {
    this.options = options;
    this.current = compileTenant(options.current, options.compileOptions);
    this.proposed = compileTenant(options.proposed, options.compileOptions);
    const diff = applyProposalDiff(options.current.policies, options.proposed.policies);
    this.changes = diff;
    const changedIds = new Set(diff.map((c) => c.policyId.toLowerCase()));
    const versions: ConditionalAccessPolicy[] = [];
    for (const set of [options.current.policies, options.proposed.policies]) {
      set.forEach((p) => {
        if (changedIds.has(p.id.toLowerCase()) && String(p.state).toLowerCase() !== "disabled") {
          versions.push({ ...p, id: `${p.id}#${versions.length}`, state: "enabled", grantControls: BLOCK_ALL, sessionControls: null });
        }
      });
    }
    // Only its candidate index (resources) is used: no directory or locations needed.
    this.changed = compileTenant({
      tenantId: options.proposed.tenantId,
      policies: versions,
      namedLocations: [],
      authenticationStrengthPolicies: options.proposed.authenticationStrengthPolicies ?? [],
      users: [],
      groups: [],
      roleAssignments: [],
      servicePrincipals: [],
    });
    for (const set of [options.current.policies, options.proposed.policies]) {
      for (const p of set) if (changedIds.has(p.id.toLowerCase())) this.changedNames.set(p.id.toLowerCase(), p.displayName);
    }
    const scopes = new UserScopes(options.current);
    this.filters = this.changed.policies.map((p) => quickFilter(p.policy, scopes));
    this.knownUsers = new Set((options.current.users ?? []).map((u) => String(u.id).toLowerCase()));
    this.knownServicePrincipals = new Set(
      (options.current.servicePrincipals ?? []).flatMap((s) => [String(s.id).toLowerCase(), String(s.appId).toLowerCase()]),
    );
    this.from = options.from ? Date.parse(options.from) : Number.NEGATIVE_INFINITY;
    this.to = options.to ? Date.parse(options.to) : Number.POSITIVE_INFINITY;
  }

  /** Replays one record. */
  add(record: SignInRecord | object): void {
    const n = ++this.counts.read;
    const every = this.options.progressEvery ?? 10_000;
    if (this.options.onProgress && n % every === 0) this.options.onProgress(n);
    if (isUnparsable(record as SignInRecord)) {
      this.counts.unparsable++;
      return;
    }
    const basics = signInBasics(record as Record<string, unknown>);
    if (basics === null) {
      this.counts.unusable++;
      return;
    }
    if (basics.createdDateTime !== null && (this.from !== Number.NEGATIVE_INFINITY || this.to !== Number.POSITIVE_INFINITY)) {
      const t = Date.parse(basics.createdDateTime);
      if (!Number.isNaN(t) && (t < this.from || t >= this.to)) {
        this.counts.outsidePeriod++;
        return;
      }
    }
    if (
      basics.userId !== null
        ? !known(this.knownUsers, basics.userId)
        : !known(this.knownServicePrincipals, String(basics.servicePrincipalId))
    ) {
      this.counts.unknownPrincipal++;
      return;
    }
    this.counts.evaluated++;
    // Fast path: none of the differing policies may apply -> same outcome under both sets.
    if (!this.mayBeAffected(basics)) return;
    this.counts.affected++;
    const facts = signInToRequest(record as Record<string, unknown>, basics) as SignInFacts;
    const { before, after } = this.decideBoth(facts.request);
    this.outcomes.current[before.outcome]++;
    this.outcomes.proposed[after.outcome]++;
    if (before.outcome !== after.outcome) this.record(facts, before, after);
  }

  /**
   * Both decisions for a request, remembered: a log repeats the same user, resource, client,
   * device, network and methods many times, and `decide` is a pure function of the compiled
   * tenant and the request, so the request's JSON is an exact key. Bounded: the memo is
   * emptied when it reaches {@link DECISION_MEMO_SIZE} requests, so memory stays flat.
   */
  private decideBoth(request: WhatIfRequest): { before: Decision; after: Decision } {
    const key = JSON.stringify(request);
    let both = this.decisions.get(key);
    if (both === undefined) {
      both = { before: decide(this.current, request), after: decide(this.proposed, request) };
      if (this.decisions.size >= DECISION_MEMO_SIZE) this.decisions.clear();
      this.decisions.set(key, both);
    }
    return both;
  }

  /** Conservative: false only when no differing policy can apply to the sign-in. */
  private mayBeAffected(facts: SignInBasics): boolean {
    if (this.filters.length === 0 || facts.resourceId === null) return false;
    // A log names a few hundred resources at most: their candidate lists are kept (bounded).
    let policies = this.candidates.get(facts.resourceId);
    if (policies === undefined) {
      ({ policies } = this.changed.enabledCandidates({
        target: "application",
        applications: [facts.resourceId.toLowerCase()],
        userAction: null,
        authContext: null,
      }));
      if (this.candidates.size >= DECISION_MEMO_SIZE) this.candidates.clear();
      this.candidates.set(facts.resourceId, policies);
    }
    if (policies.length === 0) return false;
    const client = facts.clientAppType === "unknown" ? "" : facts.clientAppType.toLowerCase();
    const signInRisk = facts.signInRisk;
    // A sign-in record carries no user risk: the request says none (Graph's default).
    const userRisk = "none";
    const workload = facts.userId === null;
    for (const p of policies) {
      const f = this.filters[p.index] as QuickFilter;
      if (f.workload !== workload) continue;
      if (!workload && f.users !== null && !f.users.has(String(facts.userId).toLowerCase())) continue;
      // An unstated client app type may match anything: only a stated one can rule a policy out.
      if (f.clients !== null && client !== "" && !f.clients.has(client)) continue;
      if (!workload && f.signInRisks !== null && !f.signInRisks.has(signInRisk)) continue;
      if (!workload && f.userRisks !== null && !f.userRisks.has(userRisk)) continue;
      return true;
    }
    return false;
  }

  private record(facts: SignInFacts, beforeDecision: Decision, afterDecision: Decision): void {
    const before = beforeDecision.outcome;
    const after = afterDecision.outcome;
    const transition = `${before}->${after}`;
    const user = facts.userId ?? `sp:${facts.servicePrincipalId}`;
    this.changedSignIns++;
    this.changedUsers.add(user);
    let t = this.transitions.get(transition);
    if (t === undefined) {
      t = { signIns: 0, users: new Set() };
      this.transitions.set(transition, t);
    }
    t.signIns++;
    t.users.add(user);
    // Responsible: the differing policies named by either decision (a block reason or an
    // unmet requirement): the ones that make the outcome what it is under one of the sets.
    const names = new Map<string, string>();
    for (const d of [beforeDecision, afterDecision]) {
      const ids = [...(d.blockReasons ?? []).map((r) => r.policyId), ...d.requiredControls.flatMap((c) => c.policyIds)];
      for (const id of ids) {
        const name = this.changedNames.get(String(id).toLowerCase());
        if (name !== undefined) names.set(id, name);
      }
    }
    for (const [id, name] of names) this.byPolicy.add(id, name, user, transition);
    this.byApplication.add(facts.resourceId ?? "unknown", facts.resourceLabel, user, transition);
    this.byUser.add(user, facts.userLabel, user, transition);
    this.byClientAppType.add(facts.clientAppType, facts.clientAppType, user, transition);
    this.byPlatform.add(facts.platform, facts.platform, user, transition);
    const list = this.examples.get(transition) ?? [];
    if (list.length < (this.options.examples ?? 5)) {
      list.push({
        id: facts.id,
        createdDateTime: facts.createdDateTime,
        user: facts.userLabel,
        application: facts.resourceLabel,
        clientAppType: facts.clientAppType,
        platform: facts.platform,
        ipAddress: facts.ipAddress,
        from: before,
        to: after,
        policies: [...names.values()],
      });
      this.examples.set(transition, list);
    }
  }

  report(): ImpactReport {
    const ORDER: Outcome[] = ["grant", "challenge", "block"];
    return {
      period: { from: this.options.from ?? null, to: this.options.to ?? null },
      records: { ...this.counts },
      changes: this.changes,
      summary: {
        changedSignIns: this.changedSignIns,
        changedUsers: this.changedUsers.size,
        transitions: [...this.transitions]
          .map(([key, t]) => {
            const [from, to] = key.split("->") as [Outcome, Outcome];
            return { from, to, signIns: t.signIns, users: t.users.size };
          })
          .sort((a, b) => ORDER.indexOf(a.from) - ORDER.indexOf(b.from) || ORDER.indexOf(a.to) - ORDER.indexOf(b.to)),
      },
      outcomes: { current: { ...this.outcomes.current }, proposed: { ...this.outcomes.proposed } },
      byPolicy: this.byPolicy.list(),
      byApplication: this.byApplication.list(),
      byUser: this.byUser.list(this.options.topUsers ?? 50),
      byClientAppType: this.byClientAppType.list(),
      byPlatform: this.byPlatform.list(),
      examples: [...this.examples.values()].flat(),
    };
  }
}

/** What a differing policy needs of a sign-in, for the conservative pre-filter (null = no constraint known). */
interface QuickFilter {
  workload: boolean;
  /** Every user the users condition may include (exclusions ignored); null = anyone. */
  users: ReadonlySet<string> | null;
  clients: ReadonlySet<string> | null;
  signInRisks: ReadonlySet<string> | null;
  userRisks: ReadonlySet<string> | null;
}

const CLIENTS = new Set(["browser", "mobileappsanddesktopclients", "exchangeactivesync", "other"]);
const RISKS = new Set(["none", "low", "medium", "high"]);

/** A constraint is used only when every value is a known enum member; anything else means "may apply". */
function quickFilter(p: ConditionalAccessPolicy, scopes: UserScopes): QuickFilter {
  const c = p.conditions;
  const known = (values: readonly string[] | undefined, universe: ReadonlySet<string>): ReadonlySet<string> | null => {
    const lower = (values ?? []).map((v) => String(v).toLowerCase());
    if (lower.length === 0 || lower.includes("all") || !lower.every((v) => universe.has(v))) return null;
    return new Set(lower);
  };
  const sp = c?.clientApplications as { includeServicePrincipals?: string[]; servicePrincipalFilter?: unknown } | null | undefined;
  const workload = (sp?.includeServicePrincipals?.length ?? 0) > 0 || !!sp?.servicePrincipalFilter;
  return {
    workload,
    users: scopes.superset(p),
    clients: known(c?.clientAppTypes, CLIENTS),
    signInRisks: known(c?.signInRiskLevels, RISKS),
    userRisks: known(c?.userRiskLevels, RISKS),
  };
}

/**
 * A superset of the users a users condition can include (R8-R11): listed users, transitive
 * members of listed groups, holders of listed roles (users, or members of role-assignable
 * groups). Exclusions are ignored, so the set only ever rules out users that cannot match.
 * `null` (anyone) for All, guests and external users, or anything unusual.
 */
class UserScopes {
  private readonly groups = new Map<string, string[]>();
  private readonly roleHolders = new Map<string, string[]>();
  private readonly memo = new Map<string, ReadonlySet<string>>();

  constructor(tenant: TenantSnapshot) {
    for (const g of tenant.groups ?? []) {
      this.groups.set(
        String(g.id).toLowerCase(),
        (g.members ?? []).map((m) => String(typeof m === "string" ? m : ((m as { id?: unknown })?.id ?? "")).toLowerCase()),
      );
    }
    for (const a of tenant.roleAssignments ?? []) {
      const role = String(a.roleTemplateId ?? "").toLowerCase();
      const list = this.roleHolders.get(role) ?? [];
      list.push(String(a.principalId).toLowerCase());
      this.roleHolders.set(role, list);
    }
  }

  private membersOf(group: string, into: Set<string>): void {
    const seen = new Set<string>();
    const pending = [group];
    while (pending.length > 0) {
      const g = pending.pop() as string;
      if (seen.has(g)) continue;
      seen.add(g);
      for (const m of this.groups.get(g) ?? []) {
        if (this.groups.has(m)) pending.push(m);
        else into.add(m);
      }
    }
  }

  superset(p: ConditionalAccessPolicy): ReadonlySet<string> | null {
    const u = p.conditions?.users;
    if (!u) return null;
    const users = u.includeUsers.map((x) => String(x).toLowerCase());
    if (users.includes("all") || users.includes("guestsorexternalusers") || u.includeGuestsOrExternalUsers) return null;
    const key = JSON.stringify([users, u.includeGroups, u.includeRoles]);
    const cached = this.memo.get(key);
    if (cached) return cached;
    const out = new Set<string>(users.filter((x) => x !== "none"));
    for (const g of u.includeGroups) this.membersOf(String(g).toLowerCase(), out);
    for (const r of u.includeRoles) {
      for (const principal of this.roleHolders.get(String(r).toLowerCase()) ?? []) {
        if (this.groups.has(principal)) this.membersOf(principal, out);
        else out.add(principal);
      }
    }
    this.memo.set(key, out);
    return out;
  }
}

/** The policy changes between two sets (by id): added, removed, changed, state changed. */
export function applyProposalDiff(
  current: readonly ConditionalAccessPolicy[],
  proposed: readonly ConditionalAccessPolicy[],
): PolicyChange[] {
  const before = new Map(current.map((p) => [p.id.toLowerCase(), p]));
  const changes: PolicyChange[] = [];
  const seen = new Set<string>();
  for (const p of proposed) {
    const id = p.id.toLowerCase();
    seen.add(id);
    const b = before.get(id);
    if (b === undefined) changes.push({ policyId: p.id, policyName: p.displayName, change: "added", toState: p.state });
    else if (canonical(strip(b)) !== canonical(strip(p))) changes.push({ policyId: p.id, policyName: p.displayName, change: "changed" });
    else if (b.state !== p.state)
      changes.push({ policyId: p.id, policyName: p.displayName, change: "stateChanged", fromState: b.state, toState: p.state });
  }
  for (const [id, p] of before)
    if (!seen.has(id)) changes.push({ policyId: p.id, policyName: p.displayName, change: "removed", fromState: p.state });
  return changes;
}

/** Replays a stream (or list) of records; see {@link ImpactReplay}. */
export async function replayImpact(
  records: AsyncIterable<SignInRecord | object> | Iterable<SignInRecord | object>,
  options: ImpactOptions,
): Promise<ImpactReport> {
  const replay = new ImpactReplay(options);
  for await (const record of records as AsyncIterable<SignInRecord | object>) replay.add(record);
  return replay.report();
}
