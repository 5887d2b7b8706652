/**
 * TOTP (RFC 6238) as authenticator apps expect it: a 20-byte base32 secret, SHA-1, 6 digits,
 * 30-second steps; codes are accepted one step either side of now. Every accepted code moves
 * the method's last time step forward in one atomic store update, so a code (or an older one)
 * is never accepted twice, even by two nodes at once. Graph's method mode: `softwareOath`.
 */
import type { AuthenticationMethodRecord, Repositories } from "@gatehouse/store";
import { generateSecret, generateURI, verify } from "otplib";
import { decryptSecret, encryptSecret } from "./secret-box.js";

export const TOTP_PERIOD_SECONDS = 30;
export const TOTP_DIGITS = 6;
/** Steps accepted either side of now. */
export const TOTP_WINDOW_STEPS = 1;
const SECRET_BYTES = 20;

export interface TotpRegistrationStart {
  /** base32, to keep (in the session) until the user proves it with a first code. */
  secret: string;
  /** `otpauth://totp/...` for a QR code. */
  otpauthUri: string;
}

export function startTotpRegistration(options: { accountName: string; issuer?: string }): TotpRegistrationStart {
  const secret = generateSecret({ length: SECRET_BYTES });
  const otpauthUri = generateURI({
    issuer: options.issuer ?? "Gatehouse",
    label: options.accountName,
    secret,
    algorithm: "sha1",
    digits: TOTP_DIGITS,
    period: TOTP_PERIOD_SECONDS,
  });
  return { secret, otpauthUri };
}

/** The time step a valid code belongs to (±1 step of `now`), or `null`. */
export async function matchTotpCode(secret: string, code: string, now: Date): Promise<number | null> {
  const token = code.replace(/\s+/g, "");
  if (!/^\d+$/.test(token) || token.length !== TOTP_DIGITS) return null;
  const result = await verify({
    secret,
    token,
    algorithm: "sha1",
    digits: TOTP_DIGITS,
    period: TOTP_PERIOD_SECONDS,
    epoch: Math.floor(now.getTime() / 1000),
    epochTolerance: TOTP_WINDOW_STEPS * TOTP_PERIOD_SECONDS,
  });
  return result.valid && "timeStep" in result ? result.timeStep : null;
}

export type TotpRegistrationResult = { ok: true; method: AuthenticationMethodRecord } | { ok: false; reason: "invalidCode" };

/** Checks the first code, then stores the secret encrypted with that code's step already used. */
export async function finishTotpRegistration(
  store: Repositories,
  key: Uint8Array,
  input: { userId: string; secret: string; code: string; displayName: string; now?: Date },
): Promise<TotpRegistrationResult> {
  const step = await matchTotpCode(input.secret, input.code, input.now ?? new Date());
  if (step === null) return { ok: false, reason: "invalidCode" };
  // The same secret registered again (the form sent twice) is the method already there: two
  // copies would each accept every code once, a replay.
  for (const existing of await store.authenticationMethods.listForUser(input.userId)) {
    if (existing.methodType !== "softwareOath") continue;
    const stored = await store.authenticationMethods.getTotpSecret(existing.id);
    if (stored === null || decryptSecret(stored.secretCiphertext, key) !== input.secret) continue;
    return (await store.authenticationMethods.recordTotpUse(existing.id, step))
      ? { ok: true, method: existing }
      : { ok: false, reason: "invalidCode" };
  }
  const method = await store.authenticationMethods.createTotp({
    userId: input.userId,
    displayName: input.displayName,
    secretCiphertext: encryptSecret(input.secret, key),
    lastTimeStep: step,
  });
  return { ok: true, method };
}

export type TotpVerification = { ok: true; methodId: string } | { ok: false; reason: "invalidCode" | "replayed" | "noMethod" };

/** Checks the code against each of the user's TOTP methods; a code already used (or older) is `replayed`. */
export async function verifyTotp(
  store: Repositories,
  key: Uint8Array,
  input: { userId: string; code: string; now?: Date },
): Promise<TotpVerification> {
  const now = input.now ?? new Date();
  const methods = (await store.authenticationMethods.listForUser(input.userId)).filter((m) => m.methodType === "softwareOath");
  if (methods.length === 0) return { ok: false, reason: "noMethod" };
  let replayed = false;
  for (const method of methods) {
    const stored = await store.authenticationMethods.getTotpSecret(method.id);
    if (stored === null) continue;
    const step = await matchTotpCode(decryptSecret(stored.secretCiphertext, key), input.code, now);
    if (step === null) continue;
    if (await store.authenticationMethods.recordTotpUse(method.id, step)) return { ok: true, methodId: method.id };
    replayed = true;
  }
  return { ok: false, reason: replayed ? "replayed" : "invalidCode" };
}
