import type { AuditInitiator } from "@gatehouse/store";

/** A signed-in administrator. */
export interface UserCaller {
  kind: "user";
  id: string;
  userPrincipalName: string;
  displayName: string;
  /** Directory role template ids assigned tenant-wide, directly or through groups (lowercase). */
  roleTemplateIds: ReadonlySet<string>;
  /** The token's `amr`. */
  authenticationMethods: readonly string[];
  /** When the presented token expires (ms since the epoch). */
  tokenExpiresAt?: number;
}

/** An application calling with its own identity (client credentials). */
export interface ServicePrincipalCaller {
  kind: "servicePrincipal";
  id: string;
  appId: string;
  displayName: string;
  /** Directory roles assigned to the service principal itself (lowercase template ids). */
  roleTemplateIds: ReadonlySet<string>;
  /** Application permissions from the token's `roles`, e.g. `Policy.Read.All`. */
  appPermissions: ReadonlySet<string>;
  /** When the presented token expires (ms since the epoch). */
  tokenExpiresAt?: number;
}

export type Caller = UserCaller | ServicePrincipalCaller;

/** Graph's `initiatedBy` of an audit record. */
export function auditInitiator(caller: Caller): AuditInitiator {
  return caller.kind === "user"
    ? { user: { id: caller.id, displayName: caller.displayName, userPrincipalName: caller.userPrincipalName } }
    : {
        app: {
          appId: caller.appId,
          displayName: caller.displayName,
          servicePrincipalId: caller.id,
          servicePrincipalName: caller.displayName,
        },
      };
}
