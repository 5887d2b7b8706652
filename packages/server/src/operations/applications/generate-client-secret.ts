import { randomBytes } from "node:crypto";

/** A client secret as Entra shows it: 40 URL-safe characters (240 random bits). */
export function generateClientSecret(): string {
  return randomBytes(30).toString("base64url");
}
