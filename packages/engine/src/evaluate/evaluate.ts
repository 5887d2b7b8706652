import { APPLICATIONS_CONDITION, type CompiledPolicy, type CompiledTenant } from "../compile/compile-tenant.js";
import { REGISTER_SECURITY_INFO } from "../conditions/applications.js";
import {
  type AnalysisReason,
  type CompiledCondition,
  MATCH,
  NO_MATCH,
  type SignInFacts,
  type Tri,
  UNDECIDABLE,
} from "../conditions/condition.js";
import { evaluateGrant, type GrantControl, type GrantOutcome, mergeRequiredControls } from "../controls/grant-controls.js";
import { mergeSessionControls, sessionControlNames } from "../controls/session-controls.js";
import type { AppliedPolicyResult, BlockReason, Decision, WhatIfAnalysisResult, WhatIfRequest, WhatIfResponse } from "../whatif/types.js";
import { prepareSignIn } from "./prepare-sign-in.js";

/** One policy judged against one sign-in. */
export interface PolicyJudgement {
  readonly policy: CompiledPolicy;
  /** MATCH: applies; NO_MATCH: does not; UNDECIDABLE: treated as applying (fail closed). */
  readonly applies: Tri;
  /** First unmet condition (R46), `notSet` when it applies, or why it could not be decided. */
  readonly reason: AnalysisReason;
  /** The grant expression's state, for applying policies. */
  readonly grant: GrantOutcome | null;
}

const APPLIES = -1;
const APPLIES_UNDECIDED = -2;
/** A precomputed users condition (R8-R13) said no: reported as the users reason. */
const USERS_PRECOMPUTED = -3;

/**
 * R5, R6, R46: every configured condition must match. Returns APPLIES, APPLIES_UNDECIDED
 * (some condition could not be decided and none failed), or the index of the first
 * condition that failed. Allocation-free: this runs for every candidate policy.
 */
function firstUnmet(policy: CompiledPolicy, facts: SignInFacts): number {
  const conditions = policy.conditions;
  let i = 0;
  // The users condition (always first) may be precomputed for the user's profile.
  const subject = facts.subjectMatches;
  if (subject !== null) {
    if (subject[policy.index] === 0) return USERS_PRECOMPUTED;
    i = 1;
  }
  let undecided = false;
  for (; i < conditions.length; i++) {
    const condition = conditions[i] as CompiledCondition;
    if (condition.subjects !== "both" && condition.subjects !== facts.kind) continue;
    const r = condition.check(facts);
    if (r === NO_MATCH) return i;
    if (r === UNDECIDABLE) undecided = true;
  }
  return undecided ? APPLIES_UNDECIDED : APPLIES;
}

/**
 * Applicability for the decision alone: the same conditions as `firstUnmet`, cheapest first
 * (`decideOrder`). Returns APPLIES, APPLIES_UNDECIDED or -4 (does not apply).
 */
function appliesForDecision(policy: CompiledPolicy, facts: SignInFacts, targetMatched: boolean): number {
  const subject = facts.subjectMatches;
  if (subject !== null && subject[policy.index] === 0) return NOT_APPLIES;
  const users = policy.conditions[0];
  const applications = policy.conditions[APPLICATIONS_CONDITION];
  const order = policy.decideOrder;
  let undecided = false;
  for (let i = 0; i < order.length; i++) {
    const condition = order[i] as CompiledCondition;
    if ((subject !== null && condition === users) || (targetMatched && condition === applications)) continue;
    if (condition.subjects !== "both" && condition.subjects !== facts.kind) continue;
    const r = condition.check(facts);
    if (r === NO_MATCH) return NOT_APPLIES;
    if (r === UNDECIDABLE) undecided = true;
  }
  return undecided ? APPLIES_UNDECIDED : APPLIES;
}

const NOT_APPLIES = -4;

/** One policy judged against one sign-in: applicability, the first unmet condition, the grant state. */
export function judgePolicy(tenant: CompiledTenant, policy: CompiledPolicy, facts: SignInFacts): PolicyJudgement {
  const unmet = firstUnmet(policy, facts);
  if (unmet === USERS_PRECOMPUTED) return { policy, applies: NO_MATCH, reason: "users", grant: null };
  if (unmet >= 0) return { policy, applies: NO_MATCH, reason: (policy.conditions[unmet] as CompiledCondition).reason, grant: null };
  const grant = evaluateGrant(policy.grant, facts, tenant.strengths.mfa);
  return unmet === APPLIES
    ? { policy, applies: MATCH, reason: "notSet", grant }
    : { policy, applies: UNDECIDABLE, reason: "invalidCondition", grant };
}

