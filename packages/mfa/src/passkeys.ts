/**
 * Passkeys (WebAuthn) over @simplewebauthn/server: the library verifies (challenge, origin,
 * RP id, signature, user presence and verification), the caller stores. Challenges are the
 * caller's to keep (the sign-in service keeps them in the session). Signature counters must
 * grow unless the authenticator has none (both 0): a counter that does not is a cloned
 * authenticator or a replayed assertion, refused. Graph's method mode: `fido2`.
 */
import type { AuthenticationMethodRecord, Repositories } from "@gatehouse/store";
import { isGatehouseError } from "@gatehouse/store";
import {
  type AuthenticationResponseJSON,
  generateAuthenticationOptions,
  generateRegistrationOptions,
  type PublicKeyCredentialCreationOptionsJSON,
  type PublicKeyCredentialRequestOptionsJSON,
  type RegistrationResponseJSON,
  verifyAuthenticationResponse,
  verifyRegistrationResponse,
} from "@simplewebauthn/server";

/** ES256, EdDSA, RS256: what platform authenticators and security keys use. */
const SUPPORTED_ALGORITHMS = [-7, -8, -257];

export interface PasskeyUser {
  /** The user's object id; becomes the WebAuthn user handle. */
  id: string;
  /** Shown by the authenticator, e.g. the userPrincipalName. */
  name: string;
  displayName?: string;
}

export interface KnownCredential {
  /** base64url */
  credentialId: string;
  transports?: readonly string[];
}

const toDescriptor = (c: KnownCredential | AuthenticationMethodRecord) => ({
  id: c.credentialId ?? "",
  transports: [...(c.transports ?? [])],
});

const credentialsOf = (list: readonly (KnownCredential | AuthenticationMethodRecord)[] | undefined) =>
  (list ?? []).filter((c) => typeof c.credentialId === "string" && c.credentialId.length > 0).map(toDescriptor);

/** Options for `navigator.credentials.create()`; keep `challenge` for {@link verifyPasskeyRegistration}. */
export function passkeyRegistrationOptions(options: {
  rpId: string;
  rpName: string;
  user: PasskeyUser;
  /** The user's passkeys, so the same authenticator is not registered twice (listForUser's records will do). */
  existingCredentials?: readonly (KnownCredential | AuthenticationMethodRecord)[];
  challenge?: string | Uint8Array;
}): Promise<PublicKeyCredentialCreationOptionsJSON> {
  return generateRegistrationOptions({
    rpID: options.rpId,
    rpName: options.rpName,
    userID: new TextEncoder().encode(options.user.id),
    userName: options.user.name,
    userDisplayName: options.user.displayName ?? options.user.name,
    attestationType: "none",
    excludeCredentials: credentialsOf(options.existingCredentials),
    authenticatorSelection: { residentKey: "preferred", userVerification: "required" },
    supportedAlgorithmIDs: SUPPORTED_ALGORITHMS,
    ...(options.challenge === undefined ? {} : { challenge: options.challenge as string | Uint8Array<ArrayBuffer> }),
  });
}

export type PasskeyRegistrationResult =
  | { ok: true; method: AuthenticationMethodRecord }
  | { ok: false; reason: "verificationFailed" | "credentialExists"; message: string };

