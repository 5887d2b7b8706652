import type { ConditionalAccessPolicy } from "../policy/types.js";
import { type AnalysisReason, type CompiledCondition, lowerAll, MATCH, NO_MATCH, type SignInFacts, type Tri } from "./condition.js";

function riskCondition(
  levels: string[],
  reason: AnalysisReason,
  subjects: CompiledCondition["subjects"],
  current: (facts: SignInFacts) => string,
): CompiledCondition | null {
  const set = new Set(lowerAll(levels));
  if (set.size === 0) return null;
  return { reason, subjects, check: (facts): Tri => (set.has(current(facts)) ? MATCH : NO_MATCH) };
}

/** Sign-in risk (R28); a request without a level has `none`. */
export const compileSignInRiskCondition = (policy: ConditionalAccessPolicy): CompiledCondition | null =>
  riskCondition(policy.conditions.signInRiskLevels, "signInRisk", "user", (f) => f.signInRisk);

/** User risk (R28). */
export const compileUserRiskCondition = (policy: ConditionalAccessPolicy): CompiledCondition | null =>
  riskCondition(policy.conditions.userRiskLevels, "userRisk", "user", (f) => f.userRisk);

/**
 * Service principal risk (R16, R28). Graph's analysis reasons have no member for it; the
 * workload's own sign-in risk is reported as `signInRisk` **[engine choice]**.
 */
export const compileServicePrincipalRiskCondition = (policy: ConditionalAccessPolicy): CompiledCondition | null =>
  riskCondition(policy.conditions.servicePrincipalRiskLevels, "signInRisk", "servicePrincipal", (f) => f.servicePrincipalRisk);

/** Insider risk (R29): the user's current level must be in the flags set. */
export const compileInsiderRiskCondition = (policy: ConditionalAccessPolicy): CompiledCondition | null =>
  riskCondition(policy.conditions.insiderRiskLevels, "insiderRisk", "user", (f) => f.insiderRisk);
