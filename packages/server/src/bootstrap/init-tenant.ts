/**
 * `initTenant`: sets up a new Gatehouse tenant in an empty store (issue 3, "Start").
 *
 * In one transaction: the tenant settings, the first Global Administrator, two
 * emergency-access (break-glass) accounts in an "Emergency access" group that the settings
 * name as the emergency-access group, the built-in "Gatehouse Management API" resource and its
 * two clients (Portal, CLI) with their service principals, and the policy "Require
 * multifactor authentication for Gatehouse management" from its template, in report-only,
 * excluding the new administrator and the emergency-access group. Every write has an audit
 * record under one correlation id. Then the tenant's signing key is created.
 *
 * Passwords are hashed with argon2id before the transaction; the break-glass passwords are
 * random, returned once in the result and never stored in clear.
 */
import { randomUUID } from "node:crypto";
import {
  CONDITIONAL_ACCESS_TEMPLATES,
  createPolicyFromTemplate,
  findTemplate,
  GATEHOUSE_MANAGEMENT_MFA_TEMPLATE_ID,
} from "@gatehouse/admin";
import { GatehouseError, type Repositories, type Store } from "@gatehouse/store";
import { ensureSigningKey } from "../signing-keys.js";
import { addGroupMemberAudited, appendOperatorAudit, assignRoleAudited, operatorInitiator } from "./bootstrap-audit.js";
import { generatePassword } from "./generate-password.js";
import { hashPassword } from "./hash-password.js";
import { type DemoSeedResult, seedDemoTenantInto } from "./seed-demo-tenant.js";
import { BUILT_IN_APPLICATIONS } from "./well-known-applications.js";

/** Global Administrator's role template id. */
export const GLOBAL_ADMINISTRATOR_ROLE_TEMPLATE_ID = "62e90394-69f5-4237-9190-012177145e10";

export const EMERGENCY_ACCESS_GROUP_NAME = "Emergency access";

/** Shortest admin password accepted (Entra's minimum). */
export const MIN_ADMIN_PASSWORD_LENGTH = 8;

export interface InitTenantOptions {
  /** The first Global Administrator's userPrincipalName; its domain names the tenant. */
  adminUpn: string;
  /** The administrator's password (hashed with argon2id; never stored in clear). */
  adminPassword: string;
  /** Also seed the demo tenant (users, groups, locations, a dozen policies). */
  demo?: boolean;
  /** Stamps the audit records and the template policy's createdDateTime. */
  now: Date;
  /** Default: the administrator's domain. */
  displayName?: string;
}

export interface CreatedApplication {
  displayName: string;
  appId: string;
  applicationId: string;
  servicePrincipalId: string;
}

export interface EmergencyAccessAccountCreated {
  id: string;
  userPrincipalName: string;
  /** Shown once by `gatehouse init`; only its argon2id hash is stored. */
  password: string;
}

export interface InitResult {
  tenantId: string;
  displayName: string;
  domain: string;
  correlationId: string;
  admin: { id: string; userPrincipalName: string; displayName: string };
  emergencyAccess: { groupId: string; groupDisplayName: string; accounts: EmergencyAccessAccountCreated[] };
  applications: { managementApi: CreatedApplication; portal: CreatedApplication; cli: CreatedApplication };
  managementMfaPolicy: { id: string; displayName: string; state: string };
  demo: DemoSeedResult | null;
}

