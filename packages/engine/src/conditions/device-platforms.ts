import type { ConditionalAccessPolicy } from "../policy/types.js";
import { type CompiledCondition, lowerAll, MATCH, NO_MATCH, type Tri } from "./condition.js";

/**
 * Device platform (R25): include `all` matches every platform including unknown ones; a
 * specific entry never matches an unknown platform; exclusion wins.
 */
export function compileDevicePlatformsCondition(policy: ConditionalAccessPolicy): CompiledCondition | null {
  const platforms = policy.conditions.platforms;
  if (!platforms) return null;
  const include = new Set(lowerAll(platforms.includePlatforms));
  const exclude = new Set(lowerAll(platforms.excludePlatforms));
  if (include.size === 0 && exclude.size === 0) return null;
  const includeAll = include.has("all");
  const excludeAll = exclude.has("all");
  return {
    reason: "devicePlatform",
    subjects: "user",
    check(facts): Tri {
      const platform = facts.platform;
      if (excludeAll) return NO_MATCH;
      if (platform !== null && exclude.has(platform)) return NO_MATCH;
      if (includeAll) return MATCH;
      return platform !== null && include.has(platform) ? MATCH : NO_MATCH;
    },
  };
}
