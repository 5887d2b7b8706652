import type { ConditionalAccessPolicy } from "../policy/types.js";
import { type CompiledCondition, lowerAll, MATCH, NO_MATCH, type Tri } from "./condition.js";

/** Deprecated spellings (spec §1.3). */
const ALIASES: Readonly<Record<string, string>> = {
  modern: "mobileappsanddesktopclients",
  easunsupported: "exchangeactivesync",
};

/** Platforms on which Exchange ActiveSync counts as `easSupported` (§2.5). */
const EAS_SUPPORTED_PLATFORMS = new Set(["ios", "android", "windows"]);

export const LEGACY_CLIENT_APP_TYPES: ReadonlySet<string> = new Set(["exchangeactivesync", "other"]);

/**
 * Client app types (R24). `all` or an empty list is not configured. A request that does
 * not say its client type has Graph's documented default `all` (signInConditions): like an
 * unknown platform (R25), it matches only policies that do not restrict client app types.
 */
export function compileClientAppTypesCondition(policy: ConditionalAccessPolicy): CompiledCondition | null {
  const types = new Set(lowerAll(policy.conditions.clientAppTypes).map((t) => ALIASES[t] ?? t));
  if (types.size === 0 || types.has("all")) return null;
  const easSupported = types.has("eassupported");
  return {
    reason: "clientApps",
    subjects: "user",
    check(facts): Tri {
      const type = facts.clientAppType;
      if (type === null) return NO_MATCH;
      if (types.has(type)) return MATCH;
      if (easSupported && type === "exchangeactivesync" && facts.platform !== null && EAS_SUPPORTED_PLATFORMS.has(facts.platform)) {
        return MATCH;
      }
      return NO_MATCH;
    },
  };
}