const UPN = /^[^@\s"(),:;<>[\\\]]+@([A-Za-z0-9](?:[A-Za-z0-9-]{0,61}[A-Za-z0-9])?(?:\.[A-Za-z0-9](?:[A-Za-z0-9-]{0,61}[A-Za-z0-9])?)+)$/;

/** The domain of a userPrincipalName, lower-cased; `invalidInput` when it is not `name@domain.tld`. */
export function upnDomain(upn: string): string {
  const match = UPN.exec(upn.trim());
  if (!match) throw new GatehouseError("invalidInput", `"${upn}" is not a userPrincipalName such as admin@contoso.com`);
  return (match[1] as string).toLowerCase();
}

/** "ada.lovelace@contoso.com" -> "Ada Lovelace". */
function displayNameFromUpn(upn: string): string {
  const local = upn.split("@")[0] ?? upn;
  const words = local.split(/[._-]+/).filter((w) => w.length > 0);
  return words.length === 0 ? local : words.map((w) => w.charAt(0).toUpperCase() + w.slice(1)).join(" ");
}

/** Sets up the tenant; `conflict` when the store already holds one, `invalidInput` for a bad UPN or password. */
export async function initTenant(store: Store, options: InitTenantOptions): Promise<InitResult> {
  const { adminPassword, now } = options;
  if (!(now instanceof Date) || Number.isNaN(now.getTime())) throw new TypeError("initTenant: now must be a valid Date");
  const adminUpn = options.adminUpn.trim();
  const domain = upnDomain(adminUpn);
  if (typeof adminPassword !== "string" || adminPassword.length === 0) {
    throw new GatehouseError("invalidInput", "the administrator's password is required; there is no default password");
  }
  if (adminPassword.length < MIN_ADMIN_PASSWORD_LENGTH) {
    throw new GatehouseError("invalidInput", `the administrator's password must have at least ${MIN_ADMIN_PASSWORD_LENGTH} characters`);
  }
  const existing = await store.tenant.get();
  if (existing !== null) throw alreadyInitialised(existing.tenantId);

  const breakGlass = [1, 2].map((n) => ({ userPrincipalName: `breakglass${n}@${domain}`, password: generatePassword(24) }));
  const [adminHash, ...breakGlassHashes] = await Promise.all([adminPassword, ...breakGlass.map((b) => b.password)].map(hashPassword));

  const template = findTemplate(CONDITIONAL_ACCESS_TEMPLATES, GATEHOUSE_MANAGEMENT_MFA_TEMPLATE_ID);
  if (template === null) throw new Error(`initTenant: the template ${GATEHOUSE_MANAGEMENT_MFA_TEMPLATE_ID} is missing from the catalog`);

  const tenantId = randomUUID();
  const displayName = options.displayName?.trim() || domain;
  const correlationId = randomUUID();
  const initiatedBy = operatorInitiator("init");
  const audit = { initiatedBy, correlationId, now };

  const result = await store.transaction(async (tx: Repositories): Promise<InitResult> => {
    // Checked again inside the transaction: two `gatehouse init` racing must not both succeed.
    const again = await tx.tenant.get();
    if (again !== null) throw alreadyInitialised(again.tenantId);

    const admin = await tx.users.create({
      userPrincipalName: adminUpn,
      displayName: displayNameFromUpn(adminUpn),
      passwordHash: adminHash ?? null,
    });
    await appendOperatorAudit(
      tx,
      {
        category: "UserManagement",
        activityDisplayName: "Add user",
        operationType: "Add",
        target: { id: admin.id, displayName: admin.displayName, type: "User", userPrincipalName: admin.userPrincipalName },
      },
      audit,
    );
    await assignGlobalAdministrator(tx, admin.id, admin.displayName, audit);

    const group = await tx.groups.create({
      displayName: EMERGENCY_ACCESS_GROUP_NAME,
      description: "Emergency-access (break-glass) accounts: excluded from every Conditional Access policy.",
      isAssignableToRole: true,
    });
    await appendOperatorAudit(
      tx,
      {
        category: "GroupManagement",
        activityDisplayName: "Add group",
        operationType: "Add",
        target: { id: group.id, displayName: group.displayName, type: "Group" },
      },
      audit,
    );

    const accounts: EmergencyAccessAccountCreated[] = [];
    for (const [index, account] of breakGlass.entries()) {
      const user = await tx.users.create({
        userPrincipalName: account.userPrincipalName,
        displayName: `Emergency access ${index + 1}`,
        passwordHash: breakGlassHashes[index] ?? null,
      });
      await appendOperatorAudit(
        tx,
        {
          category: "UserManagement",
          activityDisplayName: "Add user",
          operationType: "Add",
          target: { id: user.id, displayName: user.displayName, type: "User", userPrincipalName: user.userPrincipalName },
        },
        audit,
      );
      await addGroupMemberAudited(tx, group, user.id, audit);
      // Microsoft's guidance: emergency-access accounts hold Global Administrator permanently.
      await assignGlobalAdministrator(tx, user.id, user.displayName, audit);
      accounts.push({ id: user.id, userPrincipalName: user.userPrincipalName, password: account.password });
    }

    await tx.tenant.put({
      tenantId,
      displayName,
      emergencyAccessUserIds: accounts.map((a) => a.id),
      emergencyAccessGroupIds: [group.id],
      namingStandardPattern: null,
      settings: { domain, initializedDateTime: now.toISOString() },
    });
    await appendOperatorAudit(
      tx,
      {
        category: "DirectoryManagement",
        activityDisplayName: "Initialize tenant",
        operationType: "Add",
        target: {
          id: tenantId,
          displayName,
          type: "Tenant",
          modifiedProperties: [{ displayName: "EmergencyAccessGroupIds", oldValue: null, newValue: JSON.stringify([group.id]) }],
        },
      },
      audit,
    );

    const created: CreatedApplication[] = [];
    for (const app of BUILT_IN_APPLICATIONS) {
      const application = await tx.applications.create({
        appId: app.appId,
        displayName: app.displayName,
        description: app.description,
        signInAudience: "AzureADMyOrg",
        identifierUris: app.identifierUris,
        redirectUris: app.redirectUris,
        isPublicClient: app.isPublicClient,
      });
      await appendOperatorAudit(
        tx,
        {
          category: "ApplicationManagement",
          activityDisplayName: "Add application",
          operationType: "Add",
          target: { id: application.id, displayName: application.displayName, type: "Application" },
        },
        audit,
      );
      const servicePrincipal = await tx.servicePrincipals.create({
        appId: app.appId,
        displayName: app.displayName,
        servicePrincipalType: "Application",
        appOwnerOrganizationId: tenantId,
      });
      await appendOperatorAudit(
        tx,
        {
          category: "ApplicationManagement",
          activityDisplayName: "Add service principal",
          operationType: "Add",
          target: { id: servicePrincipal.id, displayName: servicePrincipal.displayName, type: "ServicePrincipal" },
        },
        audit,
      );
      created.push({
        displayName: app.displayName,
        appId: app.appId,
        applicationId: application.id,
        servicePrincipalId: servicePrincipal.id,
      });
    }
    const [managementApi, portal, cli] = created as [CreatedApplication, CreatedApplication, CreatedApplication];

    const policy = createPolicyFromTemplate(template, {
      callerUserId: admin.id,
      emergencyAccess: { userIds: [], groupIds: [group.id] },
      now,
    });
    const stored = await tx.policies.create(policy, { audit: { initiatedBy, correlationId } });

    const demo =
      options.demo === true ? await seedDemoTenantInto(tx, { domain, emergencyAccessGroupId: group.id, now, correlationId }) : null;

    return {
      tenantId,
      displayName,
      domain,
      correlationId,
      admin: { id: admin.id, userPrincipalName: admin.userPrincipalName, displayName: admin.displayName },
      emergencyAccess: { groupId: group.id, groupDisplayName: group.displayName, accounts },
      applications: { managementApi, portal, cli },
      managementMfaPolicy: { id: stored.policy.id, displayName: stored.policy.displayName, state: stored.policy.state },
      demo,
    };
  });

  await ensureSigningKey(store);
  return result;
}

function alreadyInitialised(tenantId: string): GatehouseError {
  return new GatehouseError("conflict", `this store already holds the tenant ${tenantId}; gatehouse init runs once`);
}

async function assignGlobalAdministrator(
  tx: Repositories,
  principalId: string,
  principalName: string,
  audit: Parameters<typeof appendOperatorAudit>[2],
): Promise<void> {
  await assignRoleAudited(tx, { roleTemplateId: GLOBAL_ADMINISTRATOR_ROLE_TEMPLATE_ID, principalId, principalName }, audit);
}
