/**
 * Creates a Conditional Access policy, from a Graph policy document or from a template
 * (`{ "templateId", "displayName"? }` without `conditions`: report-only, the current
 * administrator and the emergency-access accounts excluded). Guarded and audited in one transaction.
 */
import { randomUUID } from "node:crypto";
import { CONDITIONAL_ACCESS_TEMPLATES, createPolicyFromTemplate, findTemplate } from "@gatehouse/admin";
import type { ConditionalAccessPolicy } from "@gatehouse/engine";
import { GatehouseError, type PolicyRecord } from "@gatehouse/store";
import { auditInitiator } from "../../auth/caller.js";
import { invalidRequest } from "../../errors/invalid-request-error.js";
import type { OperationContext, OperationWarning } from "../operation-context.js";
import { guardPolicyChange } from "./guard-policy-change.js";
import { readPolicyDocument, requireObject } from "./read-policy-document.js";

export interface CreatePolicyInput {
  body: unknown;
  acknowledgeUnsafe: boolean;
}

export interface PolicyWriteResult {
  record: PolicyRecord;
  warnings: OperationWarning[];
}

const TEMPLATE_MEMBERS = new Set(["templateid", "displayname"]);

async function fromTemplate(ctx: OperationContext, body: Record<string, unknown>, id: string): Promise<ConditionalAccessPolicy> {
  const templateId = body.templateId;
  if (typeof templateId !== "string") throw invalidRequest("$.templateId", "templateId must be a string.");
  for (const key of Object.keys(body)) {
    if (!TEMPLATE_MEMBERS.has(key.toLowerCase()) && !key.startsWith("@")) {
      throw invalidRequest(`$.${key}`, `A policy created from a template takes only templateId and displayName, not ${key}.`);
    }
  }
  const displayName = body.displayName;
  if (displayName !== undefined && displayName !== null && typeof displayName !== "string") {
    throw invalidRequest("$.displayName", "displayName must be a string.");
  }
  const template = findTemplate(CONDITIONAL_ACCESS_TEMPLATES, templateId);
  if (template === null)
    throw invalidRequest("$.templateId", `There is no Conditional Access template with the id '${templateId}'.`, "unknownTemplate");
  if (ctx.caller.kind !== "user") {
    throw invalidRequest(
      "$.templateId",
      "Creating a policy from a template excludes the signed-in administrator: it needs a user, not an application.",
    );
  }
  const settings = await ctx.store.tenant.get();
  if (settings === null) throw new GatehouseError("notFound", "the tenant is not set up");
  return createPolicyFromTemplate(template, {
    callerUserId: ctx.caller.id,
    emergencyAccess: { userIds: settings.emergencyAccessUserIds, groupIds: settings.emergencyAccessGroupIds },
    displayName: typeof displayName === "string" ? displayName : null,
    now: ctx.now,
    id,
  });
}

export async function createPolicy(ctx: OperationContext, input: CreatePolicyInput): Promise<PolicyWriteResult> {
  const body = requireObject(input.body, "a conditionalAccessPolicy");
  const id = randomUUID();
  let policy: ConditionalAccessPolicy;
  let warnings: OperationWarning[] = [];
  if (body.templateId !== undefined && body.templateId !== null && body.conditions === undefined) {
    policy = await fromTemplate(ctx, body, id);
  } else {
    ({ policy, warnings } = readPolicyDocument({ ...body, id }));
  }
  return ctx.store.transaction(async (tx) => {
    const guard = await guardPolicyChange(ctx, tx, { current: null, proposed: policy, acknowledgeUnsafe: input.acknowledgeUnsafe });
    const record = await tx.policies.create(policy, {
      audit: { initiatedBy: auditInitiator(ctx.caller), correlationId: ctx.correlationId, additionalDetails: guard.additionalDetails },
    });
    return { record, warnings: [...warnings, ...guard.warnings] };
  });
}
