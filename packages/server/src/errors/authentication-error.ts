/** The caller is not (or no longer) authenticated: a missing, malformed, expired or unverifiable token. */
export class AuthenticationError extends Error {
  override readonly name = "AuthenticationError";
}
