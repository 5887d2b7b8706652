import { hash, verify } from "@node-rs/argon2";

/**
 * argon2id with OWASP's recommended minimum (19 MiB, 2 passes, 1 lane). The PHC string
 * (`$argon2id$v=19$m=19456,t=2,p=1$...`) carries its parameters, so they can be raised later.
 */
const OPTIONS = { memoryCost: 19_456, timeCost: 2, parallelism: 1 } as const;

/** The argon2id hash of a password, as the store keeps it (never the password). */
export async function hashPassword(password: string): Promise<string> {
  if (typeof password !== "string" || password.length === 0) throw new TypeError("hashPassword: the password must be a non-empty string");
  const phc = await hash(password, OPTIONS);
  // @node-rs/argon2 defaults to argon2id; refuse anything else rather than store a weaker hash.
  if (!phc.startsWith("$argon2id$")) throw new Error("hashPassword: the argon2 binding did not produce an argon2id hash");
  return phc;
}

/** True when `password` matches the stored argon2 hash. */
export function verifyPassword(passwordHash: string, password: string): Promise<boolean> {
  return verify(passwordHash, password);
}
