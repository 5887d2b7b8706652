/**
 * The tenant snapshot (`--tenant PATH`, {@link TenantSnapshot}) in any accepted dialect -> the
 * normalized snapshot plus issues.
 *
 * - Keys `tenantId`, `policies`, `namedLocations`, `authenticationStrengthPolicies`, `users`,
 *   `groups`, `roleAssignments`, `servicePrincipals`, in camelCase or PascalCase. A missing
 *   collection is empty; each may be an array or a Graph collection `{ "value": [...] }`.
 * - Ids are kept as given. Objects without the ids the engine needs are reported and skipped
 *   (an IP range or a group without id cannot be referenced). Duplicate ids are errors.
 * - Named locations are polymorphic (`normalizeNamedLocation`, type inferred when missing) and
 *   validated (`validateNamedLocation`).
 * - Policies go through `readPolicyDocument` and `validatePolicy` with a
 *   {@link ValidationContext} built from the snapshot's own objects. Always known: the
 *   built-in role template ids of spec §2.4, the built-in authentication strengths
 *   (`...0002/3/4`), and the special locations `All`, `AllTrusted`, MFA Trusted IPs and the
 *   compliant-network location. Users, groups, locations and service principals are checked
 *   only when the snapshot has that collection at all.
 * - Group `members` may be ids or directory objects (`{ "id": ... }`, as Graph lists them);
 *   a role assignment's `roleDefinitionId` stands for `roleTemplateId` (equal for built-in roles).
 *
 * Issue paths are JSON paths from the snapshot root (`$.policies[2].conditions...`).
 */
import {
  MFA_STRENGTH_ID,
  PASSWORDLESS_MFA_STRENGTH_ID,
  PHISHING_RESISTANT_MFA_STRENGTH_ID,
} from "../well-known/authentication-strengths.js";
import { COMPLIANT_NETWORK_LOCATION_ID, DIRECTORY_ROLE_TEMPLATES, MFA_TRUSTED_IPS_LOCATION_ID } from "../well-known/directory-roles.js";
import type { MemberReader } from "./create-member-reader.js";
import { createIssue, createMemberReader } from "./create-member-reader.js";
import { parseJsonDocument } from "./decode-json-text.js";
import { indexPath, isRecord, memberPath, normalizeKeys } from "./normalize-keys.js";
import { normalizeNamedLocation } from "./normalize-named-location.js";
import { readPolicyDocument } from "./read-policy-document.js";
import type {
  AuthenticationStrengthPolicy,
  DirectoryGroup,
  DirectoryUser,
  EmergencyAccessDeclaration,
  NamedLocation,
  ServicePrincipal,
  TenantSnapshot,
  UnifiedRoleAssignment,
  ValidationIssue,
} from "./types.js";
import { validateNamedLocation } from "./validate-named-location.js";
import type { ValidationContext } from "./validate-policy.js";

export interface NormalizeTenantResult {
  tenant: TenantSnapshot;
  issues: ValidationIssue[];
}

/** Role template ids always known to a tenant (spec §2.4). */
export const BUILT_IN_ROLE_TEMPLATE_IDS: readonly string[] = Object.keys(DIRECTORY_ROLE_TEMPLATES);

/** Authentication strength ids always known to a tenant (spec §1.13). */
export const BUILT_IN_AUTHENTICATION_STRENGTH_IDS: readonly string[] = [
  MFA_STRENGTH_ID,
  PASSWORDLESS_MFA_STRENGTH_ID,
  PHISHING_RESISTANT_MFA_STRENGTH_ID,
];

/** Location ids and keywords always known to a tenant (spec §1.8). */
export const SPECIAL_LOCATION_IDS: readonly string[] = ["All", "AllTrusted", MFA_TRUSTED_IPS_LOCATION_ID, COMPLIANT_NETWORK_LOCATION_ID];

const emptyTenant = (): TenantSnapshot => ({
  tenantId: "",
  policies: [],
  namedLocations: [],
  authenticationStrengthPolicies: [],
  users: [],
  groups: [],
  roleAssignments: [],
  servicePrincipals: [],
});

interface Collection {
  readonly present: boolean;
  readonly items: readonly { value: unknown; path: string }[];
}

