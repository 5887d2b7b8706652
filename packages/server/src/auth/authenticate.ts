/**
 * Bearer-token authentication: the token is verified against the tenant's public signing keys
 * (issuer, audience, lifetime, algorithm), then the caller is resolved from the store so that a
 * deleted or disabled account, or a removed role, takes effect at once.
 */
import { GATEHOUSE_MANAGEMENT_API_APP_ID } from "@gatehouse/admin";
import type { Repositories, RoleAssignmentRecord } from "@gatehouse/store";
import { createLocalJWKSet, type JWTPayload, errors as joseErrors, jwtVerify } from "jose";
import { AuthenticationError } from "../errors/authentication-error.js";
import { MANAGEMENT_API_AUDIENCE_URI, publicJwksOf, SIGNING_ALGORITHM, tokenIssuer } from "../signing-keys.js";
import type { Caller } from "./caller.js";

const CLOCK_TOLERANCE_SECONDS = 5;

function bearerToken(authorization: string | undefined): string {
  if (authorization === undefined || authorization.trim() === "") {
    throw new AuthenticationError("Access token is empty: send an Authorization: Bearer header.");
  }
  const match = /^Bearer\s+([A-Za-z0-9\-_.]+)\s*$/i.exec(authorization);
  if (!match?.[1]) throw new AuthenticationError("The Authorization header is not a Bearer token.");
  return match[1];
}

function reason(error: unknown): string {
  if (error instanceof joseErrors.JWTExpired) return "Lifetime validation failed, the token is expired.";
  if (error instanceof joseErrors.JWSSignatureVerificationFailed) return "Signature verification failed.";
  if (error instanceof joseErrors.JWKSNoMatchingKey) return "The token was not signed by a key of this tenant.";
  if (error instanceof joseErrors.JWTClaimValidationFailed) return `The token's ${error.claim} claim is not valid: ${error.message}.`;
  if (error instanceof joseErrors.JOSEError) return `The access token is invalid: ${error.message}.`;
  throw error;
}

const stringClaim = (payload: JWTPayload, name: string): string | undefined => {
  const value = payload[name];
  return typeof value === "string" && value !== "" ? value : undefined;
};

async function allAssignments(repos: Repositories, principalId: string): Promise<RoleAssignmentRecord[]> {
  const out: RoleAssignmentRecord[] = [];
  let skip: number | null = 0;
  while (skip !== null) {
    const page = await repos.roleAssignments.list({ top: 999, skip, filter: { principalId } });
    out.push(...page.value);
    skip = page.nextSkip;
  }
  return out;
}

/** Tenant-wide role template ids of a principal, directly or through (nested) groups. */
export async function resolveRoleTemplateIds(repos: Repositories, principalId: string): Promise<Set<string>> {
  const principals = [principalId];
  const seen = new Set<string>([principalId.toLowerCase()]);
  for (let i = 0; i < principals.length; i++) {
    for (const groupId of await repos.groups.listMemberOf(principals[i] as string)) {
      if (seen.has(groupId.toLowerCase())) continue;
      seen.add(groupId.toLowerCase());
      principals.push(groupId);
    }
  }
  const roles = new Set<string>();
  for (const principal of principals) {
    for (const assignment of await allAssignments(repos, principal)) {
      if (assignment.directoryScopeId === "/") roles.add(assignment.roleTemplateId.toLowerCase());
    }
  }
  return roles;
}

/**
 * Verifies the bearer token and resolves the caller; `AuthenticationError` when it cannot.
 * `otherIssuers`: issuers accepted besides `gatehouse:<tenantId>` (the sign-in service's OpenID
 * Connect issuer), with the same keys, audience and claims. A token of such an issuer must be
 * an access token (`typ: at+jwt`, RFC 9068): an ID token or any other JWT the sign-in service
 * signs with the same keys is never a Management API credential, whatever its audience.
 */
export async function authenticate(
  repos: Repositories,
  authorization: string | undefined,
  now: Date,
  otherIssuers: readonly string[] = [],
): Promise<Caller> {
  const token = bearerToken(authorization);
  const settings = await repos.tenant.get();
  if (settings === null) throw new AuthenticationError("The tenant is not set up: no token can be valid.");
  const jwks = publicJwksOf(settings);
  if (jwks.keys.length === 0) throw new AuthenticationError("The tenant has no signing key yet: no token can be valid.");
  let payload: JWTPayload;
  let typ: string | undefined;
  try {
    ({
      payload,
      protectedHeader: { typ },
    } = await jwtVerify(token, createLocalJWKSet(jwks), {
      issuer: [tokenIssuer(settings.tenantId), ...otherIssuers],
      audience: [GATEHOUSE_MANAGEMENT_API_APP_ID, MANAGEMENT_API_AUDIENCE_URI],
      algorithms: [SIGNING_ALGORITHM],
      currentDate: now,
      clockTolerance: CLOCK_TOLERANCE_SECONDS,
      requiredClaims: ["exp", "iat", "sub"],
    }));
  } catch (error) {
    throw new AuthenticationError(reason(error));
  }
  if (payload.iss !== tokenIssuer(settings.tenantId) && typ?.toLowerCase() !== "at+jwt") {
    throw new AuthenticationError("The token is not an access token (typ at+jwt) of the sign-in service.");
  }
  if (stringClaim(payload, "tid")?.toLowerCase() !== settings.tenantId.toLowerCase()) {
    throw new AuthenticationError("The token was issued for another tenant.");
  }
  const objectId = stringClaim(payload, "oid") ?? stringClaim(payload, "sub");
  if (objectId === undefined) throw new AuthenticationError("The token names no caller (oid).");

  if (payload.idtyp === "app") {
    const sp = await repos.servicePrincipals.get(objectId);
    if (sp === null || !sp.accountEnabled) {
      throw new AuthenticationError("The service principal of this token does not exist or is disabled.");
    }
    const appId = stringClaim(payload, "azp") ?? stringClaim(payload, "appid");
    if (appId !== undefined && appId.toLowerCase() !== sp.appId.toLowerCase()) {
      throw new AuthenticationError("The token's application does not match its service principal.");
    }
    const roles = Array.isArray(payload.roles) ? payload.roles.filter((r): r is string => typeof r === "string") : [];
    return {
      kind: "servicePrincipal",
      id: sp.id,
      appId: sp.appId,
      displayName: sp.displayName,
      roleTemplateIds: await resolveRoleTemplateIds(repos, sp.id),
      appPermissions: new Set(roles),
      ...expiry(payload),
    };
  }
  const user = await repos.users.get(objectId);
  if (user === null || !user.accountEnabled) throw new AuthenticationError("The user of this token does not exist or is disabled.");
  const amr = Array.isArray(payload.amr) ? payload.amr.filter((m): m is string => typeof m === "string") : [];
  return {
    kind: "user",
    id: user.id,
    userPrincipalName: user.userPrincipalName,
    displayName: user.displayName,
    roleTemplateIds: await resolveRoleTemplateIds(repos, user.id),
    authenticationMethods: amr,
    ...expiry(payload),
  };
}

const expiry = (payload: JWTPayload): { tokenExpiresAt?: number } =>
  typeof payload.exp === "number" ? { tokenExpiresAt: payload.exp * 1000 } : {};
