import type { DirectoryGroup, DirectoryUser, ServicePrincipal, TenantSnapshot, UnifiedRoleAssignment } from "@gatehouse/engine";
import { toAuthenticationStrength } from "./create-authentication-strength-repository.js";
import { toNamedLocation } from "./create-named-location-repository.js";
import { toPolicy } from "./create-policy-repository.js";
import { fromFlag, fromJson } from "./json-column.js";
import type { RepositoryContext } from "./repository-context.js";

/**
 * The engine's {@link TenantSnapshot}, read in one transaction (repeatable read on PostgreSQL;
 * SQLite transactions are serializable) so that it is consistent. No secrets: password and
 * client-secret hashes are not part of it.
 */
export async function loadTenantSnapshot(ctx: RepositoryContext): Promise<TenantSnapshot> {
  if (!ctx.db.isTransaction) {
    return ctx.db
      .transaction()
      .setIsolationLevel("repeatable read")
      .execute((trx) => loadTenantSnapshot({ ...ctx, db: trx }));
  }
  const { db } = ctx;
  const tenant = await db.selectFrom("tenant_settings").select("tenant_id").where("singleton", "=", 1).executeTakeFirst();
  const policies = await db.selectFrom("policies").selectAll().orderBy("created_date_time").orderBy("id").execute();
  const locations = await db.selectFrom("named_locations").selectAll().orderBy("id").execute();
  const strengths = await db.selectFrom("authentication_strengths").selectAll().orderBy("id").execute();
  const users = await db
    .selectFrom("users")
    .select(["id", "user_principal_name", "display_name", "user_type", "account_enabled", "external_user_type", "external_tenant_id"])
    .orderBy("id")
    .execute();
  const groups = await db.selectFrom("groups").selectAll().orderBy("id").execute();
  const members = await db.selectFrom("group_members").select(["group_id", "member_id"]).orderBy("group_id").orderBy("member_id").execute();
  const roleAssignments = await db.selectFrom("role_assignments").selectAll().orderBy("id").execute();
  const servicePrincipals = await db.selectFrom("service_principals").selectAll().orderBy("id").execute();

  const membersByGroup = new Map<string, string[]>();
  for (const { group_id, member_id } of members) {
    const list = membersByGroup.get(group_id);
    if (list) list.push(member_id);
    else membersByGroup.set(group_id, [member_id]);
  }

  return {
    tenantId: tenant?.tenant_id ?? "",
    policies: policies.map(toPolicy),
    namedLocations: locations.map(toNamedLocation),
    authenticationStrengthPolicies: strengths.map(toAuthenticationStrength),
    users: users.map((u): DirectoryUser => {
      const user: DirectoryUser = {
        id: u.id,
        userPrincipalName: u.user_principal_name,
        displayName: u.display_name,
        userType: u.user_type,
        accountEnabled: fromFlag(u.account_enabled),
      };
      if (u.external_user_type !== null) user.externalUserType = u.external_user_type;
      if (u.external_tenant_id !== null) user.externalTenantId = u.external_tenant_id;
      return user;
    }),
    groups: groups.map(
      (g): DirectoryGroup => ({
        id: g.id,
        displayName: g.display_name,
        description: g.description,
        isAssignableToRole: fromFlag(g.is_assignable_to_role),
        members: membersByGroup.get(g.id) ?? [],
      }),
    ),
    roleAssignments: roleAssignments.map(
      (r): UnifiedRoleAssignment => ({
        id: r.id,
        roleTemplateId: r.role_template_id,
        principalId: r.principal_id,
        directoryScopeId: r.directory_scope_id,
      }),
    ),
    servicePrincipals: servicePrincipals.map((s): ServicePrincipal => {
      const sp: ServicePrincipal = {
        id: s.id,
        appId: s.app_id,
        displayName: s.display_name,
        servicePrincipalType: s.service_principal_type,
        accountEnabled: fromFlag(s.account_enabled),
        customSecurityAttributes: fromJson<Record<string, string | string[]>>(s.custom_security_attributes, {}),
      };
      if (s.app_owner_organization_id !== null) sp.appOwnerOrganizationId = s.app_owner_organization_id;
      return sp;
    }),
  };
}
