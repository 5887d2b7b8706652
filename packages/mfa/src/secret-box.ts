/**
 * Encryption at rest for TOTP secrets: AES-256-GCM with a random 96-bit IV, in a versioned text
 * format `v1.<iv>.<ciphertext+tag>` (base64url parts). The key comes from the caller;
 * {@link ensureSecretKey} keeps one in the tenant settings.
 */
import { createCipheriv, createDecipheriv, randomBytes } from "node:crypto";
import { GatehouseError, type Repositories, type Store, type TenantSettings } from "@gatehouse/store";

const VERSION = "v1";
const KEY_BYTES = 32;
const IV_BYTES = 12;
const TAG_BYTES = 16;
/** Where {@link ensureSecretKey} keeps the key in the tenant settings' free `settings` JSON. */
export const SECRET_KEY_SETTING = "mfaSecretKey";

function checkKey(key: Uint8Array): void {
  if (!(key instanceof Uint8Array) || key.length !== KEY_BYTES) throw new TypeError(`the secret key must be ${KEY_BYTES} bytes`);
}

export function encryptSecret(plaintext: string, key: Uint8Array): string {
  checkKey(key);
  const iv = randomBytes(IV_BYTES);
  const cipher = createCipheriv("aes-256-gcm", key, iv);
  const body = Buffer.concat([cipher.update(plaintext, "utf8"), cipher.final(), cipher.getAuthTag()]);
  return `${VERSION}.${iv.toString("base64url")}.${body.toString("base64url")}`;
}

/** Throws a TypeError for text in an unknown format, and an Error when the key is wrong or the text was altered. */
export function decryptSecret(text: string, key: Uint8Array): string {
  checkKey(key);
  const [version, ivText, bodyText, ...rest] = text.split(".");
  if (version !== VERSION || ivText === undefined || bodyText === undefined || rest.length > 0) {
    throw new TypeError("not an encrypted secret in a known format");
  }
  const iv = Buffer.from(ivText, "base64url");
  const body = Buffer.from(bodyText, "base64url");
  if (iv.length !== IV_BYTES || body.length < TAG_BYTES) throw new TypeError("not an encrypted secret in a known format");
  const decipher = createDecipheriv("aes-256-gcm", key, iv);
  decipher.setAuthTag(body.subarray(body.length - TAG_BYTES));
  return Buffer.concat([decipher.update(body.subarray(0, body.length - TAG_BYTES)), decipher.final()]).toString("utf8");
}

function storedKey(settings: TenantSettings): Uint8Array | null {
  const raw = settings.settings[SECRET_KEY_SETTING];
  if (typeof raw !== "string") return null;
  const key = Buffer.from(raw, "base64");
  return key.length === KEY_BYTES ? new Uint8Array(key) : null;
}

async function tenantSettings(repos: Repositories): Promise<TenantSettings> {
  const settings = await repos.tenant.get();
  if (settings === null)
    throw new GatehouseError("notFound", "the tenant is not set up: there are no tenant settings (run gatehouse init)");
  return settings;
}

/**
 * The tenant's key for TOTP secrets: a random 32-byte key stored (base64) under `mfaSecretKey`
 * in the tenant settings on first use, other settings kept. `notFound` when the tenant is not
 * set up.
 */
export async function ensureSecretKey(store: Store): Promise<Uint8Array> {
  const existing = storedKey(await tenantSettings(store));
  if (existing) return existing;
  return store.transaction(async (tx) => {
    const settings = await tenantSettings(tx);
    const found = storedKey(settings);
    if (found) return found;
    const key = new Uint8Array(randomBytes(KEY_BYTES));
    await tx.tenant.put({
      tenantId: settings.tenantId,
      displayName: settings.displayName,
      emergencyAccessUserIds: settings.emergencyAccessUserIds,
      emergencyAccessGroupIds: settings.emergencyAccessGroupIds,
      namingStandardPattern: settings.namingStandardPattern,
      settings: { ...settings.settings, [SECRET_KEY_SETTING]: Buffer.from(key).toString("base64") },
    });
    return key;
  });
}
