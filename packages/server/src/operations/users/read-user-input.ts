/** The members of a user body (POST or PATCH), with `passwordProfile.password` hashed. */
import type { UserPatch } from "@gatehouse/store";
import { hashPassword } from "../../bootstrap/hash-password.js";
import { BodyReader } from "../body-reader.js";

export const MIN_PASSWORD_LENGTH = 12;

export interface UserInput {
  patch: UserPatch;
  /** The argon2id hash of `passwordProfile.password`, when given. */
  passwordHash?: string;
}

export async function readUserInput(body: unknown, creating: boolean): Promise<UserInput> {
  const r = new BodyReader(body, "a user");
  const patch: UserPatch = {};
  const userPrincipalName = r.string("userPrincipalName", { required: creating, nonEmpty: true, maxLength: 256 });
  if (userPrincipalName !== undefined && !/^[^@\s]+@[^@\s]+$/.test(userPrincipalName)) {
    r.issues.push({ path: "$.userPrincipalName", message: "userPrincipalName must look like alias@domain." });
  }
  const displayName = r.string("displayName", { required: creating, nonEmpty: true, maxLength: 256 });
  const userType = r.string("userType");
  if (userType !== undefined && userType !== "Member" && userType !== "Guest")
    r.issues.push({ path: "$.userType", message: "userType is Member or Guest." });
  const accountEnabled = r.boolean("accountEnabled");
  const externalUserType = r.nullableString("externalUserType");
  const externalTenantId = r.nullableString("externalTenantId");
  const profile = r.object("passwordProfile");
  r.accept("mailNickname");
  let password: string | undefined;
  if (profile !== undefined) {
    for (const key of Object.keys(profile)) {
      if (key !== "password" && key !== "forceChangePasswordNextSignIn" && key !== "forceChangePasswordNextSignInWithMfa") {
        r.issues.push({ path: `$.passwordProfile.${key}`, message: `${key} is not a member of passwordProfile this server accepts.` });
      }
    }
    if (typeof profile.password !== "string" || profile.password.length < MIN_PASSWORD_LENGTH) {
      r.issues.push({
        path: "$.passwordProfile.password",
        message: `The password must be a string of at least ${MIN_PASSWORD_LENGTH} characters.`,
      });
    } else password = profile.password;
  }
  r.done();
  if (userPrincipalName !== undefined) patch.userPrincipalName = userPrincipalName;
  if (displayName !== undefined) patch.displayName = displayName;
  if (userType !== undefined) patch.userType = userType;
  if (accountEnabled !== undefined) patch.accountEnabled = accountEnabled;
  if (externalUserType !== undefined) patch.externalUserType = externalUserType;
  if (externalTenantId !== undefined) patch.externalTenantId = externalTenantId;
  return password === undefined ? { patch } : { patch, passwordHash: await hashPassword(password) };
}
