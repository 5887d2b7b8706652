/**
 * The emergency-access (break-glass) declaration of the tenant, our extension at
 * `/v1.0/identity/conditionalAccess/emergencyAccess`: which users and groups are emergency
 * access, the accounts they resolve to (nested group members included), and the policies that
 * would apply to them. Changing it runs the guard rail of `guardEmergencyAccessChange` (409
 * unless `Prefer: allow-unsafe-policy`) and is audited in the same transaction.
 */
import {
  type EmergencyAccessAccount,
  type Exposure,
  findEmergencyAccessExposures,
  type GuardIssue,
  guardEmergencyAccessChange,
  resolveEmergencyAccessAccounts,
} from "@gatehouse/admin";
import type { TenantSnapshot } from "@gatehouse/engine";
import { GatehouseError, type Repositories, type TenantSettings } from "@gatehouse/store";
import { invalidRequest } from "../../errors/invalid-request-error.js";
import { PolicyWriteRefusedError } from "../../errors/policy-write-refused-error.js";
import { auditRecordOf } from "../audit-change.js";
import type { OperationContext, OperationWarning } from "../operation-context.js";

export interface EmergencyAccessDeclaration {
  userIds: string[];
  groupIds: string[];
}

/** One policy that would apply to emergency-access accounts (enabled or report-only). */
export interface ExposedPolicy {
  policyId: string;
  policyDisplayName: string;
  state: string;
  accounts: EmergencyAccessAccount[];
}

export interface EmergencyAccessView extends EmergencyAccessDeclaration {
  accounts: EmergencyAccessAccount[];
  exposedPolicies: ExposedPolicy[];
}

/** The view of a declaration against a snapshot. */
export function emergencyAccessView(snapshot: TenantSnapshot, declaration: EmergencyAccessDeclaration): EmergencyAccessView {
  const byPolicy = new Map<string, ExposedPolicy>();
  const states = new Map((snapshot.policies ?? []).map((p) => [p.id, String(p.state)]));
  for (const exposure of findEmergencyAccessExposures(snapshot, declaration) as Exposure[]) {
    let entry = byPolicy.get(exposure.policyId);
    if (entry === undefined) {
      entry = {
        policyId: exposure.policyId,
        policyDisplayName: exposure.policyDisplayName,
        state: states.get(exposure.policyId) ?? "",
        accounts: [],
      };
      byPolicy.set(exposure.policyId, entry);
    }
    entry.accounts.push({
      userId: exposure.userId,
      ...(exposure.userPrincipalName === undefined ? {} : { userPrincipalName: exposure.userPrincipalName }),
    });
  }
  return {
    userIds: [...declaration.userIds],
    groupIds: [...declaration.groupIds],
    accounts: resolveEmergencyAccessAccounts(snapshot, declaration),
    exposedPolicies: [...byPolicy.values()],
  };
}

export const declarationOf = (settings: TenantSettings): EmergencyAccessDeclaration => ({
  userIds: [...settings.emergencyAccessUserIds],
  groupIds: [...settings.emergencyAccessGroupIds],
});

async function settingsOf(tx: Pick<Repositories, "tenant">): Promise<TenantSettings> {
  const settings = await tx.tenant.get();
  if (settings === null) throw new GatehouseError("notFound", "the tenant is not set up");
  return settings;
}

export async function getEmergencyAccess(ctx: OperationContext): Promise<EmergencyAccessView> {
  return ctx.store.transaction(async (tx) => emergencyAccessView(await tx.loadTenantSnapshot(), declarationOf(await settingsOf(tx))));
}

const isRecord = (value: unknown): value is Record<string, unknown> => typeof value === "object" && value !== null && !Array.isArray(value);

function idList(value: unknown, path: string): string[] {
  if (!Array.isArray(value)) throw invalidRequest(path, "must be an array of object ids", "invalidValue");
  const out: string[] = [];
  const seen = new Set<string>();
  value.forEach((id, i) => {
    if (typeof id !== "string" || id.trim() === "")
      throw invalidRequest(`${path}[${i}]`, "must be an object id (a non-empty string)", "invalidValue");
    if (!seen.has(id.toLowerCase())) out.push(id);
    seen.add(id.toLowerCase());
  });
  return out;
}

/** `{ userIds?, groupIds? }`: a member that is absent keeps its current value. */
export function readEmergencyAccessPatch(body: unknown): Partial<EmergencyAccessDeclaration> {
  if (!isRecord(body)) throw invalidRequest("$", "the body must be a JSON object { userIds?, groupIds? }", "invalidValue");
  const patch: Partial<EmergencyAccessDeclaration> = {};
  for (const key of Object.keys(body)) {
    if (key === "userIds") patch.userIds = idList(body.userIds, "$.userIds");
    else if (key === "groupIds") patch.groupIds = idList(body.groupIds, "$.groupIds");
    else if (!key.startsWith("@odata."))
      throw invalidRequest(`$.${key}`, `'${key}' is not a member of emergencyAccess (userIds, groupIds)`, "unknownMember");
  }
  return patch;
}

