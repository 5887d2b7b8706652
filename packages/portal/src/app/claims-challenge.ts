/**
 * A claims challenge (RFC 6750 with Entra's `insufficient_claims`): the API answers 401 with
 * `WWW-Authenticate: Bearer error="insufficient_claims", claims="<base64 JSON>"` when the token
 * is valid but lacks what Conditional Access needs, e.g. a second factor. The claims ask for
 * `access_token.acr` values; signing in again with `acr_values` set to them gets such a token.
 */

export interface ClaimsChallenge {
  /** The acceptable `acr` values (any of them will do), for the authorization request's `acr_values`. */
  acrValues: string[];
  /** The decoded claims request, as the API sent it. */
  claims: Record<string, unknown>;
}

/** The auth-params of the Bearer challenge (quoted or token values). */
function bearerParams(header: string): Map<string, string> {
  const params = new Map<string, string>();
  const bearer = /(?:^|,)\s*Bearer\s+(.*)$/i.exec(header)?.[1] ?? "";
  const pattern = /([A-Za-z_][\w-]*)\s*=\s*(?:"((?:[^"\\]|\\.)*)"|([^\s,]*))/g;
  for (let m = pattern.exec(bearer); m !== null; m = pattern.exec(bearer)) {
    const name = (m[1] as string).toLowerCase();
    if (!params.has(name)) params.set(name, m[2] !== undefined ? m[2].replace(/\\(.)/g, "$1") : (m[3] ?? ""));
  }
  return params;
}

/** Base64 or base64url to text (UTF-8). */
function decodeBase64(value: string): string {
  const normalized = value.replace(/-/g, "+").replace(/_/g, "/");
  const padded = normalized + "=".repeat((4 - (normalized.length % 4)) % 4);
  const bytes = Uint8Array.from(atob(padded), (c) => c.charCodeAt(0));
  return new TextDecoder().decode(bytes);
}

/** The challenge of a 401's `WWW-Authenticate` header; null when it is not an `insufficient_claims` one. */
export function parseClaimsChallenge(header: string | null | undefined): ClaimsChallenge | null {
  if (!header) return null;
  const params = bearerParams(header);
  if (params.get("error") !== "insufficient_claims") return null;
  const encoded = params.get("claims");
  if (encoded === undefined || encoded === "") return null;
  let claims: unknown;
  try {
    const text = encoded.trimStart().startsWith("{") ? encoded : decodeBase64(encoded);
    claims = JSON.parse(text);
  } catch {
    return null;
  }
  if (typeof claims !== "object" || claims === null) return null;
  const acr = (claims as { access_token?: { acr?: { value?: unknown; values?: unknown } } }).access_token?.acr;
  const values = Array.isArray(acr?.values) ? acr.values : typeof acr?.value === "string" ? [acr.value] : [];
  const acrValues = values.filter((v): v is string => typeof v === "string" && v !== "" && !/\s/.test(v));
  return { acrValues, claims: claims as Record<string, unknown> };
}
