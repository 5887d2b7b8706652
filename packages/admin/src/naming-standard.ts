/**
 * The tenant's policy naming standard (spec §4.3, e.g. `CA01 - ...`): a JavaScript regular
 * expression (no flags) that every policy `displayName` must match.
 *
 * Matching is `RegExp.prototype.test`: the pattern may match anywhere in the name unless it
 * anchors itself (`^CA\d{2} - `). `null` or an empty pattern means "no naming standard".
 */

export type NamingStandardResult = { ok: true } | { ok: false; reason: "mismatch" | "invalidPattern"; message: string };

/** Why `pattern` is not a usable regular expression, or null when it is (e.g. to validate the setting). */
export function namingStandardPatternError(pattern: string): string | null {
  try {
    new RegExp(pattern);
    return null;
  } catch (cause) {
    return cause instanceof Error ? cause.message : String(cause);
  }
}

/** Whether `displayName` follows the naming standard `pattern`. */
export function checkNamingStandard(displayName: string, pattern: string | null): NamingStandardResult {
  if (pattern === null || pattern === "") return { ok: true };
  let regex: RegExp;
  try {
    regex = new RegExp(pattern);
  } catch (cause) {
    return {
      ok: false,
      reason: "invalidPattern",
      message: `The naming standard /${pattern}/ is not a valid regular expression (${cause instanceof Error ? cause.message : String(cause)}); fix the naming standard setting before writing policies`,
    };
  }
  if (regex.test(displayName)) return { ok: true };
  return {
    ok: false,
    reason: "mismatch",
    message: `The policy name "${displayName}" does not follow the naming standard /${pattern}/`,
  };
}
