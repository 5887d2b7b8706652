/**
 * Conditional Access did not allow a self-service action (registering or removing security
 * info, R22): `block` is 403 `accessDenied` with the AADSTS code and the correlation id;
 * `challenge` is 401 `InteractionRequired` with Graph's claims challenge
 * (`WWW-Authenticate: Bearer error="insufficient_claims", claims="<base64 JSON>"`), so the
 * client signs in again asking for those claims and retries.
 */
export class ConditionalAccessError extends Error {
  override readonly name = "ConditionalAccessError";

  private constructor(
    readonly kind: "block" | "challenge",
    message: string,
    /** The claims the new token must carry (JSON text), for a challenge. */
    readonly claims: string | null,
  ) {
    super(message);
  }

  static block(message: string): ConditionalAccessError {
    return new ConditionalAccessError("block", message, null);
  }

  static challenge(message: string, claims: Record<string, unknown>): ConditionalAccessError {
    return new ConditionalAccessError("challenge", message, JSON.stringify(claims));
  }

  /** `claims` as the header carries it: base64 of the JSON. */
  get encodedClaims(): string | null {
    return this.claims === null ? null : Buffer.from(this.claims, "utf8").toString("base64");
  }
}