function collection(tree: Readonly<Record<string, unknown>>, key: string, r: MemberReader): Collection {
  const path = memberPath("$", key);
  let value = tree[key];
  if (value === undefined) return { present: false, items: [] };
  let itemsPath = path;
  if (isRecord(value) && "value" in value) {
    value = value.value;
    itemsPath = memberPath(path, "value");
  }
  if (value === null) return { present: true, items: [] };
  if (!Array.isArray(value)) {
    r.error("wrongType", itemsPath, `${key} must be an array or a Graph collection { "value": [...] }`);
    return { present: true, items: [] };
  }
  return { present: true, items: value.map((item, index) => ({ value: item, path: indexPath(itemsPath, index) })) };
}

/** Reads `{ id, ...rest }` objects; entries without a usable `id` are reported and skipped. */
function objectsWithId(c: Collection, what: string, r: MemberReader): { o: Record<string, unknown>; id: string; path: string }[] {
  const out: { o: Record<string, unknown>; id: string; path: string }[] = [];
  const seen = new Set<string>();
  for (const { value, path } of c.items) {
    if (!isRecord(value)) {
      r.error("wrongType", path, `each ${what} must be an object`);
      continue;
    }
    const id = r.string(value.id, memberPath(path, "id"))?.trim() ?? "";
    if (id === "") {
      r.error("missingId", memberPath(path, "id"), `the ${what} has no id and is ignored`);
      continue;
    }
    if (seen.has(id.toLowerCase())) r.error("duplicateId", memberPath(path, "id"), `another ${what} already has the id ${id}`);
    seen.add(id.toLowerCase());
    out.push({ o: value, id, path });
  }
  return out;
}

function optionalString(value: unknown, path: string, r: MemberReader): string | undefined {
  const text = r.string(value, path);
  return typeof text === "string" ? text : undefined;
}

function readStrength(o: Record<string, unknown>, id: string, path: string, r: MemberReader): AuthenticationStrengthPolicy {
  const combinations = r.stringArray(o.allowedCombinations, memberPath(path, "allowedCombinations")).map((c) =>
    c
      .split(",")
      .map((m) => m.trim())
      .filter((m) => m !== "")
      .join(","),
  );
  if (combinations.length === 0) {
    r.error(
      "missingAllowedCombinations",
      memberPath(path, "allowedCombinations"),
      `the authentication strength ${id} allows no combination and can never be satisfied`,
    );
  }
  return {
    ...o,
    id,
    displayName: optionalString(o.displayName, memberPath(path, "displayName"), r) ?? "",
    policyType: optionalString(o.policyType, memberPath(path, "policyType"), r) ?? "custom",
    requirementsSatisfied: optionalString(o.requirementsSatisfied, memberPath(path, "requirementsSatisfied"), r) ?? "mfa",
    allowedCombinations: combinations,
  };
}

function readGroup(o: Record<string, unknown>, id: string, path: string, r: MemberReader): DirectoryGroup {
  const membersPath = memberPath(path, "members");
  const memberIds: string[] = [];
  if (Array.isArray(o.members)) {
    o.members.forEach((member, index) => {
      if (typeof member === "string" && member.trim() !== "") memberIds.push(member.trim());
      else if (isRecord(member) && typeof member.id === "string" && member.id.trim() !== "") memberIds.push(member.id.trim());
      else r.error("wrongType", indexPath(membersPath, index), "a group member must be an object id or an object with an id");
    });
  } else if (o.members !== undefined && o.members !== null) {
    r.error("wrongType", membersPath, "members must be an array");
  }
  return { ...o, id, members: memberIds };
}

function readRoleAssignments(c: Collection, r: MemberReader): UnifiedRoleAssignment[] {
  const out: UnifiedRoleAssignment[] = [];
  for (const { value, path } of c.items) {
    if (!isRecord(value)) {
      r.error("wrongType", path, "each role assignment must be an object");
      continue;
    }
    const roleTemplateId =
      optionalString(value.roleTemplateId, memberPath(path, "roleTemplateId"), r) ??
      optionalString(value.roleDefinitionId, memberPath(path, "roleDefinitionId"), r);
    const principalId = optionalString(value.principalId, memberPath(path, "principalId"), r);
    if (!roleTemplateId || !principalId) {
      r.error("missingId", path, "a role assignment needs roleTemplateId (or roleDefinitionId) and principalId; it is ignored");
      continue;
    }
    const assignment: UnifiedRoleAssignment = { ...value, roleTemplateId: roleTemplateId.trim(), principalId: principalId.trim() };
    const scope = optionalString(value.directoryScopeId, memberPath(path, "directoryScopeId"), r);
    if (scope !== undefined) assignment.directoryScopeId = scope;
    out.push(assignment);
  }
  return out;
}

