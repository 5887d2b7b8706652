import type { ConditionalAccessPolicy } from "../policy/types.js";
import {
  type CompileContext,
  type CompiledCondition,
  lowerAll,
  MATCH,
  NO_MATCH,
  type SignInFacts,
  type Tri,
  UNDECIDABLE,
} from "./condition.js";
import { compileFilterCondition } from "./filter-condition.js";

function deviceStateMatches(exclude: ReadonlySet<string>, facts: SignInFacts): boolean {
  const device = facts.device;
  if (exclude.has("compliant") && device?.isCompliant === true) return false;
  if (exclude.has("domainjoined") && String(device?.trustType ?? "").toLowerCase() === "serverad") return false;
  return true;
}

/**
 * Device filter (R31, §3.7) and the deprecated device-state condition (R32).
 * include mode: only devices for which the rule is true; exclude mode: every device except
 * those. An unregistered device has every attribute null (§3.7).
 */
export function compileDevicesCondition(policy: ConditionalAccessPolicy, ctx: CompileContext): CompiledCondition | null {
  const devices = policy.conditions.devices;
  const states = policy.conditions.deviceStates;
  const filter = devices?.deviceFilter
    ? compileFilterCondition(policy, ctx, devices.deviceFilter, "$.conditions.devices.deviceFilter", "device")
    : null;
  const legacyInclude = new Set([...lowerAll(states?.includeStates), ...lowerAll(devices?.includeDevices)]);
  const legacyExclude = new Set([...lowerAll(states?.excludeStates), ...lowerAll(devices?.excludeDevices)]);
  const hasLegacy = legacyInclude.size > 0 || legacyExclude.size > 0;
  if (!filter && !hasLegacy) return null;
  return {
    reason: "devices",
    subjects: "user",
    check(facts): Tri {
      if (hasLegacy) {
        if (legacyInclude.size > 0 && !legacyInclude.has("all")) return NO_MATCH;
        if (!deviceStateMatches(legacyExclude, facts)) return NO_MATCH;
      }
      if (filter) {
        const ruleValue = filter.evaluate(facts.deviceAttributes());
        if (ruleValue === null) return UNDECIDABLE;
        return (filter.mode === "include") === ruleValue ? MATCH : NO_MATCH;
      }
      return MATCH;
    },
  };
}
