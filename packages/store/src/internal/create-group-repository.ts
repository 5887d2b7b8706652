import { GatehouseError } from "../gatehouse-error.js";
import type { GroupMember, GroupMemberType, GroupPatch, GroupRecord, GroupRepository, NewGroup } from "../types.js";
import type { GroupsTable } from "./database.js";
import { fromFlag, toFlag } from "./json-column.js";
import { nameConditions, readPage } from "./read-page.js";
import { inTransaction, type RepositoryContext } from "./repository-context.js";

export const toGroupRecord = (row: GroupsTable): GroupRecord => ({
  id: row.id,
  displayName: row.display_name,
  description: row.description,
  isAssignableToRole: fromFlag(row.is_assignable_to_role),
  createdDateTime: row.created_date_time,
});

const toMemberType = (value: string): GroupMemberType => (value === "group" ? "group" : "user");

async function mustExist(tx: RepositoryContext, id: string): Promise<void> {
  const row = await tx.db.selectFrom("groups").select("id").where("id", "=", id).executeTakeFirst();
  if (!row) throw new GatehouseError("notFound", `there is no group with the id ${id}`);
}

/** True when `candidate` is `groupId` or contains it, directly or through nested groups. */
async function containsTransitively(tx: RepositoryContext, candidate: string, groupId: string): Promise<boolean> {
  const seen = new Set<string>([candidate]);
  let frontier = [candidate];
  while (frontier.length > 0) {
    if (frontier.includes(groupId)) return true;
    const rows = await tx.db
      .selectFrom("group_members")
      .select("member_id")
      .where("group_id", "in", frontier)
      .where("member_type", "=", "group")
      .execute();
    frontier = [];
    for (const { member_id } of rows) {
      if (!seen.has(member_id)) {
        seen.add(member_id);
        frontier.push(member_id);
      }
    }
  }
  return false;
}

export function createGroupRepository(ctx: RepositoryContext): GroupRepository {
  const { db } = ctx;
  return {
    async create(group: NewGroup) {
      const row: GroupsTable = {
        id: group.id ?? ctx.newId(),
        display_name: group.displayName,
        description: group.description ?? null,
        is_assignable_to_role: toFlag(group.isAssignableToRole ?? false),
        created_date_time: ctx.now(),
      };
      await db.insertInto("groups").values(row).execute();
      return toGroupRecord(row);
    },
    async get(id: string) {
      const row = await db.selectFrom("groups").selectAll().where("id", "=", id).executeTakeFirst();
      return row ? toGroupRecord(row) : null;
    },
    list: (options) =>
      readPage(
        db,
        db.selectFrom("groups").selectAll(),
        nameConditions(options?.filter),
        [
          ["display_name", "asc"],
          ["id", "asc"],
        ],
        options,
        toGroupRecord,
      ),
    update: (id: string, patch: GroupPatch) =>
      inTransaction(ctx, async (tx) => {
        await mustExist(tx, id);
        const values: Partial<GroupsTable> = {};
        if (patch.displayName !== undefined) values.display_name = patch.displayName;
        if (patch.description !== undefined) values.description = patch.description;
        if (patch.isAssignableToRole !== undefined) values.is_assignable_to_role = toFlag(patch.isAssignableToRole);
        if (Object.keys(values).length > 0) await tx.db.updateTable("groups").set(values).where("id", "=", id).execute();
        return toGroupRecord(await tx.db.selectFrom("groups").selectAll().where("id", "=", id).executeTakeFirstOrThrow());
      }),
    delete: (id: string) =>
      inTransaction(ctx, async (tx) => {
        await mustExist(tx, id);
        await tx.db.deleteFrom("group_members").where("member_id", "=", id).where("member_type", "=", "group").execute();
        await tx.db.deleteFrom("role_assignments").where("principal_id", "=", id).execute();
        // Its own member rows go by ON DELETE CASCADE.
        await tx.db.deleteFrom("groups").where("id", "=", id).execute();
      }),
    addMember: (groupId: string, memberId: string) =>
      inTransaction(ctx, async (tx): Promise<GroupMember> => {
        await mustExist(tx, groupId);
        let type: GroupMemberType;
        if (await tx.db.selectFrom("users").select("id").where("id", "=", memberId).executeTakeFirst()) type = "user";
        else if (await tx.db.selectFrom("groups").select("id").where("id", "=", memberId).executeTakeFirst()) type = "group";
        else throw new GatehouseError("notFound", `there is no user or group with the id ${memberId}`);
        if (type === "group" && (await containsTransitively(tx, memberId, groupId))) {
          throw new GatehouseError(
            "invalidInput",
            `the group ${memberId} is or contains the group ${groupId}; a group cannot contain itself`,
          );
        }
        const existing = await tx.db
          .selectFrom("group_members")
          .select("member_id")
          .where("group_id", "=", groupId)
          .where("member_id", "=", memberId)
          .executeTakeFirst();
        if (existing) throw new GatehouseError("conflict", `${memberId} is already a member of the group ${groupId}`);
        await tx.db.insertInto("group_members").values({ group_id: groupId, member_id: memberId, member_type: type }).execute();
        return { id: memberId, type };
      }),
    async removeMember(groupId: string, memberId: string) {
      const result = await db
        .deleteFrom("group_members")
        .where("group_id", "=", groupId)
        .where("member_id", "=", memberId)
        .executeTakeFirst();
      if (result.numDeletedRows === 0n) throw new GatehouseError("notFound", `${memberId} is not a member of the group ${groupId}`);
    },
    listMembers: (groupId: string) =>
      inTransaction(ctx, async (tx) => {
        await mustExist(tx, groupId);
        const rows = await tx.db
          .selectFrom("group_members")
          .select(["member_id", "member_type"])
          .where("group_id", "=", groupId)
          .orderBy("member_id")
          .execute();
        return rows.map((r) => ({ id: r.member_id, type: toMemberType(r.member_type) }));
      }),
    async listMemberOf(memberId: string) {
      const rows = await db.selectFrom("group_members").select("group_id").where("member_id", "=", memberId).orderBy("group_id").execute();
      return rows.map((r) => r.group_id);
    },
  };
}
