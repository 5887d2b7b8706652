/** `POST /groups/{id}/members/$ref` with `{ "@odata.id": ".../directoryObjects/{memberId}" }`. */
import { GatehouseError, type GroupMember } from "@gatehouse/store";
import { invalidRequest } from "../../errors/invalid-request-error.js";
import { auditRecordOf } from "../audit-change.js";
import { guardDirectoryChange } from "../guard-directory-change.js";
import type { OperationContext } from "../operation-context.js";
import { guardPrivilegedGroup } from "./guard-role-assignable-group.js";

/** The object id at the end of an `@odata.id` (`.../directoryObjects/{id}` or `directoryObjects('{id}')`). */
export function memberIdOf(body: unknown): string {
  const ref = typeof body === "object" && body !== null ? (body as Record<string, unknown>)["@odata.id"] : undefined;
  if (typeof ref !== "string" || ref.trim() === "")
    throw invalidRequest("$['@odata.id']", "@odata.id is required: the URL of the directory object to add.");
  const match = /(?:\/|\(')([0-9A-Za-z-]{1,64})(?:'\))?\/?$/.exec(ref.trim()) ?? /^([0-9A-Za-z-]{1,64})$/.exec(ref.trim());
  if (!match?.[1]) throw invalidRequest("$['@odata.id']", `'${ref}' does not end with a directory object id.`);
  return match[1];
}

export async function addGroupMember(
  ctx: OperationContext,
  input: { groupId: string; body: unknown; acknowledgeUnsafe?: boolean },
): Promise<GroupMember> {
  const memberId = memberIdOf(input.body);
  return ctx.store.transaction(async (tx) => {
    const group = await tx.groups.get(input.groupId);
    if (group === null) throw new GatehouseError("notFound", `There is no group with the id '${input.groupId}'.`);
    await guardPrivilegedGroup(ctx, tx, group, "change the members");
    const { result: member, additionalDetails } = await guardDirectoryChange(tx, input.acknowledgeUnsafe === true, () =>
      tx.groups.addMember(group.id, memberId),
    );
    await tx.audit.append(
      auditRecordOf(ctx, {
        category: "GroupManagement",
        activityDisplayName: "Add member to group",
        operationType: "Assign",
        target: { id: member.id, type: member.type === "user" ? "User" : "Group" },
        before: null,
        after: null,
        modifiedProperties: [
          { displayName: "Group.ObjectID", oldValue: null, newValue: JSON.stringify(group.id) },
          { displayName: "Group.DisplayName", oldValue: null, newValue: JSON.stringify(group.displayName) },
        ],
        additionalDetails,
      }),
    );
    return member;
  });
}
