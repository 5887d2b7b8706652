import { GatehouseError } from "../gatehouse-error.js";
import type { AuthenticationContextPatch, AuthenticationContextRecord, AuthenticationContextRepository } from "../types.js";
import type { AuthenticationContextsTable } from "./database.js";
import { findReferencingPolicies, referencesAuthenticationContext } from "./find-referencing-policies.js";
import { fromFlag, toFlag } from "./json-column.js";
import { nameConditions, readPage } from "./read-page.js";
import { inTransaction, type RepositoryContext } from "./repository-context.js";

/** Entra allows the ids c1 to c99. */
export const AUTHENTICATION_CONTEXT_ID = /^c([1-9]|[1-9][0-9])$/;

export const toAuthenticationContextRecord = (row: AuthenticationContextsTable): AuthenticationContextRecord => ({
  id: row.id,
  displayName: row.display_name,
  description: row.description,
  isAvailable: fromFlag(row.is_available),
});

export function createAuthenticationContextRepository(ctx: RepositoryContext): AuthenticationContextRepository {
  const { db } = ctx;
  const get = async (c: RepositoryContext, id: string): Promise<AuthenticationContextRecord | null> => {
    const row = await c.db.selectFrom("authentication_contexts").selectAll().where("id", "=", id).executeTakeFirst();
    return row ? toAuthenticationContextRecord(row) : null;
  };
  return {
    async create(context: AuthenticationContextRecord) {
      if (!AUTHENTICATION_CONTEXT_ID.test(context.id)) {
        throw new GatehouseError("invalidInput", `an authentication context id is c1 to c99, not ${JSON.stringify(context.id)}`);
      }
      const row: AuthenticationContextsTable = {
        id: context.id,
        display_name: context.displayName,
        description: context.description ?? null,
        is_available: toFlag(context.isAvailable),
      };
      await db.insertInto("authentication_contexts").values(row).execute();
      return toAuthenticationContextRecord(row);
    },
    get: (id: string) => get(ctx, id),
    list: (options) =>
      readPage(
        db,
        db.selectFrom("authentication_contexts").selectAll(),
        nameConditions(options?.filter),
        [
          ["display_name", "asc"],
          ["id", "asc"],
        ],
        options,
        toAuthenticationContextRecord,
      ),
    update: (id: string, patch: AuthenticationContextPatch) =>
      inTransaction(ctx, async (tx) => {
        if (!(await get(tx, id))) throw new GatehouseError("notFound", `there is no authentication context with the id ${id}`);
        const values: Partial<AuthenticationContextsTable> = {};
        if (patch.displayName !== undefined) values.display_name = patch.displayName;
        if (patch.description !== undefined) values.description = patch.description;
        if (patch.isAvailable !== undefined) values.is_available = toFlag(patch.isAvailable);
        if (Object.keys(values).length > 0) await tx.db.updateTable("authentication_contexts").set(values).where("id", "=", id).execute();
        return (await get(tx, id)) as AuthenticationContextRecord;
      }),
    delete: (id: string) =>
      inTransaction(ctx, async (tx) => {
        if (!(await get(tx, id))) throw new GatehouseError("notFound", `there is no authentication context with the id ${id}`);
        const users = await findReferencingPolicies(tx, referencesAuthenticationContext(id));
        if (users.length > 0) {
          throw new GatehouseError(
            "conflict",
            `the authentication context ${id} is targeted by the policies ${users.map((n) => `"${n}"`).join(", ")}`,
          );
        }
        await tx.db.deleteFrom("authentication_contexts").where("id", "=", id).execute();
      }),
  };
}
