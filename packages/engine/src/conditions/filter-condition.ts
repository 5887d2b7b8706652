import { type FilterAttributes, parseFilterRule } from "../filter/index.js";
import type { ConditionalAccessFilter, ConditionalAccessPolicy } from "../policy/types.js";
import type { CompileContext } from "./condition.js";

export interface CompiledFilter {
  readonly mode: "include" | "exclude";
  /** Canonical property names the rule reads. */
  readonly properties: readonly string[];
  /** The rule's value for these attributes, or null when the rule could not be compiled. */
  evaluate(attributes: FilterAttributes): boolean | null;
}

/**
 * Compiles a device, application or service-principal filter (§3.7, R31). An invalid rule
 * or mode cannot be decided: it evaluates to null and the policy fails closed.
 */
export function compileFilterCondition(
  policy: ConditionalAccessPolicy,
  ctx: CompileContext,
  filter: ConditionalAccessFilter,
  path: string,
  subject: "device" | "customSecurityAttribute",
): CompiledFilter {
  const mode = String(filter.mode ?? "").toLowerCase();
  if (mode !== "include" && mode !== "exclude") {
    ctx.issue(policy, {
      code: "invalidFilterMode",
      path: `${path}.mode`,
      message: `Filter mode "${String(filter.mode)}" is neither include nor exclude`,
    });
    return { mode: "include", properties: [], evaluate: () => null };
  }
  const parsed = parseFilterRule(String(filter.rule ?? ""), { subject });
  if (!parsed.ok) {
    ctx.issue(policy, {
      code: "invalidFilterRule",
      path: `${path}.rule`,
      message: parsed.errors.map((e) => e.message).join("; "),
    });
    return { mode, properties: [], evaluate: () => null };
  }
  const rule = parsed.rule;
  if (subject === "device") for (const p of rule.properties) ctx.deviceProperties.add(p);
  return { mode, properties: rule.properties, evaluate: (attributes) => rule.evaluate(attributes) };
}
