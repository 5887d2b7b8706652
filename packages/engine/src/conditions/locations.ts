import { intersects, type SparseMask, toSparseMask } from "../compile/bitset.js";
import type { ConditionalAccessPolicy } from "../policy/types.js";
import { type CompileContext, type CompiledCondition, lowerAll, MATCH, NO_MATCH, type SignInFacts, type Tri } from "./condition.js";

interface LocationSide {
  readonly all: boolean;
  readonly allTrusted: boolean;
  readonly mask: SparseMask | null;
}

function side(ctx: CompileContext, values: string[]): LocationSide {
  let all = false;
  let allTrusted = false;
  const bits: number[] = [];
  for (const value of values) {
    if (value === "all") all = true;
    else if (value === "alltrusted") allTrusted = true;
    else {
      const index = ctx.locations.indexOf(value);
      // An unknown id matches nothing (validation reports it as an unknown reference).
      if (index !== undefined) bits.push(index);
    }
  }
  return { all, allTrusted, mask: toSparseMask(bits) };
}

function sideMatches(s: LocationSide, facts: SignInFacts): boolean {
  return s.all || (s.allTrusted && facts.inTrustedLocation) || intersects(s.mask, facts.locations);
}

/**
 * Network locations (R26): include `All` is any IP, `AllTrusted` every trusted location,
 * ids match when the sign-in is inside any of them; exclusions win.
 */
export function compileLocationsCondition(policy: ConditionalAccessPolicy, ctx: CompileContext): CompiledCondition | null {
  const locations = policy.conditions.locations;
  if (!locations) return null;
  const includeValues = lowerAll(locations.includeLocations);
  const excludeValues = lowerAll(locations.excludeLocations);
  if (includeValues.length === 0 && excludeValues.length === 0) return null;
  // Only exclusions configured: the portal treats the include side as "Any location".
  const include = includeValues.length === 0 ? { all: true, allTrusted: false, mask: null } : side(ctx, includeValues);
  const exclude = side(
    ctx,
    excludeValues.filter((v) => v !== "all"),
  );
  return {
    reason: "location",
    subjects: "both",
    check(facts): Tri {
      if (sideMatches(exclude, facts)) return NO_MATCH;
      return sideMatches(include, facts) ? MATCH : NO_MATCH;
    },
  };
}
