/**
 * The tenant's token signing keys (ES256), kept in the tenant settings' `settings.signingKeys`:
 * the current key (with its private half) first, then older keys with their public half only,
 * so that tokens signed before a rotation still verify until they expire.
 */
import { randomUUID } from "node:crypto";
import { GATEHOUSE_MANAGEMENT_API_APP_ID } from "@gatehouse/admin";
import { GatehouseError, type Repositories, type Store, type TenantSettings } from "@gatehouse/store";
import { calculateJwkThumbprint, exportJWK, generateKeyPair, importJWK, type JWK, SignJWT } from "jose";

export const SIGNING_ALGORITHM = "ES256";

/** The second audience the Management API accepts (an identifier URI). */
export const MANAGEMENT_API_AUDIENCE_URI = "api://gatehouse-management";

/** Older public keys kept after rotations. */
const MAX_RETIRED_KEYS = 4;

const DEFAULT_TOKEN_LIFETIME_SECONDS = 3600;
const MAX_TOKEN_LIFETIME_SECONDS = 24 * 3600;

export interface SigningKey {
  kid: string;
  alg: "ES256";
  privateJwk: JWK;
  publicJwk: JWK;
}

/** One entry of `settings.signingKeys`. */
interface StoredSigningKey {
  kid: string;
  alg: "ES256";
  publicJwk: JWK;
  /** Only the current key keeps it. */
  privateJwk?: JWK;
  createdDateTime: string;
}

export interface ManagementTokenClaims {
  userId?: string;
  servicePrincipalId?: string;
  appId?: string;
  /** Application permissions of a service principal, e.g. `Policy.Read.All`. */
  roles?: string[];
  amr?: string[];
  lifetimeSeconds?: number;
}

/** The issuer of the tenant's tokens. */
export const tokenIssuer = (tenantId: string): string => `gatehouse:${tenantId}`;

function isStoredKey(value: unknown): value is StoredSigningKey {
  if (typeof value !== "object" || value === null) return false;
  const v = value as Record<string, unknown>;
  return typeof v.kid === "string" && v.alg === SIGNING_ALGORITHM && typeof v.publicJwk === "object" && v.publicJwk !== null;
}

function storedKeys(settings: TenantSettings): StoredSigningKey[] {
  const raw = settings.settings.signingKeys;
  return Array.isArray(raw) ? raw.filter(isStoredKey) : [];
}

async function tenantSettings(repos: Repositories): Promise<TenantSettings> {
  const settings = await repos.tenant.get();
  if (settings === null)
    throw new GatehouseError("notFound", "the tenant is not set up: there are no tenant settings (run gatehouse init)");
  return settings;
}

async function newKey(now: Date): Promise<StoredSigningKey> {
  const { publicKey, privateKey } = await generateKeyPair(SIGNING_ALGORITHM, { extractable: true });
  const publicJwk = await exportJWK(publicKey);
  const kid = await calculateJwkThumbprint(publicJwk);
  const privateJwk = await exportJWK(privateKey);
  return {
    kid,
    alg: SIGNING_ALGORITHM,
    publicJwk: { ...publicJwk, kid, alg: SIGNING_ALGORITHM, use: "sig" },
    privateJwk: { ...privateJwk, kid, alg: SIGNING_ALGORITHM },
    createdDateTime: now.toISOString(),
  };
}

async function putKeys(repos: Repositories, settings: TenantSettings, keys: StoredSigningKey[]): Promise<void> {
  await repos.tenant.put({
    tenantId: settings.tenantId,
    displayName: settings.displayName,
    emergencyAccessUserIds: settings.emergencyAccessUserIds,
    emergencyAccessGroupIds: settings.emergencyAccessGroupIds,
    namingStandardPattern: settings.namingStandardPattern,
    settings: { ...settings.settings, signingKeys: keys },
  });
}

const toSigningKey = (key: StoredSigningKey & { privateJwk: JWK }): SigningKey => ({
  kid: key.kid,
  alg: SIGNING_ALGORITHM,
  privateJwk: key.privateJwk,
  publicJwk: key.publicJwk,
});

const currentKey = (keys: readonly StoredSigningKey[]): (StoredSigningKey & { privateJwk: JWK }) | undefined =>
  keys.find((k): k is StoredSigningKey & { privateJwk: JWK } => typeof k.privateJwk === "object" && k.privateJwk !== null);

/** The current signing key, generated and stored on first use. `notFound` when the tenant is not set up. */
export async function ensureSigningKey(store: Store): Promise<SigningKey> {
  const existing = currentKey(storedKeys(await tenantSettings(store)));
  if (existing) return toSigningKey(existing);
  return store.transaction(async (tx) => {
    const settings = await tenantSettings(tx);
    const keys = storedKeys(settings);
    const found = currentKey(keys);
    if (found) return toSigningKey(found);
    const key = (await newKey(new Date())) as StoredSigningKey & { privateJwk: JWK };
    await putKeys(tx, settings, [key, ...keys]);
    return toSigningKey(key);
  });
}