/**
 * R37: during security-info registration, authentication strengths on policies that target
 * the registration action by name take precedence over strengths of policies that apply
 * through All resources; those policies' other grant controls still apply.
 */
function applyRegistrationPrecedence(tenant: CompiledTenant, judgements: PolicyJudgement[], facts: SignInFacts): PolicyJudgement[] {
  if (facts.target !== "userAction" || facts.userAction !== REGISTER_SECURITY_INFO) return judgements;
  const hasStrength = (p: CompiledPolicy): boolean => p.grant.controls.some((c) => c.control === "authenticationStrength");
  const explicit = judgements.some(
    (j) => j.policy.mode === "enabled" && j.applies !== NO_MATCH && j.policy.explicitRegistration && hasStrength(j.policy),
  );
  if (!explicit) return judgements;
  return judgements.map((j) =>
    j.applies === NO_MATCH || j.policy.explicitRegistration || !hasStrength(j.policy)
      ? j
      : { ...j, grant: evaluateGrant(j.policy.grantWithoutStrength, facts, tenant.strengths.mfa) },
  );
}

/** R42: the sign-in-log result of a judged policy. */
export function policyResult(j: PolicyJudgement): AppliedPolicyResult {
  const mode = j.policy.mode;
  if (mode === "disabled") return "notEnabled";
  const reportOnly = mode === "reportOnly";
  if (j.applies === NO_MATCH || j.grant === null) return reportOnly ? "reportOnlyNotApplied" : "notApplied";
  switch (j.grant.status) {
    case "satisfied":
      return reportOnly ? "reportOnlySuccess" : "success";
    case "interactive":
      return reportOnly ? "reportOnlyInterrupted" : "failure";
    default:
      return reportOnly ? "reportOnlyFailure" : "failure";
  }
}

/**
 * R33, R34, R38, R39, R41: combines the judgements of *enabled* policies. Block wins; a
 * requirement that cannot be met interactively blocks; otherwise unmet requirements are
 * prompted in R40 order; otherwise access is granted with merged session controls.
 * Report-only and disabled policies are never passed here.
 */
export function combineDecision(enabled: readonly PolicyJudgement[], problems: readonly BlockReason[]): Decision {
  const blockReasons: BlockReason[] = [...problems];
  const needs: { control: GrantControl; policyId: string }[] = [];
  const applying = [];
  for (const j of enabled) {
    if (j.applies === NO_MATCH || j.grant === null) continue;
    applying.push(j.policy.policy);
    const id = j.policy.policy.id;
    const name = j.policy.policy.displayName;
    if (j.applies === UNDECIDABLE && j.grant.status !== "satisfied") {
      blockReasons.push({
        policyId: id,
        code: "invalidCondition",
        message: `Policy "${name}" could not be evaluated (${j.reason}); it is enforced as if it applied`,
      });
    }
    switch (j.grant.status) {
      case "block":
        blockReasons.push({ policyId: id, code: "blockControl", message: `Policy "${name}" blocks access` });
        break;
      case "impossible":
        blockReasons.push({
          policyId: id,
          code: "cannotSatisfy",
          message: `Policy "${name}" requires ${j.grant.unmet.map((c) => c.display.replace(/^Require /, "")).join(j.policy.grant.operator === "OR" ? " or " : " and ")}, which this sign-in cannot satisfy`,
        });
        break;
      case "interactive":
        for (const control of j.grant.needs) needs.push({ control, policyId: id });
        break;
      case "satisfied":
        break;
    }
  }
  const sessionControls = mergeSessionControls(applying);
  const status = (outcome: Decision["outcome"]): Decision["conditionalAccessStatus"] =>
    applying.length === 0 ? (outcome === "block" ? "failure" : "notApplied") : outcome === "grant" ? "success" : "failure";
  const hardBlock = blockReasons.some((r) => r.code !== "invalidCondition");
  if (hardBlock) {
    return { outcome: "block", requiredControls: [], sessionControls, conditionalAccessStatus: status("block"), blockReasons };
  }
  const notes = blockReasons.length ? { blockReasons } : {};
  if (needs.length > 0) {
    return {
      outcome: "challenge",
      requiredControls: mergeRequiredControls(needs),
      sessionControls,
      conditionalAccessStatus: status("challenge"),
      ...notes,
    };
  }
  return { outcome: "grant", requiredControls: [], sessionControls, conditionalAccessStatus: status("grant"), ...notes };
}

