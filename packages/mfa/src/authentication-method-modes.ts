/**
 * Our sign-in methods as Graph's `authenticationMethodModes`, the words the engine's
 * `satisfied.authenticationMethods` and authentication strengths use. A passkey is `fido2`
 * (phishing-resistant, and MFA on its own: it is verified with user verification); TOTP is
 * `softwareOath` (MFA together with the password, not phishing-resistant).
 */
export type SignInMethod = "password" | "totp" | "passkey";

export const AUTHENTICATION_METHOD_MODES: Readonly<Record<SignInMethod, string>> = {
  password: "password",
  totp: "softwareOath",
  passkey: "fido2",
};

/** The modes for the methods used in a session, each once, in the order first used. */
export function methodsForSession(used: readonly SignInMethod[]): string[] {
  const modes: string[] = [];
  for (const method of used) {
    const mode = AUTHENTICATION_METHOD_MODES[method];
    if (mode === undefined) throw new TypeError(`unknown sign-in method ${String(method)}`);
    if (!modes.includes(mode)) modes.push(mode);
  }
  return modes;
}
