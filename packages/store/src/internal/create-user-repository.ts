import { GatehouseError } from "../gatehouse-error.js";
import type { NewUser, UserFilter, UserPatch, UserRecord, UserRepository } from "../types.js";
import type { UsersTable } from "./database.js";
import { fromFlag, toFlag } from "./json-column.js";
import { type Condition, equals, equalsIgnoringCase, nameConditions, readPage } from "./read-page.js";
import { inTransaction, type RepositoryContext } from "./repository-context.js";

export const toUserRecord = (row: Omit<UsersTable, "password_hash">): UserRecord => ({
  id: row.id,
  userPrincipalName: row.user_principal_name,
  displayName: row.display_name,
  userType: row.user_type,
  accountEnabled: fromFlag(row.account_enabled),
  externalUserType: row.external_user_type,
  externalTenantId: row.external_tenant_id,
  createdDateTime: row.created_date_time,
});

const userColumns = [
  "id",
  "user_principal_name",
  "display_name",
  "user_type",
  "account_enabled",
  "external_user_type",
  "external_tenant_id",
  "created_date_time",
] as const;

function userConditions(filter: UserFilter | undefined): Condition[] {
  const conditions = nameConditions(filter);
  if (filter?.userPrincipalName !== undefined) conditions.push(equalsIgnoringCase("user_principal_name", filter.userPrincipalName));
  if (filter?.userType !== undefined) conditions.push(equalsIgnoringCase("user_type", filter.userType));
  if (filter?.accountEnabled !== undefined) conditions.push(equals("account_enabled", toFlag(filter.accountEnabled)));
  return conditions;
}

export function createUserRepository(ctx: RepositoryContext): UserRepository {
  const { db } = ctx;
  const get = async (id: string): Promise<UserRecord | null> => {
    const row = await db.selectFrom("users").select(userColumns).where("id", "=", id).executeTakeFirst();
    return row ? toUserRecord(row) : null;
  };
  const mustExist = async (c: RepositoryContext, id: string): Promise<void> => {
    const row = await c.db.selectFrom("users").select("id").where("id", "=", id).executeTakeFirst();
    if (!row) throw new GatehouseError("notFound", `there is no user with the id ${id}`);
  };

  return {
    async create(user: NewUser) {
      const row: UsersTable = {
        id: user.id ?? ctx.newId(),
        user_principal_name: user.userPrincipalName,
        display_name: user.displayName,
        user_type: user.userType ?? "Member",
        account_enabled: toFlag(user.accountEnabled ?? true),
        external_user_type: user.externalUserType ?? null,
        external_tenant_id: user.externalTenantId ?? null,
        password_hash: user.passwordHash ?? null,
        created_date_time: ctx.now(),
      };
      await db.insertInto("users").values(row).execute();
      return toUserRecord(row);
    },
    get,
    async getByUserPrincipalName(userPrincipalName: string) {
      const row = await db
        .selectFrom("users")
        .select(userColumns)
        .where(equalsIgnoringCase("user_principal_name", userPrincipalName))
        .executeTakeFirst();
      return row ? toUserRecord(row) : null;
    },
    list: (options) =>
      readPage(
        db,
        db.selectFrom("users").select(userColumns),
        userConditions(options?.filter),
        [
          ["display_name", "asc"],
          ["id", "asc"],
        ],
        options,
        (row) => toUserRecord(row),
      ),
    update: (id: string, patch: UserPatch) =>
      inTransaction(ctx, async (tx) => {
        const values: Partial<UsersTable> = {};
        if (patch.userPrincipalName !== undefined) values.user_principal_name = patch.userPrincipalName;
        if (patch.displayName !== undefined) values.display_name = patch.displayName;
        if (patch.userType !== undefined) values.user_type = patch.userType;
        if (patch.accountEnabled !== undefined) values.account_enabled = toFlag(patch.accountEnabled);
        if (patch.externalUserType !== undefined) values.external_user_type = patch.externalUserType;
        if (patch.externalTenantId !== undefined) values.external_tenant_id = patch.externalTenantId;
        await mustExist(tx, id);
        if (Object.keys(values).length > 0) await tx.db.updateTable("users").set(values).where("id", "=", id).execute();
        const row = await tx.db.selectFrom("users").select(userColumns).where("id", "=", id).executeTakeFirstOrThrow();
        return toUserRecord(row);
      }),
    delete: (id: string) =>
      inTransaction(ctx, async (tx) => {
        await mustExist(tx, id);
        await tx.db.deleteFrom("group_members").where("member_id", "=", id).where("member_type", "=", "user").execute();
        await tx.db.deleteFrom("role_assignments").where("principal_id", "=", id).execute();
        await tx.db.deleteFrom("users").where("id", "=", id).execute();
      }),
    async getPasswordHash(id: string) {
      const row = await db.selectFrom("users").select("password_hash").where("id", "=", id).executeTakeFirst();
      if (!row) throw new GatehouseError("notFound", `there is no user with the id ${id}`);
      return row.password_hash;
    },
    async setPasswordHash(id: string, passwordHash: string | null) {
      const result = await db.updateTable("users").set({ password_hash: passwordHash }).where("id", "=", id).executeTakeFirst();
      if (result.numUpdatedRows === 0n) throw new GatehouseError("notFound", `there is no user with the id ${id}`);
    },
  };
}
