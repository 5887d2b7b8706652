import type { TenantRepository, TenantSettings, TenantSettingsInput } from "../types.js";
import type { TenantSettingsTable } from "./database.js";
import { fromJson, toJson } from "./json-column.js";
import { inTransaction, type RepositoryContext } from "./repository-context.js";

export const toTenantSettings = (row: TenantSettingsTable): TenantSettings => ({
  tenantId: row.tenant_id,
  displayName: row.display_name,
  emergencyAccessUserIds: fromJson<string[]>(row.emergency_access_user_ids, []),
  emergencyAccessGroupIds: fromJson<string[]>(row.emergency_access_group_ids, []),
  namingStandardPattern: row.naming_standard_pattern,
  settings: fromJson<Record<string, unknown>>(row.settings, {}),
  modifiedDateTime: row.modified_date_time,
});

export function createTenantRepository(ctx: RepositoryContext): TenantRepository {
  const get = async (c: RepositoryContext): Promise<TenantSettings | null> => {
    const row = await c.db.selectFrom("tenant_settings").selectAll().where("singleton", "=", 1).executeTakeFirst();
    return row ? toTenantSettings(row) : null;
  };
  return {
    get: () => get(ctx),
    put: (input: TenantSettingsInput) =>
      inTransaction(ctx, async (tx) => {
        const row: TenantSettingsTable = {
          singleton: 1,
          tenant_id: input.tenantId,
          display_name: input.displayName,
          emergency_access_user_ids: toJson(input.emergencyAccessUserIds ?? []),
          emergency_access_group_ids: toJson(input.emergencyAccessGroupIds ?? []),
          naming_standard_pattern: input.namingStandardPattern ?? null,
          settings: toJson(input.settings ?? {}),
          modified_date_time: tx.now(),
        };
        await tx.db.deleteFrom("tenant_settings").where("singleton", "=", 1).execute();
        await tx.db.insertInto("tenant_settings").values(row).execute();
        return toTenantSettings(row);
      }),
  };
}
