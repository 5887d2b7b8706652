/**
 * Clients come from the directory:
 * - the Gatehouse Portal: authorization code with PKCE, a public client (no secret), its
 *   redirect URIs from the application;
 * - the Gatehouse CLI: the device authorization grant, a public client;
 * - any other application with a current password credential or certificate: client
 *   credentials (and the authorization code with refresh tokens when it has web redirect
 *   URIs), with `client_secret_basic` / `client_secret_post` (the secret is checked against
 *   the stored argon2id hashes, `verifyClientSecret`, never compared in clear) or
 *   `private_key_jwt` (a client assertion signed with the private key of one of its current
 *   certificates, `keyCredentials`, published to oidc-provider as the client's `jwks`).
 *
 * One registered method per client is oidc-provider's model (it refuses a credential of
 * another kind than the registered `token_endpoint_auth_method`). An application may hold
 * both secrets and certificates, so the metadata follows the credential the request presents:
 * a request with a `client_assertion` gets the `private_key_jwt` registration (certificates
 * only), any other request the secret registration. Each is a real credential of the app, so
 * neither weakens the other; an app with only certificates is registered `private_key_jwt`.
 * An application without a service principal, or whose service principal is disabled, is no
 * client of this tenant.
 */
import { X509Certificate } from "node:crypto";
import type { KeyCredentialRecord, Store } from "@gatehouse/store";
import { verify } from "@node-rs/argon2";
import type { AdapterPayload } from "oidc-provider";
import { DEVICE_CODE_GRANT, GATEHOUSE_CLI_APP_ID, GATEHOUSE_PORTAL_APP_ID } from "./well-known.js";

const isCurrent = (secret: { startDateTime: string; endDateTime: string | null }, at: Date): boolean =>
  Date.parse(secret.startDateTime) <= at.getTime() && (secret.endDateTime === null || Date.parse(secret.endDateTime) > at.getTime());

/** Parsed certificates by their base64 DER (parsing is deterministic; currentness is checked at each use). */
const parsedCertificates = new Map<string, { jwk: Record<string, unknown>; validFrom: number; validTo: number } | null>();
const MAX_PARSED_CERTIFICATES = 512;

function parseCertificate(key: string): { jwk: Record<string, unknown>; validFrom: number; validTo: number } | null {
  const known = parsedCertificates.get(key);
  if (known !== undefined) return known;
  let parsed: { jwk: Record<string, unknown>; validFrom: number; validTo: number } | null = null;
  try {
    const certificate = new X509Certificate(Buffer.from(key, "base64"));
    const x5t = Buffer.from(certificate.fingerprint.replaceAll(":", ""), "hex").toString("base64url");
    const jwk = certificate.publicKey.export({ format: "jwk" }) as Record<string, unknown>;
    if (jwk.kty === "RSA" || jwk.kty === "EC") {
      parsed = {
        jwk: { ...jwk, kid: x5t, x5t, use: "sig" },
        validFrom: Date.parse(certificate.validFrom),
        validTo: Date.parse(certificate.validTo),
      };
    }
  } catch {
    parsed = null;
  }
  if (parsedCertificates.size >= MAX_PARSED_CERTIFICATES) parsedCertificates.clear();
  parsedCertificates.set(key, parsed);
  return parsed;
}

/** A current certificate's public key as a JWK for oidc-provider (kid and x5t: its SHA-1 thumbprint, as Entra's assertions name it). */
export function certificateJwk(credential: KeyCredentialRecord, at: Date): Record<string, unknown> | null {
  if (!isCurrent(credential, at)) return null;
  const parsed = parseCertificate(credential.key);
  if (parsed === null || parsed.validFrom > at.getTime() || parsed.validTo <= at.getTime()) return null;
  return { ...parsed.jwk };
}

/**
 * `placeholderSecret` fills oidc-provider's required `client_secret` for secret clients; it is
 * random per process and never accepted (`compareClientSecret` is replaced by `verifyClientSecret`).
 * `presentsAssertion` tells whether the current token request carries a `client_assertion`.
 */
