/**
 * Clients come from the directory:
 * - the Gatehouse Portal: authorization code with PKCE, a public client (no secret), its
 *   redirect URIs from the application;
 * - the Gatehouse CLI: the device authorization grant, a public client;
 * - any other application with a current password credential: client credentials, with
 *   `client_secret_basic` or `client_secret_post`; the secret is checked against the stored
 *   argon2id hashes (`verifyClientSecret`), never compared in clear.
 * An application without a service principal, or whose service principal is disabled, is no
 * client of this tenant.
 */
import type { Store } from "@gatehouse/store";
import { verify } from "@node-rs/argon2";
import type { AdapterPayload } from "oidc-provider";
import { DEVICE_CODE_GRANT, GATEHOUSE_CLI_APP_ID, GATEHOUSE_PORTAL_APP_ID } from "./well-known.js";

const isCurrent = (secret: { startDateTime: string; endDateTime: string | null }, at: Date): boolean =>
  Date.parse(secret.startDateTime) <= at.getTime() && (secret.endDateTime === null || Date.parse(secret.endDateTime) > at.getTime());

/**
 * `placeholderSecret` fills oidc-provider's required `client_secret` for secret clients; it is
 * random per process and never accepted (`compareClientSecret` is replaced by `verifyClientSecret`).
 */
export function createClientLookup(store: Store, now: () => Date, placeholderSecret: string) {
  return async (clientId: string): Promise<AdapterPayload | undefined> => {
    if (typeof clientId !== "string" || clientId === "") return undefined;
    const [application, servicePrincipal] = await Promise.all([
      store.applications.getByAppId(clientId),
      store.servicePrincipals.getByAppId(clientId),
    ]);
    if (application === null || servicePrincipal === null || !servicePrincipal.accountEnabled) return undefined;
    const client_id = application.appId;
    if (client_id.toLowerCase() === GATEHOUSE_PORTAL_APP_ID) {
      return {
        client_id,
        client_name: application.displayName,
        application_type: "web",
        token_endpoint_auth_method: "none",
        grant_types: ["authorization_code", "refresh_token"],
        response_types: ["code"],
        redirect_uris: application.redirectUris,
      };
    }
    if (client_id.toLowerCase() === GATEHOUSE_CLI_APP_ID) {
      return {
        client_id,
        client_name: application.displayName,
        application_type: "native",
        token_endpoint_auth_method: "none",
        grant_types: [DEVICE_CODE_GRANT, "refresh_token"],
        response_types: [],
        redirect_uris: [],
      };
    }
    const secrets = await store.applications.listClientSecretHashes(client_id);
    if (!secrets.some((s) => isCurrent(s, now()))) return undefined;
    return {
      client_id,
      client_name: application.displayName,
      client_secret: placeholderSecret,
      token_endpoint_auth_method: "client_secret_basic",
      grant_types: ["client_credentials"],
      response_types: [],
      redirect_uris: [],
    };
  };
}

/** True when `secret` matches one of the application's current secrets (argon2id hashes). */
export async function verifyClientSecret(store: Store, appId: string, secret: string, at: Date): Promise<boolean> {
  if (typeof secret !== "string" || secret === "") return false;
  const hashes = await store.applications.listClientSecretHashes(appId);
  for (const hash of hashes) {
    if (!isCurrent(hash, at)) continue;
    try {
      if (await verify(hash.secretHash, secret)) return true;
    } catch {
      // A malformed stored hash matches nothing.
    }
  }
  return false;
}