/** 400 naming the first id that is not a user (userIds) or a group (groupIds) of the tenant. */
export function requireKnownIds(snapshot: TenantSnapshot, declaration: EmergencyAccessDeclaration, pathPrefix = "$"): void {
  const users = new Set((snapshot.users ?? []).map((u) => u.id.toLowerCase()));
  const groups = new Set((snapshot.groups ?? []).map((g) => g.id.toLowerCase()));
  declaration.userIds.forEach((id, i) => {
    if (!users.has(id.toLowerCase()))
      throw invalidRequest(`${pathPrefix}.userIds[${i}]`, `There is no user with the id '${id}'.`, "unknownReference");
  });
  declaration.groupIds.forEach((id, i) => {
    if (!groups.has(id.toLowerCase()))
      throw invalidRequest(`${pathPrefix}.groupIds[${i}]`, `There is no group with the id '${id}'.`, "unknownReference");
  });
}

/**
 * Replaces the declaration inside `tx` after the guard rail; returns the acknowledged issues.
 * Shared by the route and `gatehouse import`. Throws PolicyWriteRefusedError (409) when unsafe
 * and not acknowledged.
 */
export async function applyEmergencyAccessChange(
  tx: Repositories,
  proposed: EmergencyAccessDeclaration,
  acknowledgeUnsafe: boolean,
): Promise<{
  before: EmergencyAccessDeclaration;
  after: EmergencyAccessDeclaration;
  acknowledged: GuardIssue[];
  changed: boolean;
  settings: TenantSettings;
}> {
  const settings = await settingsOf(tx);
  const snapshot = await tx.loadTenantSnapshot();
  requireKnownIds(snapshot, proposed);
  const before = declarationOf(settings);
  const same = (a: string[], b: string[]): boolean =>
    a.length === b.length && a.every((id) => b.some((other) => other.toLowerCase() === id.toLowerCase()));
  if (same(before.userIds, proposed.userIds) && same(before.groupIds, proposed.groupIds))
    return { before, after: before, acknowledged: [], changed: false, settings };
  const guard = guardEmergencyAccessChange({ snapshot, current: before, proposed, acknowledgeUnsafe });
  if (guard.errors.length > 0) throw new PolicyWriteRefusedError(guard.errors, []);
  const updated = await tx.tenant.put({
    tenantId: settings.tenantId,
    displayName: settings.displayName,
    emergencyAccessUserIds: proposed.userIds,
    emergencyAccessGroupIds: proposed.groupIds,
    namingStandardPattern: settings.namingStandardPattern,
    settings: settings.settings,
  });
  return { before, after: declarationOf(updated), acknowledged: guard.warnings, changed: true, settings: updated };
}

export async function updateEmergencyAccess(
  ctx: OperationContext,
  input: { patch: unknown; acknowledgeUnsafe: boolean },
): Promise<{ view: EmergencyAccessView; warnings: OperationWarning[] }> {
  const patch = readEmergencyAccessPatch(input.patch);
  return ctx.store.transaction(async (tx) => {
    const current = declarationOf(await settingsOf(tx));
    const proposed = { userIds: patch.userIds ?? current.userIds, groupIds: patch.groupIds ?? current.groupIds };
    const { before, after, acknowledged, changed, settings } = await applyEmergencyAccessChange(tx, proposed, input.acknowledgeUnsafe);
    if (changed) {
      await tx.audit.append(
        auditRecordOf(ctx, {
          category: "Policy",
          activityDisplayName: "Update emergency-access accounts",
          operationType: "Update",
          target: { id: settings.tenantId, displayName: "Emergency access", type: "EmergencyAccess" },
          before,
          after,
          additionalDetails:
            acknowledged.length === 0
              ? []
              : [
                  { key: "Prefer", value: "allow-unsafe-policy" },
                  ...acknowledged.map((issue) => ({ key: "acknowledgedUnsafeChange", value: `${issue.code}: ${issue.message}` })),
                ],
        }),
      );
    }
    const warnings: OperationWarning[] = acknowledged.map((issue) => ({
      code: issue.code,
      message: `Acknowledged: ${issue.message}`,
      ...(issue.policyId === undefined ? {} : { policyId: issue.policyId }),
    }));
    return { view: emergencyAccessView(await tx.loadTenantSnapshot(), after), warnings };
  });
}