/**
 * Replaces the current key by a new one; the old public key stays published for verification
 * (the newest {@link MAX_RETIRED_KEYS} retired keys). `inTransaction` runs in the same
 * transaction (e.g. the audit record: no record, no rotation).
 */
export async function rotateSigningKey(
  store: Store,
  inTransaction?: (tx: Repositories, key: SigningKey, retiredKids: string[]) => Promise<void>,
): Promise<SigningKey> {
  return store.transaction(async (tx) => {
    const settings = await tenantSettings(tx);
    const retired = storedKeys(settings)
      .map(({ privateJwk: _private, ...publicOnly }) => publicOnly)
      .slice(0, MAX_RETIRED_KEYS);
    const key = (await newKey(new Date())) as StoredSigningKey & { privateJwk: JWK };
    await putKeys(tx, settings, [key, ...retired]);
    const signingKey = toSigningKey(key);
    await inTransaction?.(
      tx,
      signingKey,
      retired.map((k) => k.kid),
    );
    return signingKey;
  });
}

export interface SigningKeyInfo {
  kid: string;
  alg: "ES256";
  createdDateTime: string;
  /** The key that signs new tokens; the others only verify tokens signed before a rotation. */
  current: boolean;
}

/** The tenant's signing keys, the current one first (no private material). */
export async function listSigningKeys(repos: Repositories): Promise<SigningKeyInfo[]> {
  const keys = storedKeys(await tenantSettings(repos));
  const current = currentKey(keys);
  return keys.map((k) => ({ kid: k.kid, alg: SIGNING_ALGORITHM, createdDateTime: k.createdDateTime, current: k === current }));
}

/** The public keys from already-read tenant settings (no key is generated). */
export function publicJwksOf(settings: TenantSettings): { keys: JWK[] } {
  return { keys: storedKeys(settings).map((k) => ({ ...k.publicJwk, kid: k.kid, alg: SIGNING_ALGORITHM, use: "sig" })) };
}

/** The tenant's public signing keys (JWKS), the current one first; generates the first key when there is none. */
export async function publicJwks(store: Store): Promise<{ keys: JWK[] }> {
  await ensureSigningKey(store);
  return publicJwksOf(await tenantSettings(store));
}

function positiveLifetime(seconds: number | undefined): number {
  if (seconds === undefined) return DEFAULT_TOKEN_LIFETIME_SECONDS;
  if (!Number.isInteger(seconds) || seconds < 1 || seconds > MAX_TOKEN_LIFETIME_SECONDS) {
    throw new TypeError(`lifetimeSeconds must be an integer from 1 to ${MAX_TOKEN_LIFETIME_SECONDS}, not ${seconds}`);
  }
  return seconds;
}

/**
 * Signs an access token for the Management API: issuer `gatehouse:<tenantId>`, audience the
 * Management API's appId, `sub`/`oid` the user or service principal, `idtyp` `user` or `app`.
 */
export async function issueManagementToken(store: Store, claims: ManagementTokenClaims): Promise<string> {
  const hasUser = typeof claims.userId === "string" && claims.userId !== "";
  const hasApp = typeof claims.servicePrincipalId === "string" && claims.servicePrincipalId !== "";
  if (hasUser === hasApp) throw new TypeError("issueManagementToken needs exactly one of userId and servicePrincipalId");
  const lifetime = positiveLifetime(claims.lifetimeSeconds);
  const key = await ensureSigningKey(store);
  const settings = await tenantSettings(store);
  const subject = (hasUser ? claims.userId : claims.servicePrincipalId) as string;
  const payload: Record<string, unknown> = {
    tid: settings.tenantId,
    oid: subject,
    idtyp: hasUser ? "user" : "app",
    ver: "2.0",
  };
  if (claims.appId !== undefined) {
    payload.azp = claims.appId;
    payload.appid = claims.appId;
  }
  if (!hasUser) payload.roles = [...(claims.roles ?? [])];
  if (claims.amr !== undefined) payload.amr = [...claims.amr];
  const now = Math.floor(Date.now() / 1000);
  const privateKey = await importJWK(key.privateJwk, SIGNING_ALGORITHM);
  return new SignJWT(payload)
    .setProtectedHeader({ alg: SIGNING_ALGORITHM, kid: key.kid, typ: "JWT" })
    .setIssuer(tokenIssuer(settings.tenantId))
    .setAudience(GATEHOUSE_MANAGEMENT_API_APP_ID)
    .setSubject(subject)
    .setIssuedAt(now)
    .setNotBefore(now)
    .setExpirationTime(now + lifetime)
    .setJti(randomUUID())
    .sign(privateKey);
}
