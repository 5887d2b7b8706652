/**
 * Graph's `keyCredentials` of an application: X.509 certificates (public part only) for
 * `private_key_jwt` client authentication at the sign-in service.
 * - `PATCH /applications/{id}` with `keyCredentials` replaces the collection; an entry that
 *   names an existing `keyId` without a `key` keeps that certificate (Graph's read returns
 *   `key: null`, so a read-modify-write round trip works);
 * - `addKey` / `removeKey` need a proof of possession: a JWT signed with one of the
 *   application's current certificates, `aud` 00000002-0000-0000-c000-000000000000, `iss` the
 *   application's object id, at most 10 minutes long (Graph's rule). An application without a
 *   current certificate uses PATCH instead.
 * Certificates: `type` AsymmetricX509Cert, `usage` Verify, `key` base64 DER or PEM; RSA of
 * 2048 bits or more, or EC P-256/P-384/P-521. `startDateTime` / `endDateTime` default to the
 * certificate's validity and must lie within it. `customKeyIdentifier` is the SHA-1 thumbprint
 * (base64), `displayName` defaults to the subject (e.g. `CN=nightly-export`).
 */
import { randomUUID, X509Certificate } from "node:crypto";
import { GatehouseError, type KeyCredentialRecord, type NewKeyCredential, type Repositories } from "@gatehouse/store";
import { decodeProtectedHeader, jwtVerify } from "jose";
import { InvalidRequestError, invalidRequest, type RequestIssue } from "../../errors/invalid-request-error.js";
import type { OperationContext } from "../operation-context.js";
import { applicationOrNotFound, credentialAuditRecord } from "./credential-change.js";

export const KEY_CREDENTIAL_TYPE = "AsymmetricX509Cert";
export const KEY_CREDENTIAL_USAGE = "Verify";
/** The audience Graph requires in addKey/removeKey proofs (the legacy Azure AD Graph appId). */
export const PROOF_AUDIENCE = "00000002-0000-0000-c000-000000000000";
const MAX_PROOF_LIFETIME_SECONDS = 600;
const GUID = /^[0-9a-f]{8}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{12}$/i;

/** Graph's `keyCredential` as read: `key` is never returned (null), like Graph without $select. */
export function keyCredentialRepresentation(credential: KeyCredentialRecord): Record<string, unknown> {
  return {
    customKeyIdentifier: credential.customKeyIdentifier,
    displayName: credential.displayName,
    endDateTime: credential.endDateTime,
    key: null,
    keyId: credential.keyId,
    startDateTime: credential.startDateTime,
    type: credential.type,
    usage: credential.usage,
  };
}

/** The certificate of a `key` member: base64 DER or PEM text; null when it is neither. */
export function parseCertificate(key: string): X509Certificate | null {
  const text = key.trim();
  try {
    if (text.startsWith("-----BEGIN")) return new X509Certificate(text);
    if (!/^[A-Za-z0-9+/=\s]+$/.test(text)) return null;
    return new X509Certificate(Buffer.from(text.replace(/\s+/g, ""), "base64"));
  } catch {
    return null;
  }
}

/** The certificate's SHA-1 thumbprint as bytes. */
const thumbprintOf = (certificate: X509Certificate): Buffer => Buffer.from(certificate.fingerprint.replaceAll(":", ""), "hex");

function keyProblem(certificate: X509Certificate): string | null {
  const key = certificate.publicKey;
  if (key.asymmetricKeyType === "rsa") {
    const bits = key.asymmetricKeyDetails?.modulusLength ?? 0;
    return bits >= 2048 ? null : `the certificate's RSA key has ${bits} bits; at least 2048 are needed.`;
  }
  if (key.asymmetricKeyType === "ec") {
    const curve = key.asymmetricKeyDetails?.namedCurve;
    return curve === "prime256v1" || curve === "secp384r1" || curve === "secp521r1"
      ? null
      : `the certificate's EC curve ${curve} is not supported.`;
  }
  return `the certificate's ${key.asymmetricKeyType} key is not supported (RSA or EC P-256/P-384/P-521).`;
}

function dateOf(value: unknown, path: string, issues: RequestIssue[]): Date | undefined {
  if (value === undefined || value === null) return undefined;
  const time = typeof value === "string" ? Date.parse(value) : Number.NaN;
  if (Number.isNaN(time)) {
    issues.push({ path, message: "must be an ISO-8601 date and time." });
    return undefined;
  }
  return new Date(time);
}

