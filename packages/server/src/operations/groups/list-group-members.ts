/** Direct members of a group as Graph directory objects (`#microsoft.graph.user` / `#microsoft.graph.group`). */
import { GatehouseError, type Page } from "@gatehouse/store";
import type { OperationContext } from "../operation-context.js";
import { userRepresentation } from "../users/user-representation.js";
import { groupRepresentation } from "./group-representation.js";

export async function listGroupMembers(
  ctx: OperationContext,
  input: { groupId: string; top: number; skip: number },
): Promise<Page<Record<string, unknown>>> {
  if ((await ctx.store.groups.get(input.groupId)) === null) {
    throw new GatehouseError("notFound", `There is no group with the id '${input.groupId}'.`);
  }
  const members = await ctx.store.groups.listMembers(input.groupId);
  const end = input.skip + input.top;
  const value: Record<string, unknown>[] = [];
  for (const member of members.slice(input.skip, end)) {
    if (member.type === "user") {
      const user = await ctx.store.users.get(member.id);
      value.push(
        user
          ? { "@odata.type": "#microsoft.graph.user", ...userRepresentation(user) }
          : { "@odata.type": "#microsoft.graph.user", id: member.id },
      );
    } else {
      const group = await ctx.store.groups.get(member.id);
      value.push(
        group
          ? { "@odata.type": "#microsoft.graph.group", ...groupRepresentation(group) }
          : { "@odata.type": "#microsoft.graph.group", id: member.id },
      );
    }
  }
  return { value, nextSkip: members.length > end ? end : null };
}
