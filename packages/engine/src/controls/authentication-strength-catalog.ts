import type { AuthenticationStrengthPolicy } from "../policy/types.js";
import { BUILT_IN_AUTHENTICATION_STRENGTHS, MFA_STRENGTH_ID } from "../well-known/authentication-strengths.js";

export interface CompiledStrength {
  readonly id: string;
  readonly displayName: string;
  readonly allowedCombinations: readonly string[];
  /** Each combination as lower-cased method names. */
  readonly combinations: readonly (readonly string[])[];
  /** Every combination also satisfies the built-in MFA strength (so it subsumes `mfa`). */
  readonly impliesMfa: boolean;
}

function combinationsOf(strength: AuthenticationStrengthPolicy): string[][] {
  return (strength.allowedCombinations ?? []).map((c) =>
    String(c)
      .split(",")
      .map((m) => m.trim().toLowerCase())
      .filter((m) => m.length > 0),
  );
}

/** R37: satisfied when the methods used in the session contain one allowed combination. */
export function satisfiesCombinations(combinations: readonly (readonly string[])[], methods: ReadonlySet<string>): boolean {
  outer: for (const combination of combinations) {
    if (combination.length === 0) continue;
    for (const method of combination) if (!methods.has(method)) continue outer;
    return true;
  }
  return false;
}

export interface StrengthCatalog {
  get(id: string): CompiledStrength | undefined;
  readonly mfa: CompiledStrength;
}

/** Built-in strengths are always known (§1.13); custom ones come from the tenant. */
export function createStrengthCatalog(custom: readonly AuthenticationStrengthPolicy[]): StrengthCatalog {
  const raw = new Map<string, AuthenticationStrengthPolicy>();
  for (const s of BUILT_IN_AUTHENTICATION_STRENGTHS) raw.set(s.id, s);
  for (const s of custom) if (s && typeof s.id === "string") raw.set(s.id.toLowerCase(), s);
  const mfaCombinations = combinationsOf(raw.get(MFA_STRENGTH_ID) as AuthenticationStrengthPolicy);
  const compiled = new Map<string, CompiledStrength>();
  for (const [id, strength] of raw) {
    const combinations = combinationsOf(strength);
    compiled.set(id, {
      id: strength.id,
      displayName: strength.displayName,
      allowedCombinations: strength.allowedCombinations ?? [],
      combinations,
      impliesMfa: combinations.length > 0 && combinations.every((c) => satisfiesCombinations(mfaCombinations, new Set(c))),
    });
  }
  return { get: (id) => compiled.get(id.toLowerCase()), mfa: compiled.get(MFA_STRENGTH_ID) as CompiledStrength };
}
