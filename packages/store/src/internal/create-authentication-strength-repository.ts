import { type AuthenticationStrengthPolicy, BUILT_IN_AUTHENTICATION_STRENGTH_IDS } from "@gatehouse/engine";
import { GatehouseError } from "../gatehouse-error.js";
import type { AuthenticationStrengthRepository } from "../types.js";
import type { AuthenticationStrengthsTable } from "./database.js";
import { findReferencingPolicies, referencesStrength } from "./find-referencing-policies.js";
import { fromJson, toJson } from "./json-column.js";
import { nameConditions, readPage } from "./read-page.js";
import { inTransaction, type RepositoryContext } from "./repository-context.js";

function toBody(strength: AuthenticationStrengthPolicy): string {
  const { id: _id, createdDateTime: _created, modifiedDateTime: _modified, ...rest } = strength;
  return toJson({ ...rest, policyType: "custom" });
}

export const toAuthenticationStrength = (row: AuthenticationStrengthsTable): AuthenticationStrengthPolicy => {
  const body = fromJson<Partial<AuthenticationStrengthPolicy>>(row.body, {});
  return {
    ...body,
    id: row.id,
    displayName: row.display_name,
    policyType: "custom",
    requirementsSatisfied: body.requirementsSatisfied ?? "mfa",
    allowedCombinations: body.allowedCombinations ?? [],
    createdDateTime: row.created_date_time,
    modifiedDateTime: row.modified_date_time,
  };
};

const isBuiltIn = (id: string): boolean => BUILT_IN_AUTHENTICATION_STRENGTH_IDS.some((b) => b.toLowerCase() === id.toLowerCase());

export function createAuthenticationStrengthRepository(ctx: RepositoryContext): AuthenticationStrengthRepository {
  const { db } = ctx;
  const get = async (c: RepositoryContext, id: string): Promise<AuthenticationStrengthPolicy | null> => {
    const row = await c.db.selectFrom("authentication_strengths").selectAll().where("id", "=", id).executeTakeFirst();
    return row ? toAuthenticationStrength(row) : null;
  };
  return {
    async create(strength: AuthenticationStrengthPolicy) {
      const id = strength.id === "" || strength.id === undefined ? ctx.newId() : strength.id;
      if (isBuiltIn(id)) throw new GatehouseError("conflict", `${id} is a built-in authentication strength`);
      const now = ctx.now();
      const row: AuthenticationStrengthsTable = {
        id,
        display_name: strength.displayName,
        body: toBody(strength),
        created_date_time: now,
        modified_date_time: now,
      };
      await db.insertInto("authentication_strengths").values(row).execute();
      return toAuthenticationStrength(row);
    },
    get: (id: string) => get(ctx, id),
    list: (options) =>
      readPage(
        db,
        db.selectFrom("authentication_strengths").selectAll(),
        nameConditions(options?.filter),
        [
          ["display_name", "asc"],
          ["id", "asc"],
        ],
        options,
        toAuthenticationStrength,
      ),
    update: (id: string, strength: AuthenticationStrengthPolicy) =>
      inTransaction(ctx, async (tx) => {
        const result = await tx.db
          .updateTable("authentication_strengths")
          .set({ display_name: strength.displayName, body: toBody(strength), modified_date_time: tx.now() })
          .where("id", "=", id)
          .executeTakeFirst();
        if (result.numUpdatedRows === 0n)
          throw new GatehouseError("notFound", `there is no custom authentication strength with the id ${id}`);
        return (await get(tx, id)) as AuthenticationStrengthPolicy;
      }),
    delete: (id: string) =>
      inTransaction(ctx, async (tx) => {
        if (!(await get(tx, id))) throw new GatehouseError("notFound", `there is no custom authentication strength with the id ${id}`);
        const users = await findReferencingPolicies(tx, referencesStrength(id));
        if (users.length > 0) {
          throw new GatehouseError(
            "conflict",
            `the authentication strength ${id} is required by the policies ${users.map((n) => `"${n}"`).join(", ")}`,
          );
        }
        await tx.db.deleteFrom("authentication_strengths").where("id", "=", id).execute();
      }),
  };
}
