/**
 * TOTP registration in two steps (our extension: Graph has no public API for it): start (a new
 * secret, kept encrypted in the store for ten minutes), then verify with a first code, which
 * creates the `softwareOathAuthenticationMethod` with that code's time step already used (it
 * cannot be replayed). Conditional Access is evaluated at both steps.
 */
import { decryptSecret, encryptSecret, ensureSecretKey, finishTotpRegistration, startTotpRegistration } from "@gatehouse/mfa";
import { type AuthenticationMethodRecord, GatehouseError } from "@gatehouse/store";
import { invalidRequest } from "../../errors/invalid-request-error.js";
import { BodyReader } from "../body-reader.js";
import { securityInfoAudit } from "./security-info-audit.js";
import { authorizeRegistration, MAX_CODE_ATTEMPTS, REGISTRATION_LIFETIME_SECONDS, type SelfServiceOperation } from "./self-service.js";

export interface SoftwareOathRegistrationStart {
  registrationId: string;
  /** base32, for manual entry. */
  secret: string;
  /** `otpauth://totp/...`, for a QR code. */
  otpauthUri: string;
  expiresDateTime: string;
}

const notFound = (id: string) =>
  new GatehouseError("notFound", `There is no authenticator app registration in progress with the id '${id}'.`);

export async function startSoftwareOathRegistration(op: SelfServiceOperation, body: unknown): Promise<SoftwareOathRegistrationStart> {
  if (body !== undefined && body !== null) new BodyReader(body, "a registration start").done();
  const { ctx } = op;
  await authorizeRegistration(op);
  const settings = await ctx.store.tenant.get();
  const started = startTotpRegistration({ accountName: ctx.caller.userPrincipalName, issuer: settings?.displayName || "Gatehouse" });
  const key = await ensureSecretKey(ctx.store);
  const registration = await ctx.store.securityInfoRegistrations.create({
    userId: ctx.caller.id,
    methodType: "softwareOath",
    secretCiphertext: encryptSecret(started.secret, key),
    expiresInSeconds: REGISTRATION_LIFETIME_SECONDS,
  });
  return {
    registrationId: registration.id,
    secret: started.secret,
    otpauthUri: started.otpauthUri,
    expiresDateTime: registration.expiresDateTime,
  };
}

export async function verifySoftwareOathRegistration(
  op: SelfServiceOperation,
  registrationId: string,
  body: unknown,
): Promise<AuthenticationMethodRecord> {
  const reader = new BodyReader(body, "a verification code");
  const code = reader.string("code", { required: true, maxLength: 16 });
  const displayName = reader.string("displayName", { nonEmpty: true, maxLength: 64 });
  reader.done();
  const { ctx } = op;
  await authorizeRegistration(op);
  const registration = await ctx.store.securityInfoRegistrations.get(registrationId);
  if (registration === null || registration.userId !== ctx.caller.id || registration.methodType !== "softwareOath")
    throw notFound(registrationId);
  const key = await ensureSecretKey(ctx.store);
  const secret = decryptSecret(registration.secretCiphertext ?? "", key);
  const method = await ctx.store.transaction(async (tx) => {
    const result = await finishTotpRegistration(tx, key, {
      userId: ctx.caller.id,
      secret,
      code: code ?? "",
      displayName: displayName ?? "Authenticator app",
      now: ctx.now,
    });
    if (!result.ok) return null;
    // Answers once: a second verification of the same registration finds nothing.
    if ((await tx.securityInfoRegistrations.take(registration.id)) === null) throw notFound(registrationId);
    await tx.audit.append(securityInfoAudit(ctx, "registered", result.method));
    return result.method;
  });
  if (method === null) {
    const attempts = await ctx.store.securityInfoRegistrations.recordFailedAttempt(registration.id);
    if (attempts === null) throw notFound(registrationId);
    if (attempts >= MAX_CODE_ATTEMPTS) {
      await ctx.store.securityInfoRegistrations.delete(registration.id);
      throw invalidRequest(
        "$.code",
        "The code is not right, and there were too many wrong codes: start the registration again.",
        "invalidCode",
      );
    }
    throw invalidRequest(
      "$.code",
      "The code is not right (or was already used). Enter the current code of the authenticator app.",
      "invalidCode",
    );
  }
  return method;
}
