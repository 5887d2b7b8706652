/**
 * Graph's `authenticationMethod` resources of "My security info" (never a secret, a public key
 * or a counter): the password (Graph's fixed id), TOTP as `softwareOathAuthenticationMethod`,
 * passkeys as `fido2AuthenticationMethod`. Graph's members, plus `displayName`,
 * `createdDateTime` and `lastUsedDateTime` on every method (Graph beta's base members).
 */
import type { AuthenticationMethodRecord } from "@gatehouse/store";

/** Graph's id of every user's password method. */
export const PASSWORD_METHOD_ID = "28c10230-6103-485e-b985-444c60001490";

export type MethodSegment = "softwareOathMethods" | "fido2Methods";

export const SEGMENT_METHOD_TYPE: Readonly<Record<MethodSegment, AuthenticationMethodRecord["methodType"]>> = {
  softwareOathMethods: "softwareOath",
  fido2Methods: "fido2",
};

export function passwordMethod(): Record<string, unknown> {
  return {
    "@odata.type": "#microsoft.graph.passwordAuthenticationMethod",
    id: PASSWORD_METHOD_ID,
    password: null,
    createdDateTime: null,
  };
}

export function methodRepresentation(method: AuthenticationMethodRecord): Record<string, unknown> {
  if (method.methodType === "softwareOath") {
    return {
      "@odata.type": "#microsoft.graph.softwareOathAuthenticationMethod",
      id: method.id,
      secretKey: null,
      displayName: method.displayName,
      createdDateTime: method.createdDateTime,
      lastUsedDateTime: method.lastUsedDateTime,
    };
  }
  return {
    "@odata.type": "#microsoft.graph.fido2AuthenticationMethod",
    id: method.id,
    displayName: method.displayName,
    createdDateTime: method.createdDateTime,
    lastUsedDateTime: method.lastUsedDateTime,
    aaGuid: method.aaguid,
    // No attestation is asked for ("none"): the model is not known and nothing is attested.
    model: null,
    attestationCertificates: [],
    attestationLevel: "notAttested",
    passkeyType: method.deviceType === "multiDevice" ? "synced" : "deviceBound",
  };
}

/** The @odata.context path of one method. */
export const methodContextPath = (method: AuthenticationMethodRecord): string =>
  method.methodType === "softwareOath"
    ? "users('me')/authentication/softwareOathMethods/$entity"
    : "users('me')/authentication/fido2Methods/$entity";
