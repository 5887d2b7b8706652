import type { ApplicationRecord, KeyCredentialRecord, PasswordCredentialRecord } from "@gatehouse/store";
import { keyCredentialRepresentation } from "./key-credentials.js";

/** Graph's `passwordCredential` as listed: `secretText` is always null after creation. */
export function passwordCredentialRepresentation(credential: PasswordCredentialRecord): Record<string, unknown> {
  return {
    customKeyIdentifier: null,
    displayName: credential.displayName,
    endDateTime: credential.endDateTime,
    hint: credential.hint,
    keyId: credential.keyId,
    secretText: null,
    startDateTime: credential.startDateTime,
  };
}

/** Graph's `application` (redirect URIs under `web` or `publicClient`). */
export function applicationRepresentation(
  app: ApplicationRecord,
  credentials: readonly PasswordCredentialRecord[],
  keyCredentials: readonly KeyCredentialRecord[] = [],
): Record<string, unknown> {
  return {
    id: app.id,
    appId: app.appId,
    displayName: app.displayName,
    description: app.description,
    signInAudience: app.signInAudience,
    identifierUris: app.identifierUris,
    isFallbackPublicClient: app.isPublicClient,
    web: { redirectUris: app.isPublicClient ? [] : app.redirectUris },
    publicClient: { redirectUris: app.isPublicClient ? app.redirectUris : [] },
    passwordCredentials: credentials.map(passwordCredentialRepresentation),
    keyCredentials: keyCredentials.map(keyCredentialRepresentation),
    createdDateTime: app.createdDateTime,
  };
}