function readServicePrincipal(o: Record<string, unknown>, id: string, path: string, r: MemberReader): ServicePrincipal | null {
  const appId = optionalString(o.appId, memberPath(path, "appId"), r)?.trim() ?? "";
  if (appId === "") {
    r.error("missingId", memberPath(path, "appId"), `the service principal ${id} has no appId and is ignored`);
    return null;
  }
  const sp: ServicePrincipal = { ...o, id, appId };
  if ("customSecurityAttributes" in o && o.customSecurityAttributes !== null && !isRecord(o.customSecurityAttributes)) {
    r.error("wrongType", memberPath(path, "customSecurityAttributes"), "customSecurityAttributes must be an object");
    delete sp.customSecurityAttributes;
  }
  return sp;
}

const lowerSet = (ids: Iterable<string>): ReadonlySet<string> => new Set([...ids].map((id) => id.toLowerCase()));

/** Normalizes a tenant snapshot (see module comment). Accepts parsed JSON, text or bytes. Never throws. */
/**
 * Our extension `emergencyAccess: { userIds, groupIds }`: the accounts declared once as exempt
 * (break-glass). Wrong shapes are errors; ids the snapshot's directory does not know are warnings.
 */
function readEmergencyAccess(
  value: unknown,
  userIds: ReadonlySet<string> | undefined,
  groupIds: ReadonlySet<string> | undefined,
  r: MemberReader,
): EmergencyAccessDeclaration | undefined {
  if (value === undefined || value === null) return undefined;
  if (!isRecord(value)) {
    r.error("wrongType", "$.emergencyAccess", 'emergencyAccess must be an object { "userIds": [...], "groupIds": [...] }');
    return undefined;
  }
  const list = (key: "userIds" | "groupIds", known: ReadonlySet<string> | undefined, kind: string): string[] => {
    const items = value[key];
    if (items === undefined || items === null) return [];
    if (!Array.isArray(items)) {
      r.error("wrongType", `$.emergencyAccess.${key}`, `emergencyAccess.${key} must be an array of ${kind} object ids`);
      return [];
    }
    const out: string[] = [];
    items.forEach((id, i) => {
      if (typeof id !== "string" || id.trim() === "") {
        r.error("wrongType", `$.emergencyAccess.${key}[${i}]`, `emergencyAccess.${key}[${i}] must be a ${kind} object id`);
        return;
      }
      if (known !== undefined && !known.has(id.toLowerCase()))
        r.warning(
          "unknownReference",
          `$.emergencyAccess.${key}[${i}]`,
          `the emergency-access ${kind} ${id} is not in the snapshot's ${kind}s`,
        );
      out.push(id);
    });
    return out;
  };
  for (const key of Object.keys(value))
    if (key !== "userIds" && key !== "groupIds")
      r.warning("unknownMember", `$.emergencyAccess.${key}`, `emergencyAccess.${key} is not known (userIds, groupIds) and is ignored`);
  return { userIds: list("userIds", userIds, "user"), groupIds: list("groupIds", groupIds, "group") };
}

