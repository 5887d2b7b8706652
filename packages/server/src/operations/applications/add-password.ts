/**
 * Graph's `addPassword`: a new client secret, returned once in `secretText`; only its argon2id
 * hash is stored, and the audit record names the key, never the secret.
 */
import { randomUUID } from "node:crypto";
import { hashPassword } from "../../bootstrap/hash-password.js";
import { invalidRequest } from "../../errors/invalid-request-error.js";
import type { OperationContext } from "../operation-context.js";
import { applicationOrNotFound, credentialAuditRecord } from "./credential-change.js";
import { generateClientSecret } from "./generate-client-secret.js";

/** Entra's default lifetime of a new secret. */
const DEFAULT_LIFETIME_MS = 2 * 365 * 24 * 3600 * 1000;
const HINT_LENGTH = 3;

export interface NewClientSecret {
  customKeyIdentifier: null;
  displayName: string | null;
  endDateTime: string;
  hint: string;
  keyId: string;
  secretText: string;
  startDateTime: string;
}

function dateMember(credential: Record<string, unknown>, name: string): Date | undefined {
  const value = credential[name];
  if (value === undefined || value === null) return undefined;
  const time = typeof value === "string" ? Date.parse(value) : Number.NaN;
  if (Number.isNaN(time)) throw invalidRequest(`$.passwordCredential.${name}`, `${name} must be an ISO-8601 date and time.`);
  return new Date(time);
}

export async function addPassword(ctx: OperationContext, input: { applicationId: string; body: unknown }): Promise<NewClientSecret> {
  const body = (input.body ?? {}) as Record<string, unknown>;
  if (typeof body !== "object" || Array.isArray(body)) throw invalidRequest("$", "The body must be a JSON object.");
  const credential = (body.passwordCredential ?? {}) as Record<string, unknown>;
  if (typeof credential !== "object" || credential === null || Array.isArray(credential)) {
    throw invalidRequest("$.passwordCredential", "passwordCredential must be an object.");
  }
  const displayName = credential.displayName ?? null;
  if (displayName !== null && typeof displayName !== "string")
    throw invalidRequest("$.passwordCredential.displayName", "displayName must be a string.");
  const start = dateMember(credential, "startDateTime") ?? ctx.now;
  const end = dateMember(credential, "endDateTime") ?? new Date(start.getTime() + DEFAULT_LIFETIME_MS);
  if (end.getTime() <= start.getTime())
    throw invalidRequest("$.passwordCredential.endDateTime", "endDateTime must be after startDateTime.");

  const secretText = generateClientSecret();
  const secretHash = await hashPassword(secretText);
  const keyId = randomUUID();
  const hint = secretText.slice(0, HINT_LENGTH);
  return ctx.store.transaction(async (tx) => {
    const application = await applicationOrNotFound(tx, input.applicationId);
    const stored = await tx.applications.addPasswordCredential(application.id, {
      keyId,
      secretHash,
      hint,
      displayName,
      startDateTime: start.toISOString(),
      endDateTime: end.toISOString(),
    });
    await tx.audit.append(
      credentialAuditRecord(ctx, application, {
        oldValue: null,
        newValue: JSON.stringify({
          keyId: stored.keyId,
          keyType: "Password",
          displayName: stored.displayName,
          hint,
          endDateTime: stored.endDateTime,
        }),
      }),
    );
    return {
      customKeyIdentifier: null,
      displayName: stored.displayName,
      endDateTime: stored.endDateTime ?? end.toISOString(),
      hint,
      keyId: stored.keyId,
      secretText,
      startDateTime: stored.startDateTime,
    };
  });
}