/** Verifies the authenticator's answer and stores the credential for `userId`. */
export async function verifyPasskeyRegistration(
  store: Repositories,
  input: {
    userId: string;
    response: RegistrationResponseJSON;
    expectedChallenge: string;
    expectedOrigin: string | string[];
    expectedRPID: string | string[];
    displayName: string;
  },
): Promise<PasskeyRegistrationResult> {
  let info: Awaited<ReturnType<typeof verifyRegistrationResponse>>["registrationInfo"];
  try {
    const verified = await verifyRegistrationResponse({
      response: input.response,
      expectedChallenge: input.expectedChallenge,
      expectedOrigin: input.expectedOrigin,
      expectedRPID: input.expectedRPID,
      requireUserPresence: true,
      requireUserVerification: true,
      supportedAlgorithmIDs: SUPPORTED_ALGORITHMS,
    });
    if (!verified.verified) return { ok: false, reason: "verificationFailed", message: "the registration response did not verify" };
    info = verified.registrationInfo;
  } catch (error) {
    return { ok: false, reason: "verificationFailed", message: error instanceof Error ? error.message : String(error) };
  }
  try {
    const method = await store.authenticationMethods.createPasskey({
      userId: input.userId,
      displayName: input.displayName,
      credentialId: info.credential.id,
      publicKey: Buffer.from(info.credential.publicKey).toString("base64url"),
      counter: info.credential.counter,
      transports: info.credential.transports ?? input.response.response.transports ?? [],
      aaguid: info.aaguid,
      deviceType: info.credentialDeviceType,
      backedUp: info.credentialBackedUp,
    });
    return { ok: true, method };
  } catch (error) {
    if (isGatehouseError(error, "conflict")) {
      return { ok: false, reason: "credentialExists", message: "this passkey is already registered" };
    }
    throw error;
  }
}

/** Options for `navigator.credentials.get()`; no `allowCredentials` asks for a discoverable passkey. */
export function passkeyAuthenticationOptions(options: {
  rpId: string;
  allowCredentials?: readonly (KnownCredential | AuthenticationMethodRecord)[];
  challenge?: string | Uint8Array;
}): Promise<PublicKeyCredentialRequestOptionsJSON> {
  return generateAuthenticationOptions({
    rpID: options.rpId,
    allowCredentials: credentialsOf(options.allowCredentials),
    userVerification: "required",
    ...(options.challenge === undefined ? {} : { challenge: options.challenge as string | Uint8Array<ArrayBuffer> }),
  });
}

export type PasskeyAuthenticationResult =
  | { ok: true; userId: string; methodId: string }
  | { ok: false; reason: "unknownCredential" | "wrongUser" | "verificationFailed" | "counterReplayed"; message: string };

/**
 * Verifies an assertion against the stored credential and stores the new counter. With
 * `expectedUserId` (the user already identified in this sign-in), a passkey of another user
 * is refused.
 */
export async function verifyPasskeyAuthentication(
  store: Repositories,
  input: {
    response: AuthenticationResponseJSON;
    expectedChallenge: string;
    expectedOrigin: string | string[];
    expectedRPID: string | string[];
    expectedUserId?: string;
  },
): Promise<PasskeyAuthenticationResult> {
  const credential = await store.authenticationMethods.getPasskeyByCredentialId(input.response.id);
  if (credential === null) return { ok: false, reason: "unknownCredential", message: "no passkey is registered with this credential id" };
  if (input.expectedUserId !== undefined && credential.userId !== input.expectedUserId) {
    return { ok: false, reason: "wrongUser", message: "the passkey belongs to another user" };
  }
  let newCounter: number;
  try {
    const verified = await verifyAuthenticationResponse({
      response: input.response,
      expectedChallenge: input.expectedChallenge,
      expectedOrigin: input.expectedOrigin,
      expectedRPID: input.expectedRPID,
      requireUserVerification: true,
      // The counter rule is applied below, against the store, atomically; the library checks the rest.
      credential: {
        id: credential.credentialId,
        publicKey: new Uint8Array(Buffer.from(credential.publicKey, "base64url")),
        counter: 0,
        transports: credential.transports,
      },
    });
    if (!verified.verified) return { ok: false, reason: "verificationFailed", message: "the assertion did not verify" };
    newCounter = verified.authenticationInfo.newCounter;
  } catch (error) {
    return { ok: false, reason: "verificationFailed", message: error instanceof Error ? error.message : String(error) };
  }
  const grew = newCounter > credential.counter || (newCounter === 0 && credential.counter === 0);
  if (!grew || !(await store.authenticationMethods.updatePasskeyCounter(credential.id, newCounter))) {
    return {
      ok: false,
      reason: "counterReplayed",
      message: `the signature counter ${newCounter} did not grow past ${credential.counter}: a cloned authenticator or a replayed assertion`,
    };
  }
  return { ok: true, userId: credential.userId, methodId: credential.id };
}
