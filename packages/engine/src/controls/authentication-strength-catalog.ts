import { AUTHENTICATION_METHOD_MODES } from "../policy/graph-enums.js";
import type { AuthenticationStrengthPolicy } from "../policy/types.js";
import { BUILT_IN_AUTHENTICATION_STRENGTHS, MFA_STRENGTH_ID } from "../well-known/authentication-strengths.js";

/**
 * Authentication methods as bits, so "the methods used contain one allowed combination"
 * (R37) is one AND per combination. Graph's `authenticationMethodModes` (§1.13) have fixed
 * bits; other names met in custom strengths get the remaining bits at compile time.
 */
const KNOWN_METHODS: readonly string[] = [...AUTHENTICATION_METHOD_MODES.known, ...(AUTHENTICATION_METHOD_MODES.preview ?? [])];
const MAX_METHOD_BITS = 31;

export interface CompiledStrength {
  readonly id: string;
  readonly displayName: string;
  readonly allowedCombinations: readonly string[];
  /** Each combination as a bitmask of methods; 0 = a combination that can never be met. */
  readonly combinations: Uint32Array;
  /** Every combination also satisfies the built-in MFA strength (so it subsumes `mfa`). */
  readonly impliesMfa: boolean;
}

/** R37: satisfied when the methods used contain one allowed combination. */
export function satisfiesCombinations(combinations: Uint32Array, methods: number): boolean {
  for (let i = 0; i < combinations.length; i++) {
    const c = combinations[i] as number;
    if (c !== 0 && (c & methods) >>> 0 === c) return true;
  }
  return false;
}

export interface StrengthCatalog {
  get(id: string): CompiledStrength | undefined;
  readonly mfa: CompiledStrength;
  /** The bitmask of methods used in a session; unknown names contribute nothing. */
  methodMask(methods: readonly unknown[] | undefined): number;
}

/** Built-in strengths are always known (§1.13); custom ones come from the tenant. */
export function createStrengthCatalog(custom: readonly AuthenticationStrengthPolicy[]): StrengthCatalog {
  const bits = new Map<string, number>(KNOWN_METHODS.map((m, i) => [m.toLowerCase(), 1 << i]));
  // Graph's own spelling too, so the common case needs no lower-casing per sign-in.
  const exact = new Map<string, number>(KNOWN_METHODS.map((m, i) => [m, 1 << i]));
  const raw = new Map<string, AuthenticationStrengthPolicy>();
  for (const s of BUILT_IN_AUTHENTICATION_STRENGTHS) raw.set(s.id, s);
  for (const s of custom) if (s && typeof s.id === "string") raw.set(s.id.toLowerCase(), s);

  const maskOf = (combination: string): number => {
    let mask = 0;
    for (const part of combination.split(",")) {
      const method = part.trim().toLowerCase();
      if (method.length === 0) continue;
      let bit = bits.get(method);
      if (bit === undefined) {
        // A method name beyond the bit budget can never be met: fail closed.
        if (bits.size >= MAX_METHOD_BITS) return 0;
        bit = 1 << bits.size;
        bits.set(method, bit);
      }
      mask |= bit;
    }
    return mask >>> 0;
  };

  const compiled = new Map<string, CompiledStrength>();
  for (const [id, strength] of raw) {
    const combinations = Uint32Array.from((strength.allowedCombinations ?? []).map((c) => maskOf(String(c))));
    compiled.set(id, {
      id: strength.id,
      displayName: strength.displayName,
      allowedCombinations: strength.allowedCombinations ?? [],
      combinations,
      impliesMfa: false,
    });
  }
  const mfa = compiled.get(MFA_STRENGTH_ID) as CompiledStrength;
  for (const [id, strength] of compiled) {
    const impliesMfa =
      strength.combinations.length > 0 && strength.combinations.every((c) => c !== 0 && satisfiesCombinations(mfa.combinations, c));
    compiled.set(id, { ...strength, impliesMfa });
  }
  const mfaCompiled = compiled.get(MFA_STRENGTH_ID) as CompiledStrength;

  return {
    get: (id) => compiled.get(id.toLowerCase()),
    mfa: mfaCompiled,
    methodMask(methods) {
      let mask = 0;
      if (methods) {
        for (let i = 0; i < methods.length; i++) {
          const m = methods[i];
          if (typeof m === "string") mask |= exact.get(m) ?? bits.get(m.toLowerCase()) ?? 0;
        }
      }
      return mask >>> 0;
    },
  };
}