/** One new certificate from a Graph `keyCredential`; issues are pushed with their paths. */
export function readKeyCredential(raw: unknown, path: string, issues: RequestIssue[]): NewKeyCredential | null {
  if (typeof raw !== "object" || raw === null || Array.isArray(raw)) {
    issues.push({ path, message: "A keyCredential must be an object." });
    return null;
  }
  const c = raw as Record<string, unknown>;
  const before = issues.length;
  if (c.type !== KEY_CREDENTIAL_TYPE) issues.push({ path: `${path}.type`, message: `type must be ${KEY_CREDENTIAL_TYPE}.` });
  if (c.usage !== KEY_CREDENTIAL_USAGE) {
    issues.push({ path: `${path}.usage`, message: `usage must be ${KEY_CREDENTIAL_USAGE} (the certificate verifies client assertions).` });
  }
  if (c.displayName !== undefined && c.displayName !== null && typeof c.displayName !== "string") {
    issues.push({ path: `${path}.displayName`, message: "displayName must be a string." });
  }
  if (c.keyId !== undefined && c.keyId !== null && (typeof c.keyId !== "string" || !GUID.test(c.keyId))) {
    issues.push({ path: `${path}.keyId`, message: "keyId must be a GUID." });
  }
  const certificate = typeof c.key === "string" ? parseCertificate(c.key) : null;
  if (certificate === null) {
    issues.push({
      path: `${path}.key`,
      message: "key must be an X.509 certificate, base64 DER or PEM (the public certificate, never a private key).",
    });
    return null;
  }
  const problem = keyProblem(certificate);
  if (problem !== null) issues.push({ path: `${path}.key`, message: problem });
  const validFrom = new Date(certificate.validFrom);
  const validTo = new Date(certificate.validTo);
  const start = dateOf(c.startDateTime, `${path}.startDateTime`, issues) ?? validFrom;
  const end = dateOf(c.endDateTime, `${path}.endDateTime`, issues) ?? validTo;
  if (start.getTime() < validFrom.getTime() - 1000 || end.getTime() > validTo.getTime() + 1000) {
    issues.push({
      path,
      message: `startDateTime and endDateTime must lie within the certificate's validity (${validFrom.toISOString()} to ${validTo.toISOString()}).`,
    });
  }
  if (end.getTime() <= start.getTime()) issues.push({ path: `${path}.endDateTime`, message: "endDateTime must be after startDateTime." });
  if (issues.length > before) return null;
  return {
    ...(typeof c.keyId === "string" ? { keyId: c.keyId.toLowerCase() } : {}),
    customKeyIdentifier: thumbprintOf(certificate).toString("base64"),
    displayName: typeof c.displayName === "string" ? c.displayName : certificate.subject.replaceAll("\n", ", "),
    type: KEY_CREDENTIAL_TYPE,
    usage: KEY_CREDENTIAL_USAGE,
    key: certificate.raw.toString("base64"),
    startDateTime: start.toISOString(),
    endDateTime: end.toISOString(),
  };
}

/** A stored certificate that verifies at `now` (within its dates and its own validity). */
export function isCurrentCertificate(credential: KeyCredentialRecord, now: Date): X509Certificate | null {
  if (Date.parse(credential.startDateTime) > now.getTime() || Date.parse(credential.endDateTime) <= now.getTime()) return null;
  const certificate = parseCertificate(credential.key);
  if (certificate === null) return null;
  if (Date.parse(certificate.validFrom) > now.getTime() || Date.parse(certificate.validTo) <= now.getTime()) return null;
  return certificate;
}

const keyDescription = (c: KeyCredentialRecord): string =>
  JSON.stringify({
    keyId: c.keyId,
    keyType: "AsymmetricX509Cert",
    keyUsage: c.usage,
    displayName: c.displayName,
    customKeyIdentifier: c.customKeyIdentifier,
    endDateTime: c.endDateTime,
  });

/**
 * PATCH's `keyCredentials` (the whole collection). Called inside the PATCH's transaction;
 * returns the audit's KeyDescription change, or null when nothing changed.
 */
export async function replaceKeyCredentials(
  tx: Repositories,
  applicationId: string,
  raw: unknown,
): Promise<{ oldValue: string; newValue: string } | null> {
  if (!Array.isArray(raw)) throw invalidRequest("$.keyCredentials", "keyCredentials must be an array of keyCredential objects.");
  const existing = await tx.applications.listKeyCredentials(applicationId);
  const issues: RequestIssue[] = [];
  const next: NewKeyCredential[] = [];
  raw.forEach((entry, index) => {
    const path = `$.keyCredentials[${index}]`;
    const e = (typeof entry === "object" && entry !== null ? entry : {}) as Record<string, unknown>;
    const kept =
      typeof e.keyId === "string" && (e.key === undefined || e.key === null)
        ? existing.find((k) => k.keyId === e.keyId?.toString().toLowerCase())
        : undefined;
    if (kept !== undefined) {
      next.push({ ...kept, ...(typeof e.displayName === "string" ? { displayName: e.displayName } : {}) });
      return;
    }
    if (typeof e.keyId === "string" && (e.key === undefined || e.key === null)) {
      issues.push({
        path: `${path}.keyId`,
        message: `the application has no certificate with the keyId '${e.keyId}'; a new certificate needs its key.`,
      });
      return;
    }
    const credential = readKeyCredential(entry, path, issues);
    if (credential !== null) next.push({ ...credential, keyId: credential.keyId ?? randomUUID() });
  });
  const ids = next.map((k) => k.keyId);
  if (new Set(ids).size !== ids.length) issues.push({ path: "$.keyCredentials", message: "keyIds must be unique." });
  const thumbprints = next.map((k) => k.customKeyIdentifier);
  if (new Set(thumbprints).size !== thumbprints.length)
    issues.push({ path: "$.keyCredentials", message: "the same certificate is listed twice." });
  if (issues.length > 0) throw new InvalidRequestError(issues);
  const stored = await tx.applications.replaceKeyCredentials(applicationId, next);
  const before = existing.map(keyDescription).sort().join("\n");
  const after = stored.map(keyDescription).sort().join("\n");
  return before === after ? null : { oldValue: before, newValue: after };
}

