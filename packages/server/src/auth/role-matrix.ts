/**
 * Who may do what (spec §4.1): per permission, the directory roles and the application
 * permissions that grant it. Anything not granted here is denied (fail closed).
 */
import { DIRECTORY_ROLE_TEMPLATES } from "@gatehouse/engine";
import type { Caller } from "./caller.js";
import { DIRECTORY_ROLE_IDS as R } from "./directory-role-ids.js";

export type Permission =
  | "conditionalAccess.read"
  | "conditionalAccess.write"
  | "conditionalAccess.evaluate"
  | "emergencyAccess.write"
  | "users.read"
  | "users.write"
  | "groups.read"
  | "groups.write"
  | "applications.read"
  | "applications.write"
  | "roleAssignments.read"
  | "roleAssignments.write"
  | "auditLogs.read"
  | "signInLogs.read"
  | "authenticationMethods.self";

export interface Grant {
  /** Plain words for messages, e.g. "read Conditional Access configuration". */
  action: string;
  roles: readonly string[];
  appPermissions: readonly string[];
  /** Granted to every signed-in user for themselves (never to an application): "My security info". */
  signedInUser?: boolean;
}

const CA_WRITERS = [R.globalAdministrator, R.securityAdministrator, R.conditionalAccessAdministrator];
const CA_READERS = [...CA_WRITERS, R.securityReader, R.globalReader];

export const ROLE_MATRIX: Readonly<Record<Permission, Grant>> = {
  "conditionalAccess.read": {
    action: "read Conditional Access configuration",
    roles: CA_READERS,
    appPermissions: ["Policy.Read.All", "Policy.ReadWrite.ConditionalAccess"],
  },
  "conditionalAccess.write": {
    action: "change Conditional Access configuration",
    roles: CA_WRITERS,
    appPermissions: ["Policy.ReadWrite.ConditionalAccess"],
  },
  "conditionalAccess.evaluate": {
    action: "evaluate sign-ins against Conditional Access (What If)",
    roles: CA_READERS,
    appPermissions: ["Policy.Read.All", "Policy.Read.ConditionalAccess", "Policy.ReadWrite.ConditionalAccess"],
  },
  "emergencyAccess.write": {
    action: "change the emergency-access (break-glass) accounts",
    roles: [R.globalAdministrator],
    appPermissions: [],
  },
  "users.read": {
    action: "read users",
    roles: [R.globalAdministrator, R.globalReader, R.userAdministrator],
    appPermissions: ["Directory.Read.All", "Directory.ReadWrite.All", "User.Read.All", "User.ReadWrite.All"],
  },
  "users.write": {
    action: "change users",
    roles: [R.globalAdministrator, R.userAdministrator],
    appPermissions: ["Directory.ReadWrite.All", "User.ReadWrite.All"],
  },
  "groups.read": {
    action: "read groups",
    roles: [R.globalAdministrator, R.globalReader, R.userAdministrator],
    appPermissions: ["Directory.Read.All", "Directory.ReadWrite.All", "Group.Read.All", "Group.ReadWrite.All"],
  },
  "groups.write": {
    action: "change groups and their members",
    roles: [R.globalAdministrator, R.userAdministrator],
    appPermissions: ["Directory.ReadWrite.All", "Group.ReadWrite.All"],
  },
  "applications.read": {
    action: "read applications and service principals",
    roles: [R.globalAdministrator, R.globalReader, R.applicationAdministrator, R.cloudApplicationAdministrator],
    appPermissions: ["Directory.Read.All", "Directory.ReadWrite.All", "Application.Read.All", "Application.ReadWrite.All"],
  },
  "applications.write": {
    action: "change applications and service principals",
    roles: [R.globalAdministrator, R.applicationAdministrator, R.cloudApplicationAdministrator],
    appPermissions: ["Directory.ReadWrite.All", "Application.ReadWrite.All"],
  },
  "roleAssignments.read": {
    action: "read directory role assignments",
    roles: [R.globalAdministrator, R.globalReader, R.privilegedRoleAdministrator],
    appPermissions: [
      "Directory.Read.All",
      "Directory.ReadWrite.All",
      "RoleManagement.Read.Directory",
      "RoleManagement.ReadWrite.Directory",
    ],
  },
  "roleAssignments.write": {
    action: "assign and remove directory roles",
    roles: [R.globalAdministrator, R.privilegedRoleAdministrator],
    appPermissions: ["Directory.ReadWrite.All", "RoleManagement.ReadWrite.Directory"],
  },
  "auditLogs.read": {
    action: "read the audit log",
    roles: [R.globalAdministrator, R.securityAdministrator, R.securityReader, R.globalReader, R.reportsReader],
    appPermissions: ["AuditLog.Read.All"],
  },
  "signInLogs.read": {
    action: "read the sign-in logs",
    roles: [R.globalAdministrator, R.securityAdministrator, R.securityReader, R.globalReader, R.reportsReader],
    appPermissions: ["AuditLog.Read.All"],
  },
  "authenticationMethods.self": {
    action: "manage your own security info (authentication methods)",
    roles: [],
    appPermissions: [],
    signedInUser: true,
  },
};

const roleName = (id: string): string => DIRECTORY_ROLE_TEMPLATES[id] ?? id;

const list = (items: readonly string[]): string =>
  items.length <= 1 ? (items[0] ?? "") : `${items.slice(0, -1).join(", ")} or ${items[items.length - 1]}`;

/** Whether the caller holds a role or (for an application) a permission that grants `permission`. */
export function isAllowed(caller: Caller, permission: Permission): boolean {
  const grant = ROLE_MATRIX[permission];
  if (grant.signedInUser === true) return caller.kind === "user";
  if (grant.roles.some((r) => caller.roleTemplateIds.has(r))) return true;
  return caller.kind === "servicePrincipal" && grant.appPermissions.some((p) => caller.appPermissions.has(p));
}

/** The 403 message: what the operation needs and what the caller has. */
export function deniedMessage(caller: Caller, permission: Permission): string {
  const grant = ROLE_MATRIX[permission];
  if (grant.signedInUser === true)
    return `Insufficient privileges to ${grant.action}: it needs a signed-in user's token (delegated); an application's own token cannot.`;
  const roles = list(grant.roles.map(roleName));
  if (caller.kind === "user") {
    const held = [...caller.roleTemplateIds].map(roleName);
    return `Insufficient privileges to ${grant.action}: it needs one of the directory roles ${roles}; you have ${held.length === 0 ? "no directory role" : held.join(", ")}.`;
  }
  const held = [...caller.appPermissions];
  return `Insufficient privileges to ${grant.action}: the application needs one of the permissions ${list(grant.appPermissions)} (or a directory role: ${roles}); it has ${held.length === 0 ? "no permission" : held.join(", ")}.`;
}
