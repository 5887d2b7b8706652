import type { ConditionalAccessPolicy } from "../policy/types.js";
import { type CompiledCondition, lowerAll, MATCH, NO_MATCH, type Tri } from "./condition.js";

/**
 * Authentication flows (R30): matches when the sign-in uses one of the transfer methods, or
 * the session is protocol tracked because it began with one.
 */
export function compileAuthenticationFlowsCondition(policy: ConditionalAccessPolicy): CompiledCondition | null {
  const methods = new Set(lowerAll(policy.conditions.authenticationFlows?.transferMethods).filter((m) => m !== "none"));
  if (methods.size === 0) return null;
  return {
    reason: "authenticationFlow",
    subjects: "user",
    check(facts): Tri {
      for (const method of facts.transferMethods) if (methods.has(method)) return MATCH;
      return NO_MATCH;
    },
  };
}
