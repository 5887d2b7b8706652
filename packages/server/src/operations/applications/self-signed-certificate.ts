/**
 * A minimal self-signed X.509 v3 certificate (DER) for an EC P-256 or RSA key, made with
 * node:crypto alone: what a service principal registers as a `keyCredential` when it has no
 * PKI (Entra accepts self-signed certificates), and what the tests sign client assertions
 * with. Subject = issuer = `CN=<commonName>`; no extensions.
 */
import { createPublicKey, type KeyObject, randomBytes, sign } from "node:crypto";

const tag = (t: number, content: Buffer): Buffer => {
  const length = content.length;
  let header: Buffer;
  if (length < 0x80) header = Buffer.from([t, length]);
  else if (length < 0x100) header = Buffer.from([t, 0x81, length]);
  else header = Buffer.from([t, 0x82, length >> 8, length & 0xff]);
  return Buffer.concat([header, content]);
};
const sequence = (...items: Buffer[]): Buffer => tag(0x30, Buffer.concat(items));
const set = (...items: Buffer[]): Buffer => tag(0x31, Buffer.concat(items));
const nullValue = Buffer.from([0x05, 0x00]);

function oid(text: string): Buffer {
  const parts = text.split(".").map(Number);
  const bytes = [40 * (parts[0] as number) + (parts[1] as number)];
  for (const part of parts.slice(2)) {
    const chunk = [part & 0x7f];
    for (let v = part >> 7; v > 0; v >>= 7) chunk.unshift((v & 0x7f) | 0x80);
    bytes.push(...chunk);
  }
  return tag(0x06, Buffer.from(bytes));
}

function integer(value: Buffer): Buffer {
  const trimmed = value[0] === 0 && value.length > 1 ? value.subarray(1) : value;
  return tag(0x02, (trimmed[0] as number) & 0x80 ? Buffer.concat([Buffer.from([0]), trimmed]) : trimmed);
}

function time(date: Date): Buffer {
  const iso = date.toISOString().replace(/[-:T]/g, "").slice(0, 14);
  // UTCTime until 2049, GeneralizedTime after (RFC 5280 §4.1.2.5).
  return date.getUTCFullYear() < 2050 ? tag(0x17, Buffer.from(`${iso.slice(2)}Z`)) : tag(0x18, Buffer.from(`${iso}Z`));
}

const name = (commonName: string): Buffer => sequence(set(sequence(oid("2.5.4.3"), tag(0x0c, Buffer.from(commonName, "utf8")))));

export interface SelfSignedCertificateOptions {
  privateKey: KeyObject;
  commonName: string;
  notBefore: Date;
  notAfter: Date;
}

/** The certificate's DER bytes (`Buffer.toString("base64")` is Graph's `key`). */
export function createSelfSignedCertificate(options: SelfSignedCertificateOptions): Buffer {
  const { privateKey } = options;
  const type = privateKey.asymmetricKeyType;
  if (type !== "ec" && type !== "rsa") throw new TypeError("createSelfSignedCertificate needs an EC or RSA private key");
  const algorithm = type === "ec" ? sequence(oid("1.2.840.10045.4.3.2")) : sequence(oid("1.2.840.113549.1.1.11"), nullValue);
  const spki = createPublicKey(privateKey).export({ type: "spki", format: "der" });
  const tbs = sequence(
    tag(0xa0, integer(Buffer.from([2]))),
    integer(Buffer.concat([Buffer.from([0x01]), randomBytes(15)])),
    algorithm,
    name(options.commonName),
    sequence(time(options.notBefore), time(options.notAfter)),
    name(options.commonName),
    spki,
  );
  const signature = sign("sha256", tbs, privateKey);
  return sequence(tbs, algorithm, tag(0x03, Buffer.concat([Buffer.from([0]), signature])));
}
