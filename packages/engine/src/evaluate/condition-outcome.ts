import type { CompiledCondition, SubjectKind } from "../conditions/condition.js";
import { NO_MATCH } from "../conditions/condition.js";
import type { PolicyJudgement } from "./evaluate.js";
import { signInSubjectKind } from "./prepare-sign-in.js";

export { signInSubjectKind };

/** Which configured conditions of a judged policy matched and which one did not. */
export interface ConditionOutcome {
  /** Configured conditions, checked for this kind of sign-in before the first unmet one, that matched. */
  readonly satisfied: readonly CompiledCondition[];
  /** The first configured condition that did not match (R46); empty when the policy applies. */
  readonly notSatisfied: readonly CompiledCondition[];
}

const NOTHING: ConditionOutcome = Object.freeze({ satisfied: [], notSatisfied: [] });

/**
 * Reads a judgement's analysis reason back onto the policy's configured conditions (R46):
 * conditions are checked in order and the first that fails is the reason, so the ones
 * before it (that are meaningful for this kind of sign-in) matched and the ones after it
 * were not looked at. A disabled policy was not evaluated: nothing either way. A policy
 * that applies only because an undecidable condition fails closed reports every
 * configured condition as satisfied (it is enforced as if they all matched).
 */
export function conditionOutcome(judgement: PolicyJudgement, kind: SubjectKind): ConditionOutcome {
  if (judgement.policy.mode === "disabled") return NOTHING;
  const checked = judgement.policy.conditions.filter((c) => c.subjects === "both" || c.subjects === kind);
  if (judgement.applies !== NO_MATCH) return { satisfied: checked, notSatisfied: [] };
  const failed = checked.findIndex((c) => c.reason === judgement.reason);
  if (failed < 0) return NOTHING;
  return { satisfied: checked.slice(0, failed), notSatisfied: [checked[failed] as CompiledCondition] };
}
