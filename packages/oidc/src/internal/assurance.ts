/**
 * How a user authenticated, as the tokens say it (`amr`, RFC 8176; `acr`, ours), and what a
 * later token request of the same session needs to know (R2, R30).
 *
 * `amr` (RFC 8176 values), in the order used:
 * - `pwd`: the password;
 * - `otp`: a TOTP code;
 * - `hwk` / `swk`: a passkey (WebAuthn, user verification required), `hwk` when the credential
 *   is bound to one device (`singleDevice`), `swk` when it is a synced passkey (`multiDevice`);
 * - `mfa`: added when the methods together satisfy the built-in "Multifactor authentication"
 *   strength (the engine's allowed combinations, not a list of ours).
 *
 * `acr` (one value per assurance, also in the discovery document's `acr_values_supported`
 * when configured):
 * - `urn:gatehouse:acr:1fa`: single factor (the password only);
 * - `urn:gatehouse:acr:mfa`: the built-in MFA strength is satisfied (e.g. password + TOTP);
 * - `urn:gatehouse:acr:phr`: the built-in "Phishing-resistant MFA" strength is satisfied
 *   (a passkey).
 *
 * Where the session's facts are kept for refresh tokens: oidc-provider copies the login
 * result's `amr` and `acr` into the authorization code or device code, and from there into
 * every refresh token (`RefreshToken.amr`, `.acr`); a refresh token's `gty` starts with
 * `device_code` when the session began with the device code flow (rotations append
 * ` refresh_token`). {@link sessionFactsOf} turns those back into the engine's words:
 * `satisfied.authenticationMethods` and the original transfer method (`deviceCodeFlow`, R30).
 */
import { BUILT_IN_AUTHENTICATION_STRENGTHS, MFA_STRENGTH_ID, PHISHING_RESISTANT_MFA_STRENGTH_ID } from "@gatehouse/engine";
import { methodsForSession, type SignInMethod } from "@gatehouse/mfa";

export const ACR_SINGLE_FACTOR = "urn:gatehouse:acr:1fa";
export const ACR_MFA = "urn:gatehouse:acr:mfa";
export const ACR_PHISHING_RESISTANT_MFA = "urn:gatehouse:acr:phr";
export const ACR_VALUES: readonly string[] = [ACR_SINGLE_FACTOR, ACR_MFA, ACR_PHISHING_RESISTANT_MFA];

/** A passkey's binding: `hwk` device-bound, `swk` synced. */
export type PasskeyBinding = "hwk" | "swk";

function combinationsOf(id: string): string[][] {
  const strength = BUILT_IN_AUTHENTICATION_STRENGTHS.find((s) => s.id === id);
  if (strength === undefined) throw new Error(`the built-in authentication strength ${id} is missing`);
  return (strength.allowedCombinations ?? []).map((c) => c.split(",").map((m) => m.trim().toLowerCase()));
}

const MFA_COMBINATIONS = combinationsOf(MFA_STRENGTH_ID);
const PHISHING_RESISTANT_COMBINATIONS = combinationsOf(PHISHING_RESISTANT_MFA_STRENGTH_ID);

/** True when the Graph method modes used contain every method of one allowed combination. */
export function satisfiesCombination(modes: readonly string[], combinations: readonly (readonly string[])[]): boolean {
  const used = new Set(modes.map((m) => m.toLowerCase()));
  return combinations.some((combination) => combination.every((m) => used.has(m)));
}

export interface Assurance {
  amr: string[];
  acr: string;
}

/** `amr` and `acr` for the methods used in this sign-in (each once, in the order used). */
export function assuranceOf(methods: readonly SignInMethod[], passkeyBinding: PasskeyBinding = "hwk"): Assurance {
  const amr: string[] = [];
  for (const method of methods) {
    const value = method === "password" ? "pwd" : method === "totp" ? "otp" : passkeyBinding;
    if (!amr.includes(value)) amr.push(value);
  }
  const modes = methodsForSession([...methods]);
  if (satisfiesCombination(modes, PHISHING_RESISTANT_COMBINATIONS)) return { amr: [...amr, "mfa"], acr: ACR_PHISHING_RESISTANT_MFA };
  if (satisfiesCombination(modes, MFA_COMBINATIONS)) return { amr: [...amr, "mfa"], acr: ACR_MFA };
  return { amr, acr: ACR_SINGLE_FACTOR };
}

/** Our acr values from weakest to strongest. */
const ACR_RANK: Readonly<Record<string, number>> = { [ACR_SINGLE_FACTOR]: 0, [ACR_MFA]: 1, [ACR_PHISHING_RESISTANT_MFA]: 2 };

/** An acr value's rank (higher is stronger), or -1 when it is not one of ours. */
export const acrRank = (acr: string): number => ACR_RANK[acr] ?? -1;

/**
 * The assurance an authorization request asks for with `acr_values` (OIDC Core 3.1.2.1: the
 * acceptable values): the weakest of ours among them, since any of them, or a stronger one,
 * will do. Null when none of ours is named (other values are voluntary and ignored).
 */
export function requestedAcr(acrValues: unknown): string | null {
  if (typeof acrValues !== "string") return null;
  let weakest: string | null = null;
  for (const value of acrValues.split(" ")) {
    const rank = acrRank(value);
    if (rank >= 0 && (weakest === null || rank < acrRank(weakest))) weakest = value;
  }
  return weakest;
}

/** True when these methods give the wanted acr or a stronger one. */
export function reachesAcr(methods: readonly SignInMethod[], wanted: string, passkeyBinding?: PasskeyBinding): boolean {
  return acrRank(assuranceOf(methods, passkeyBinding).acr) >= acrRank(wanted);
}

export interface SessionFacts {
  /** Graph `authenticationMethodModes` for the engine's `satisfied.authenticationMethods`. */
  authenticationMethods: string[];
  /** R30: `deviceCodeFlow` when the session began with the device code flow, else `none`. */
  originalTransferMethod: "deviceCodeFlow" | "none";
}

/**
 * What a refresh (or any later token request) of a session must evaluate with: from a token
 * or code's `amr` and `gty` (e.g. `RefreshToken`, `DeviceCode`, `AuthorizationCode`).
 * Unknown `amr` values count for nothing (fail closed: fewer methods, never more).
 */
export function sessionFactsOf(token: { amr?: readonly string[] | undefined; gty?: string | undefined }): SessionFacts {
  const methods: SignInMethod[] = [];
  for (const value of token.amr ?? []) {
    const method: SignInMethod | null =
      value === "pwd" ? "password" : value === "otp" ? "totp" : value === "hwk" || value === "swk" ? "passkey" : null;
    if (method !== null && !methods.includes(method)) methods.push(method);
  }
  const first = (token.gty ?? "").split(" ")[0];
  return {
    authenticationMethods: methodsForSession(methods),
    originalTransferMethod: first === "device_code" ? "deviceCodeFlow" : "none",
  };
}
