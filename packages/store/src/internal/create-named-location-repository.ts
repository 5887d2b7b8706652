import type { NamedLocation } from "@gatehouse/engine";
import { GatehouseError } from "../gatehouse-error.js";
import type { NamedLocationFilter, NamedLocationRepository } from "../types.js";
import type { NamedLocationsTable } from "./database.js";
import { findReferencingPolicies, referencesLocation } from "./find-referencing-policies.js";
import { fromJson, toJson } from "./json-column.js";
import { equals, nameConditions, readPage } from "./read-page.js";
import { inTransaction, type RepositoryContext } from "./repository-context.js";

/** The stored body leaves out what the columns hold; reading puts them back. */
function toBody(location: NamedLocation): string {
  const { id: _id, createdDateTime: _created, modifiedDateTime: _modified, ...rest } = location;
  return toJson(rest);
}

export const toNamedLocation = (row: NamedLocationsTable): NamedLocation =>
  ({
    ...fromJson<Record<string, unknown>>(row.body, {}),
    "@odata.type": row.odata_type,
    id: row.id,
    displayName: row.display_name,
    createdDateTime: row.created_date_time,
    modifiedDateTime: row.modified_date_time,
  }) as unknown as NamedLocation;

function odataTypeOf(location: NamedLocation): string {
  const type: unknown = location["@odata.type"];
  if (typeof type !== "string" || type === "") throw new GatehouseError("invalidInput", "a named location needs its @odata.type");
  return type;
}

export function createNamedLocationRepository(ctx: RepositoryContext): NamedLocationRepository {
  const { db } = ctx;
  const get = async (c: RepositoryContext, id: string): Promise<NamedLocation | null> => {
    const row = await c.db.selectFrom("named_locations").selectAll().where("id", "=", id).executeTakeFirst();
    return row ? toNamedLocation(row) : null;
  };
  return {
    async create(location: NamedLocation) {
      const now = ctx.now();
      const row: NamedLocationsTable = {
        id: location.id === "" || location.id === undefined ? ctx.newId() : location.id,
        odata_type: odataTypeOf(location),
        display_name: location.displayName,
        body: toBody(location),
        created_date_time: now,
        modified_date_time: now,
      };
      await db.insertInto("named_locations").values(row).execute();
      return toNamedLocation(row);
    },
    get: (id: string) => get(ctx, id),
    list: (options) => {
      const filter: NamedLocationFilter | undefined = options?.filter;
      const conditions = nameConditions(filter);
      if (filter?.odataType !== undefined) conditions.push(equals("odata_type", filter.odataType));
      return readPage(
        db,
        db.selectFrom("named_locations").selectAll(),
        conditions,
        [
          ["display_name", "asc"],
          ["id", "asc"],
        ],
        options,
        toNamedLocation,
      );
    },
    update: (id: string, location: NamedLocation) =>
      inTransaction(ctx, async (tx) => {
        const before = await tx.db.selectFrom("named_locations").select("odata_type").where("id", "=", id).executeTakeFirst();
        if (!before) throw new GatehouseError("notFound", `there is no named location with the id ${id}`);
        const type = odataTypeOf(location);
        if (type !== before.odata_type) {
          throw new GatehouseError("invalidInput", `the named location ${id} is a ${before.odata_type}; its type cannot change to ${type}`);
        }
        await tx.db
          .updateTable("named_locations")
          .set({ display_name: location.displayName, body: toBody(location), modified_date_time: tx.now() })
          .where("id", "=", id)
          .execute();
        return (await get(tx, id)) as NamedLocation;
      }),
    delete: (id: string) =>
      inTransaction(ctx, async (tx) => {
        if (!(await get(tx, id))) throw new GatehouseError("notFound", `there is no named location with the id ${id}`);
        const users = await findReferencingPolicies(tx, referencesLocation(id));
        if (users.length > 0) {
          throw new GatehouseError("conflict", `the named location ${id} is used by the policies ${users.map((n) => `"${n}"`).join(", ")}`);
        }
        await tx.db.deleteFrom("named_locations").where("id", "=", id).execute();
      }),
  };
}