export function normalizeTenant(raw: unknown): NormalizeTenantResult {
  const issues: ValidationIssue[] = [];
  const tenant = emptyTenant();
  try {
    let document = raw;
    if (typeof raw === "string" || raw instanceof Uint8Array) {
      const parsed = parseJsonDocument(raw);
      if (!parsed.ok) {
        issues.push(createIssue("invalidJson", "error", "$", parsed.message));
        return { tenant, issues };
      }
      document = parsed.value;
    }
    const tree = normalizeKeys(document);
    const r = createMemberReader(issues);
    if (!isRecord(tree)) {
      r.error("notAnObject", "$", "a tenant snapshot must be a JSON object");
      return { tenant, issues };
    }
    tenant.tenantId = optionalString(tree.tenantId, "$.tenantId", r)?.trim() ?? "";

    const locations = collection(tree, "namedLocations", r);
    const seenLocations = new Set<string>();
    for (const { value, path } of locations.items) {
      const result = normalizeNamedLocation(value, path);
      issues.push(...result.issues);
      const location: NamedLocation | null = result.location;
      if (location === null) continue;
      if (location.id === "") {
        r.error("missingId", memberPath(path, "id"), "the named location has no id and is ignored");
        continue;
      }
      if (seenLocations.has(location.id.toLowerCase()))
        r.error("duplicateId", memberPath(path, "id"), `another named location already has the id ${location.id}`);
      seenLocations.add(location.id.toLowerCase());
      issues.push(...validateNamedLocation(location, path));
      tenant.namedLocations.push(location);
    }

    const strengths = collection(tree, "authenticationStrengthPolicies", r);
    tenant.authenticationStrengthPolicies = objectsWithId(strengths, "authentication strength", r).map(({ o, id, path }) =>
      readStrength(o, id, path, r),
    );

    const users = collection(tree, "users", r);
    tenant.users = objectsWithId(users, "user", r).map(({ o, id }): DirectoryUser => ({ ...o, id }));

    const groups = collection(tree, "groups", r);
    tenant.groups = objectsWithId(groups, "group", r).map(({ o, id, path }) => readGroup(o, id, path, r));

    tenant.roleAssignments = readRoleAssignments(collection(tree, "roleAssignments", r), r);

    const servicePrincipals = collection(tree, "servicePrincipals", r);
    for (const { o, id, path } of objectsWithId(servicePrincipals, "service principal", r)) {
      const sp = readServicePrincipal(o, id, path, r);
      if (sp !== null) tenant.servicePrincipals.push(sp);
    }

    const context: ValidationContext = {
      roleTemplateIds: lowerSet([...BUILT_IN_ROLE_TEMPLATE_IDS, ...tenant.roleAssignments.map((a) => a.roleTemplateId)]),
      authenticationStrengthIds: lowerSet([
        ...BUILT_IN_AUTHENTICATION_STRENGTH_IDS,
        ...tenant.authenticationStrengthPolicies.map((s) => s.id),
      ]),
    };
    if (users.present) context.userIds = lowerSet(tenant.users.map((u) => u.id));
    if (groups.present) context.groupIds = lowerSet(tenant.groups.map((g) => g.id));
    if (locations.present) context.namedLocationIds = lowerSet([...SPECIAL_LOCATION_IDS, ...tenant.namedLocations.map((l) => l.id)]);
    if (servicePrincipals.present) context.servicePrincipalIds = lowerSet(tenant.servicePrincipals.map((s) => s.id));

    const crossTenant = tree.crossTenantAccessPolicy;
    if (isRecord(crossTenant)) tenant.crossTenantAccessPolicy = crossTenant as TenantSnapshot["crossTenantAccessPolicy"] & object;
    else if (crossTenant !== undefined && crossTenant !== null) {
      r.error("wrongType", "$.crossTenantAccessPolicy", "crossTenantAccessPolicy must be an object { default, partners }");
    }

    const emergencyAccess = readEmergencyAccess(
      tree.emergencyAccess,
      users.present ? context.userIds : undefined,
      groups.present ? context.groupIds : undefined,
      r,
    );
    if (emergencyAccess !== undefined) tenant.emergencyAccess = emergencyAccess;

    const seenPolicies = new Set<string>();
    for (const { value, path } of collection(tree, "policies", r).items) {
      const read = readPolicyDocument(value, { basePath: path, context });
      issues.push(...read.issues);
      for (const policy of read.policies) {
        if (policy.id === "") {
          r.warning("missingId", memberPath(path, "id"), `the policy "${policy.displayName}" has no id; the loader must assign one`);
        } else {
          if (seenPolicies.has(policy.id.toLowerCase()))
            r.error("duplicateId", memberPath(path, "id"), `another policy already has the id ${policy.id}`);
          seenPolicies.add(policy.id.toLowerCase());
        }
        tenant.policies.push(policy);
      }
    }
  } catch (cause) {
    issues.push(createIssue("unreadable", "error", "$", `the tenant snapshot could not be read: ${String(cause)}`));
  }
  return { tenant, issues };
}