/**
 * The decision for one sign-in, looking only at enabled policies that can match the
 * target (the candidate index): the hot path for token issuance.
 */
export function decide(tenant: CompiledTenant, request: WhatIfRequest): Decision {
  const { facts, problems } = prepareSignIn(tenant, request);
  const { policies: candidates, targetMatched } = tenant.enabledCandidates(facts);
  const judgements: PolicyJudgement[] = [];
  for (let i = 0; i < candidates.length; i++) {
    const policy = candidates[i] as CompiledPolicy;
    const unmet = appliesForDecision(policy, facts, targetMatched[i] === 1);
    if (unmet === APPLIES || unmet === APPLIES_UNDECIDED) {
      const grant = evaluateGrant(policy.grant, facts, tenant.strengths.mfa);
      judgements.push({
        policy,
        applies: unmet === APPLIES ? MATCH : UNDECIDABLE,
        reason: unmet === APPLIES ? "notSet" : "invalidCondition",
        grant,
      });
    }
  }
  return combineDecision(applyRegistrationPrecedence(tenant, judgements, facts), problems);
}

/** Every policy judged (all states), and the decision: what What-If and the sign-in log need. */
export function evaluateSignIn(tenant: CompiledTenant, request: WhatIfRequest): { judgements: PolicyJudgement[]; decision: Decision } {
  const { facts, problems } = prepareSignIn(tenant, request);
  const judgements = applyRegistrationPrecedence(
    tenant,
    tenant.policies.map(
      (policy): PolicyJudgement =>
        policy.mode === "disabled"
          ? { policy, applies: NO_MATCH, reason: "policyNotEnabled", grant: null }
          : judgePolicy(tenant, policy, facts),
    ),
    facts,
  );
  const decision = combineDecision(
    judgements.filter((j) => j.policy.mode === "enabled"),
    problems,
  );
  return { judgements, decision };
}

/**
 * Graph's evaluate answer (R45-R48): one entry per policy with its fields, `policyApplies`,
 * `analysisReasons` and the sign-in-log `result`, plus our `decision`.
 */
export function whatIf(tenant: CompiledTenant, request: WhatIfRequest): WhatIfResponse {
  const { judgements, decision } = evaluateSignIn(tenant, request);
  const value: WhatIfAnalysisResult[] = [];
  for (const j of judgements) {
    const policyApplies = j.applies === MATCH;
    if (request.appliedPoliciesOnly === true && j.applies === NO_MATCH) continue;
    // Object.assign, not spread: markedly cheaper on Node 20 for these wide objects.
    value.push(Object.assign({}, j.policy.policy, { policyApplies, analysisReasons: j.reason, result: policyResult(j) }));
  }
  return { value, decision };
}

const policyJsonPrefix = new WeakMap<CompiledPolicy, string>();

/** The policy's JSON without its closing brace, serialized once per compiled policy. */
function jsonPrefix(policy: CompiledPolicy): string {
  let prefix = policyJsonPrefix.get(policy);
  if (prefix === undefined) {
    const json = JSON.stringify(policy.policy);
    prefix = json.slice(0, -1) + (json === "{}" ? "" : ",");
    policyJsonPrefix.set(policy, prefix);
  }
  return prefix;
}

/**
 * `JSON.stringify(whatIf(tenant, request))`, built from each policy's JSON serialized once
 * per compiled tenant: the What-If answer repeats every policy in full, and re-serializing
 * them dominated the cost of the HTTP endpoint.
 */
export function whatIfJson(tenant: CompiledTenant, request: WhatIfRequest): string {
  const { judgements, decision } = evaluateSignIn(tenant, request);
  const parts: string[] = [];
  for (const j of judgements) {
    if (request.appliedPoliciesOnly === true && j.applies === NO_MATCH) continue;
    parts.push(
      `${jsonPrefix(j.policy)}"policyApplies":${j.applies === MATCH},"analysisReasons":${JSON.stringify(j.reason)},"result":${JSON.stringify(policyResult(j))}}`,
    );
  }
  return `{"value":[${parts.join(",")}],"decision":${JSON.stringify(decision)}}`;
}

/** Display strings for the sign-in log (`enforcedGrantControls`, `enforcedSessionControls`). */
export function enforcedControls(policy: CompiledPolicy): { grant: string[]; session: string[] } {
  const grant = policy.grant.block ? ["Block"] : policy.grant.controls.map((c) => c.display);
  return { grant, session: sessionControlNames(policy.policy) };
}
