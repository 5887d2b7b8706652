/**
 * Passkey registration in two steps (our extension: Graph has no public API for it): start
 * (WebAuthn creation options, Graph's `webauthnCredentialCreationOptions` shape; the challenge
 * kept in the store for ten minutes), then verify the browser's answer, which creates the
 * `fido2AuthenticationMethod`. The challenge answers once. Conditional Access is evaluated at
 * both steps.
 */
import { passkeyRegistrationOptions, verifyPasskeyRegistration } from "@gatehouse/mfa";
import { type AuthenticationMethodRecord, GatehouseError } from "@gatehouse/store";
import { invalidRequest } from "../../errors/invalid-request-error.js";
import { BodyReader } from "../body-reader.js";
import { securityInfoAudit } from "./security-info-audit.js";
import { authorizeRegistration, REGISTRATION_LIFETIME_SECONDS, type RelyingParty, type SelfServiceOperation } from "./self-service.js";

export interface Fido2RegistrationStart {
  registrationId: string;
  /** When the challenge expires (Graph's `challengeTimeoutDateTime`). */
  challengeTimeoutDateTime: string;
  /** The options for `navigator.credentials.create({ publicKey })` (JSON: base64url buffers). */
  publicKey: Awaited<ReturnType<typeof passkeyRegistrationOptions>>;
}

type RegistrationResponse = Parameters<typeof verifyPasskeyRegistration>[1]["response"];

const notFound = (id: string) => new GatehouseError("notFound", `There is no passkey registration in progress with the id '${id}'.`);

export async function startFido2Registration(op: SelfServiceOperation, rp: RelyingParty, body: unknown): Promise<Fido2RegistrationStart> {
  if (body !== undefined && body !== null) new BodyReader(body, "a registration start").done();
  const { ctx } = op;
  const registered = await authorizeRegistration(op);
  const settings = await ctx.store.tenant.get();
  const options = await passkeyRegistrationOptions({
    rpId: rp.rpId,
    rpName: settings?.displayName || "Gatehouse",
    user: { id: ctx.caller.id, name: ctx.caller.userPrincipalName, displayName: ctx.caller.displayName },
    existingCredentials: registered.filter((m) => m.methodType === "fido2"),
  });
  const registration = await ctx.store.securityInfoRegistrations.create({
    userId: ctx.caller.id,
    methodType: "fido2",
    challenge: options.challenge,
    expiresInSeconds: REGISTRATION_LIFETIME_SECONDS,
  });
  return { registrationId: registration.id, challengeTimeoutDateTime: registration.expiresDateTime, publicKey: options };
}

function readCredential(reader: BodyReader): RegistrationResponse | undefined {
  const credential = reader.object("publicKeyCredential");
  if (reader.has("publicKeyCredential") && credential === undefined) return undefined;
  if (credential === undefined) {
    reader.issues.push({
      path: "$.publicKeyCredential",
      message: "publicKeyCredential (the browser's answer) is required.",
      code: "invalidValue",
    });
    return undefined;
  }
  const response = credential.response as Record<string, unknown> | undefined;
  if (
    typeof credential.id !== "string" ||
    typeof response !== "object" ||
    response === null ||
    typeof response.clientDataJSON !== "string" ||
    typeof response.attestationObject !== "string"
  ) {
    reader.issues.push({
      path: "$.publicKeyCredential",
      message:
        "publicKeyCredential must be the JSON of a PublicKeyCredential: id and response.clientDataJSON, response.attestationObject (base64url).",
      code: "invalidValue",
    });
    return undefined;
  }
  return { type: "public-key", rawId: credential.id, clientExtensionResults: {}, ...credential } as RegistrationResponse;
}

export async function verifyFido2Registration(
  op: SelfServiceOperation,
  rp: RelyingParty,
  registrationId: string,
  body: unknown,
): Promise<AuthenticationMethodRecord> {
  const reader = new BodyReader(body, "a passkey registration answer");
  const displayName = reader.string("displayName", { nonEmpty: true, maxLength: 64 });
  const response = readCredential(reader);
  reader.done();
  const { ctx } = op;
  await authorizeRegistration(op);
  const pending = await ctx.store.securityInfoRegistrations.get(registrationId);
  if (pending === null || pending.userId !== ctx.caller.id || pending.methodType !== "fido2") throw notFound(registrationId);
  // The challenge answers once, whatever the outcome.
  const registration = await ctx.store.securityInfoRegistrations.take(pending.id);
  if (registration === null || registration.challenge === null) throw notFound(registrationId);
  const challenge = registration.challenge;
  return ctx.store.transaction(async (tx) => {
    const result = await verifyPasskeyRegistration(tx, {
      userId: ctx.caller.id,
      response: response as RegistrationResponse,
      expectedChallenge: challenge,
      expectedOrigin: rp.origin,
      expectedRPID: rp.rpId,
      displayName: displayName ?? "Passkey",
    });
    if (!result.ok) {
      if (result.reason === "credentialExists") throw new GatehouseError("conflict", "This passkey is already registered.");
      throw invalidRequest(
        "$.publicKeyCredential",
        `The passkey could not be verified (${result.message}). Start the registration again.`,
        "passkeyNotVerified",
      );
    }
    await tx.audit.append(securityInfoAudit(ctx, "registered", result.method));
    return result.method;
  });
}
