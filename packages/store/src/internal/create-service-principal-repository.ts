import { GatehouseError } from "../gatehouse-error.js";
import type {
  NewServicePrincipal,
  ServicePrincipalFilter,
  ServicePrincipalPatch,
  ServicePrincipalRecord,
  ServicePrincipalRepository,
} from "../types.js";
import type { ServicePrincipalsTable } from "./database.js";
import { fromFlag, fromJson, toFlag, toJson } from "./json-column.js";
import { equalsIgnoringCase, nameConditions, readPage } from "./read-page.js";
import { inTransaction, type RepositoryContext } from "./repository-context.js";

export const toServicePrincipalRecord = (row: ServicePrincipalsTable): ServicePrincipalRecord => ({
  id: row.id,
  appId: row.app_id,
  displayName: row.display_name,
  servicePrincipalType: row.service_principal_type,
  appOwnerOrganizationId: row.app_owner_organization_id,
  accountEnabled: fromFlag(row.account_enabled),
  customSecurityAttributes: fromJson<Record<string, string | string[]>>(row.custom_security_attributes, {}),
  createdDateTime: row.created_date_time,
});

async function mustExist(tx: RepositoryContext, id: string): Promise<void> {
  const row = await tx.db.selectFrom("service_principals").select("id").where("id", "=", id).executeTakeFirst();
  if (!row) throw new GatehouseError("notFound", `there is no service principal with the id ${id}`);
}

export function createServicePrincipalRepository(ctx: RepositoryContext): ServicePrincipalRepository {
  const { db } = ctx;
  return {
    async create(sp: NewServicePrincipal) {
      const row: ServicePrincipalsTable = {
        id: sp.id ?? ctx.newId(),
        app_id: sp.appId,
        display_name: sp.displayName,
        service_principal_type: sp.servicePrincipalType ?? "Application",
        app_owner_organization_id: sp.appOwnerOrganizationId ?? null,
        account_enabled: toFlag(sp.accountEnabled ?? true),
        custom_security_attributes: toJson(sp.customSecurityAttributes ?? {}),
        created_date_time: ctx.now(),
      };
      await db.insertInto("service_principals").values(row).execute();
      return toServicePrincipalRecord(row);
    },
    async get(id: string) {
      const row = await db.selectFrom("service_principals").selectAll().where("id", "=", id).executeTakeFirst();
      return row ? toServicePrincipalRecord(row) : null;
    },
    async getByAppId(appId: string) {
      const row = await db.selectFrom("service_principals").selectAll().where(equalsIgnoringCase("app_id", appId)).executeTakeFirst();
      return row ? toServicePrincipalRecord(row) : null;
    },
    list: (options) => {
      const filter: ServicePrincipalFilter | undefined = options?.filter;
      const conditions = nameConditions(filter);
      if (filter?.appId !== undefined) conditions.push(equalsIgnoringCase("app_id", filter.appId));
      return readPage(
        db,
        db.selectFrom("service_principals").selectAll(),
        conditions,
        [
          ["display_name", "asc"],
          ["id", "asc"],
        ],
        options,
        toServicePrincipalRecord,
      );
    },
    update: (id: string, patch: ServicePrincipalPatch) =>
      inTransaction(ctx, async (tx) => {
        await mustExist(tx, id);
        const values: Partial<ServicePrincipalsTable> = {};
        if (patch.displayName !== undefined) values.display_name = patch.displayName;
        if (patch.servicePrincipalType !== undefined) values.service_principal_type = patch.servicePrincipalType;
        if (patch.appOwnerOrganizationId !== undefined) values.app_owner_organization_id = patch.appOwnerOrganizationId;
        if (patch.accountEnabled !== undefined) values.account_enabled = toFlag(patch.accountEnabled);
        if (patch.customSecurityAttributes !== undefined) values.custom_security_attributes = toJson(patch.customSecurityAttributes);
        if (Object.keys(values).length > 0) await tx.db.updateTable("service_principals").set(values).where("id", "=", id).execute();
        return toServicePrincipalRecord(
          await tx.db.selectFrom("service_principals").selectAll().where("id", "=", id).executeTakeFirstOrThrow(),
        );
      }),
    delete: (id: string) =>
      inTransaction(ctx, async (tx) => {
        await mustExist(tx, id);
        await tx.db.deleteFrom("role_assignments").where("principal_id", "=", id).execute();
        await tx.db.deleteFrom("service_principals").where("id", "=", id).execute();
      }),
  };
}