/** Verifies an addKey/removeKey proof against the application's current certificates. */
async function verifyProof(
  applicationObjectId: string,
  credentials: readonly KeyCredentialRecord[],
  proof: unknown,
  now: Date,
): Promise<void> {
  if (typeof proof !== "string" || proof === "")
    throw invalidRequest("$.proof", "proof is required: a JWT signed with a current certificate of the application.");
  const current = credentials.map((c) => isCurrentCertificate(c, now)).filter((c): c is X509Certificate => c !== null);
  if (current.length === 0) {
    throw invalidRequest(
      "$.proof",
      "The application has no current certificate to prove possession of; add the first one with PATCH keyCredentials.",
    );
  }
  let header: ReturnType<typeof decodeProtectedHeader>;
  try {
    header = decodeProtectedHeader(proof);
  } catch {
    throw invalidRequest("$.proof", "proof is not a JWT.");
  }
  for (const certificate of current) {
    if (typeof header.x5t === "string" && header.x5t !== thumbprintOf(certificate).toString("base64url")) continue;
    try {
      const { payload } = await jwtVerify(proof, certificate.publicKey, {
        audience: PROOF_AUDIENCE,
        issuer: applicationObjectId,
        currentDate: now,
        clockTolerance: 5,
        requiredClaims: ["exp", "nbf"],
      });
      if ((payload.exp as number) - (payload.nbf as number) > MAX_PROOF_LIFETIME_SECONDS) {
        throw invalidRequest("$.proof", "proof must be valid for at most 10 minutes (exp - nbf).");
      }
      return;
    } catch (error) {
      if (error instanceof InvalidRequestError) throw error;
    }
  }
  throw invalidRequest(
    "$.proof",
    `The proof of possession is not signed by a current certificate of the application, or its claims are not valid (aud ${PROOF_AUDIENCE}, iss the application's id, nbf and exp).`,
  );
}

/** Graph's `addKey`: `{ keyCredential, passwordCredential: null, proof }`. Returns the new keyCredential. */
export async function addKey(ctx: OperationContext, input: { applicationId: string; body: unknown }): Promise<KeyCredentialRecord> {
  const body = (typeof input.body === "object" && input.body !== null && !Array.isArray(input.body) ? input.body : null) as Record<
    string,
    unknown
  > | null;
  if (body === null) throw invalidRequest("$", "The body must be a JSON object.");
  if (body.passwordCredential !== undefined && body.passwordCredential !== null) {
    throw invalidRequest("$.passwordCredential", "Add secrets with the addPassword action; passwordCredential must be null.");
  }
  const issues: RequestIssue[] = [];
  const credential = readKeyCredential(body.keyCredential, "$.keyCredential", issues);
  if (credential === null) throw new InvalidRequestError(issues);
  return ctx.store.transaction(async (tx) => {
    const application = await applicationOrNotFound(tx, input.applicationId);
    const existing = await tx.applications.listKeyCredentials(application.id);
    await verifyProof(application.id, existing, body.proof, ctx.now);
    if (existing.some((k) => k.customKeyIdentifier === credential.customKeyIdentifier)) {
      throw invalidRequest("$.keyCredential.key", "The application already has this certificate.");
    }
    const stored = await tx.applications.addKeyCredential(application.id, { ...credential, keyId: credential.keyId ?? randomUUID() });
    await tx.audit.append(credentialAuditRecord(ctx, application, { oldValue: null, newValue: keyDescription(stored) }));
    return stored;
  });
}

/** Graph's `removeKey`: `{ keyId, proof }`. */
export async function removeKey(ctx: OperationContext, input: { applicationId: string; body: unknown }): Promise<void> {
  const body = (typeof input.body === "object" && input.body !== null ? input.body : {}) as Record<string, unknown>;
  const keyId = body.keyId;
  if (typeof keyId !== "string" || keyId === "") throw invalidRequest("$.keyId", "keyId is required.");
  await ctx.store.transaction(async (tx) => {
    const application = await applicationOrNotFound(tx, input.applicationId);
    const existing = await tx.applications.listKeyCredentials(application.id);
    await verifyProof(application.id, existing, body.proof, ctx.now);
    const credential = existing.find((k) => k.keyId === keyId.toLowerCase());
    if (credential === undefined) throw new GatehouseError("notFound", `The application has no key credential with the keyId '${keyId}'.`);
    await tx.applications.removeKeyCredential(application.id, credential.keyId);
    await tx.audit.append(credentialAuditRecord(ctx, application, { oldValue: keyDescription(credential), newValue: null }));
  });
}
