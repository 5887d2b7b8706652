import { GatehouseError } from "../gatehouse-error.js";
import type { NewRoleAssignment, RoleAssignmentFilter, RoleAssignmentRecord, RoleAssignmentRepository } from "../types.js";
import type { RoleAssignmentsTable } from "./database.js";
import { type Condition, equals, equalsIgnoringCase, readPage } from "./read-page.js";
import { inTransaction, type RepositoryContext } from "./repository-context.js";

export const toRoleAssignmentRecord = (row: RoleAssignmentsTable): RoleAssignmentRecord => ({
  id: row.id,
  roleTemplateId: row.role_template_id,
  principalId: row.principal_id,
  directoryScopeId: row.directory_scope_id,
  createdDateTime: row.created_date_time,
});

function conditions(filter: RoleAssignmentFilter | undefined): Condition[] {
  const out: Condition[] = [];
  if (filter?.id !== undefined) out.push(equals("id", filter.id));
  if (filter?.principalId !== undefined) out.push(equals("principal_id", filter.principalId));
  if (filter?.roleTemplateId !== undefined) out.push(equalsIgnoringCase("role_template_id", filter.roleTemplateId));
  return out;
}

export function createRoleAssignmentRepository(ctx: RepositoryContext): RoleAssignmentRepository {
  const { db } = ctx;
  return {
    create: (assignment: NewRoleAssignment) =>
      inTransaction(ctx, async (tx) => {
        const id = assignment.principalId;
        const principal =
          (await tx.db.selectFrom("users").select("id").where("id", "=", id).executeTakeFirst()) ??
          (await tx.db.selectFrom("groups").select("id").where("id", "=", id).executeTakeFirst()) ??
          (await tx.db.selectFrom("service_principals").select("id").where("id", "=", id).executeTakeFirst());
        if (!principal) throw new GatehouseError("notFound", `there is no user, group or service principal with the id ${id}`);
        const row: RoleAssignmentsTable = {
          id: assignment.id ?? tx.newId(),
          role_template_id: assignment.roleTemplateId,
          principal_id: assignment.principalId,
          directory_scope_id: assignment.directoryScopeId ?? "/",
          created_date_time: tx.now(),
        };
        await tx.db.insertInto("role_assignments").values(row).execute();
        return toRoleAssignmentRecord(row);
      }),
    async get(id: string) {
      const row = await db.selectFrom("role_assignments").selectAll().where("id", "=", id).executeTakeFirst();
      return row ? toRoleAssignmentRecord(row) : null;
    },
    list: (options) =>
      readPage(
        db,
        db.selectFrom("role_assignments").selectAll(),
        conditions(options?.filter),
        [
          ["created_date_time", "asc"],
          ["id", "asc"],
        ],
        options,
        toRoleAssignmentRecord,
      ),
    async delete(id: string) {
      const result = await db.deleteFrom("role_assignments").where("id", "=", id).executeTakeFirst();
      if (result.numDeletedRows === 0n) throw new GatehouseError("notFound", `there is no role assignment with the id ${id}`);
    },
  };
}