export function createClientLookup(
  store: Store,
  now: () => Date,
  placeholderSecret: string,
  presentsAssertion: () => boolean = () => false,
  /** Told the certificates read for a client (the sign-in record names the one used without reading them again). */
  certificatesRead: (certificates: readonly KeyCredentialRecord[]) => void = () => {},
) {
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
    const at = now();
    const [secrets, certificates] = await Promise.all([
      store.applications.listClientSecretHashes(client_id),
      store.applications.listClientCertificates(client_id),
    ]);
    certificatesRead(certificates);
    const hasSecret = secrets.some((s) => isCurrent(s, at));
    const keys = certificates.map((c) => certificateJwk(c, at)).filter((k): k is Record<string, unknown> => k !== null);
    if (!hasSecret && keys.length === 0) return undefined;
    // A confidential web client: authorization code (PKCE) and refresh tokens to its redirect URIs.
    const web = !application.isPublicClient && application.redirectUris.length > 0;
    const flows: Pick<AdapterPayload, "grant_types" | "response_types" | "redirect_uris"> = web
      ? {
          grant_types: ["client_credentials", "authorization_code", "refresh_token"],
          response_types: ["code"],
          redirect_uris: application.redirectUris,
        }
      : { grant_types: ["client_credentials"], response_types: [], redirect_uris: [] };
    if (keys.length > 0 && (presentsAssertion() || !hasSecret)) {
      return {
        client_id,
        client_name: application.displayName,
        token_endpoint_auth_method: "private_key_jwt",
        jwks: { keys } as AdapterPayload["jwks"],
        ...flows,
      };
    }
    return {
      client_id,
      client_name: application.displayName,
      client_secret: placeholderSecret,
      token_endpoint_auth_method: "client_secret_basic",
      ...flows,
    };
  };
}

/** The keyId of the application's current secret that `secret` matches (argon2id hashes), or null. */
export async function verifyClientSecret(store: Store, appId: string, secret: string, at: Date): Promise<string | null> {
  if (typeof secret !== "string" || secret === "") return null;
  const hashes = await store.applications.listClientSecretHashes(appId);
  for (const hash of hashes) {
    if (!isCurrent(hash, at)) continue;
    try {
      if (await verify(hash.secretHash, secret)) return hash.keyId;
    } catch {
      // A malformed stored hash matches nothing.
    }
  }
  return null;
}

/** The credential a service principal authenticated with, as Graph's `signIn` names it. */
export interface ClientCredentialUsed {
  /** Graph `clientCredentialType`. */
  clientCredentialType: "clientSecret" | "certificate";
  /** `servicePrincipalCredentialKeyId`: the keyId of the password or key credential. */
  keyId: string | null;
  /** `servicePrincipalCredentialThumbprint`: the certificate's SHA-1 thumbprint (hex, upper case). */
  thumbprint: string | null;
}

/**
 * The certificate an accepted `client_assertion` was signed with: the one its header names
 * (`x5t`, or `kid`, both the SHA-1 thumbprint as Entra's assertions carry it), else the only
 * current one. oidc-provider has already verified the signature; this only names the key.
 */
export function certificateUsed(certificates: readonly KeyCredentialRecord[], assertion: unknown, at: Date): ClientCredentialUsed {
  const current = certificates.flatMap((c) => {
    const jwk = certificateJwk(c, at);
    return jwk === null ? [] : [{ keyId: c.keyId, x5t: String(jwk.x5t) }];
  });
  let named: string | null = null;
  if (typeof assertion === "string") {
    try {
      const header = JSON.parse(Buffer.from(assertion.split(".")[0] ?? "", "base64url").toString("utf8")) as {
        x5t?: unknown;
        kid?: unknown;
      };
      named = typeof header.x5t === "string" ? header.x5t : typeof header.kid === "string" ? header.kid : null;
    } catch {
      named = null;
    }
  }
  const found = (named !== null ? current.find((c) => c.x5t === named) : undefined) ?? (current.length === 1 ? current[0] : undefined);
  return {
    clientCredentialType: "certificate",
    keyId: found?.keyId ?? null,
    thumbprint: found === undefined ? null : Buffer.from(found.x5t, "base64url").toString("hex").toUpperCase(),
  };
}
