import { GatehouseError } from "../gatehouse-error.js";
import type {
  ApplicationFilter,
  ApplicationPatch,
  ApplicationRecord,
  ApplicationRepository,
  KeyCredentialRecord,
  NewApplication,
  NewKeyCredential,
  NewPasswordCredential,
  PasswordCredentialRecord,
} from "../types.js";
import type { ApplicationsTable, KeyCredentialsTable, PasswordCredentialsTable } from "./database.js";
import { fromFlag, fromJson, toFlag, toJson } from "./json-column.js";
import { equalsIgnoringCase, nameConditions, readPage } from "./read-page.js";
import { inTransaction, type RepositoryContext } from "./repository-context.js";

export const toApplicationRecord = (row: ApplicationsTable): ApplicationRecord => ({
  id: row.id,
  appId: row.app_id,
  displayName: row.display_name,
  description: row.description,
  signInAudience: row.sign_in_audience,
  identifierUris: fromJson<string[]>(row.identifier_uris, []),
  redirectUris: fromJson<string[]>(row.redirect_uris, []),
  isPublicClient: fromFlag(row.is_public_client),
  createdDateTime: row.created_date_time,
});

const toPasswordCredentialRecord = (row: Omit<PasswordCredentialsTable, "secret_hash" | "application_id">): PasswordCredentialRecord => ({
  keyId: row.key_id,
  displayName: row.display_name,
  hint: row.hint,
  startDateTime: row.start_date_time,
  endDateTime: row.end_date_time,
});

const toKeyCredentialRecord = (row: KeyCredentialsTable): KeyCredentialRecord => ({
  keyId: row.key_id,
  customKeyIdentifier: row.custom_key_identifier,
  displayName: row.display_name,
  type: row.type,
  usage: row.usage,
  key: row.key,
  startDateTime: row.start_date_time,
  endDateTime: row.end_date_time,
});

const keyCredentialRow = (ctx: RepositoryContext, applicationId: string, credential: NewKeyCredential): KeyCredentialsTable => ({
  key_id: credential.keyId ?? ctx.newId(),
  application_id: applicationId,
  custom_key_identifier: credential.customKeyIdentifier,
  display_name: credential.displayName ?? null,
  type: credential.type,
  usage: credential.usage,
  key: credential.key,
  start_date_time: credential.startDateTime,
  end_date_time: credential.endDateTime,
});

const publicCredentialColumns = ["key_id", "display_name", "hint", "start_date_time", "end_date_time"] as const;

async function mustExist(tx: RepositoryContext, id: string): Promise<void> {
  const row = await tx.db.selectFrom("applications").select("id").where("id", "=", id).executeTakeFirst();
  if (!row) throw new GatehouseError("notFound", `there is no application with the id ${id}`);
}

export function createApplicationRepository(ctx: RepositoryContext): ApplicationRepository {
  const { db } = ctx;
  return {
    async create(application: NewApplication) {
      const row: ApplicationsTable = {
        id: application.id ?? ctx.newId(),
        app_id: application.appId ?? ctx.newId(),
        display_name: application.displayName,
        description: application.description ?? null,
        sign_in_audience: application.signInAudience ?? "AzureADMyOrg",
        identifier_uris: toJson(application.identifierUris ?? []),
        redirect_uris: toJson(application.redirectUris ?? []),
        is_public_client: toFlag(application.isPublicClient ?? false),
        created_date_time: ctx.now(),
      };
      await db.insertInto("applications").values(row).execute();
      return toApplicationRecord(row);
    },
    async get(id: string) {
      const row = await db.selectFrom("applications").selectAll().where("id", "=", id).executeTakeFirst();
      return row ? toApplicationRecord(row) : null;
    },
    async getByAppId(appId: string) {
      const row = await db.selectFrom("applications").selectAll().where(equalsIgnoringCase("app_id", appId)).executeTakeFirst();
      return row ? toApplicationRecord(row) : null;
    },
    list: (options) => {
      const filter: ApplicationFilter | undefined = options?.filter;
      const conditions = nameConditions(filter);
      if (filter?.appId !== undefined) conditions.push(equalsIgnoringCase("app_id", filter.appId));
      return readPage(
        db,
        db.selectFrom("applications").selectAll(),
        conditions,
        [
          ["display_name", "asc"],
          ["id", "asc"],
        ],
        options,
        toApplicationRecord,
      );
    },
    update: (id: string, patch: ApplicationPatch) =>
      inTransaction(ctx, async (tx) => {
        await mustExist(tx, id);
        const values: Partial<ApplicationsTable> = {};
        if (patch.displayName !== undefined) values.display_name = patch.displayName;
        if (patch.description !== undefined) values.description = patch.description;
        if (patch.signInAudience !== undefined) values.sign_in_audience = patch.signInAudience;
        if (patch.identifierUris !== undefined) values.identifier_uris = toJson(patch.identifierUris);
        if (patch.redirectUris !== undefined) values.redirect_uris = toJson(patch.redirectUris);
        if (patch.isPublicClient !== undefined) values.is_public_client = toFlag(patch.isPublicClient);
        if (Object.keys(values).length > 0) await tx.db.updateTable("applications").set(values).where("id", "=", id).execute();
        return toApplicationRecord(await tx.db.selectFrom("applications").selectAll().where("id", "=", id).executeTakeFirstOrThrow());
      }),
    async delete(id: string) {
      // Password and key credentials go by ON DELETE CASCADE.
      const result = await db.deleteFrom("applications").where("id", "=", id).executeTakeFirst();
      if (result.numDeletedRows === 0n) throw new GatehouseError("notFound", `there is no application with the id ${id}`);
    },
    addPasswordCredential: (applicationId: string, credential: NewPasswordCredential) =>
      inTransaction(ctx, async (tx) => {
        await mustExist(tx, applicationId);
        const row: PasswordCredentialsTable = {
          key_id: credential.keyId ?? tx.newId(),
          application_id: applicationId,
          secret_hash: credential.secretHash,
          hint: credential.hint ?? null,
          display_name: credential.displayName ?? null,
          start_date_time: credential.startDateTime ?? tx.now(),
          end_date_time: credential.endDateTime ?? null,
        };
        await tx.db.insertInto("password_credentials").values(row).execute();
        return toPasswordCredentialRecord(row);
      }),
    async removePasswordCredential(applicationId: string, keyId: string) {
      const result = await db
        .deleteFrom("password_credentials")
        .where("application_id", "=", applicationId)
        .where("key_id", "=", keyId)
        .executeTakeFirst();
      if (result.numDeletedRows === 0n) {
        throw new GatehouseError("notFound", `the application ${applicationId} has no password credential with the keyId ${keyId}`);
      }
    },
    listPasswordCredentials: (applicationId: string) =>
      inTransaction(ctx, async (tx) => {
        await mustExist(tx, applicationId);
        const rows = await tx.db
          .selectFrom("password_credentials")
          .select(publicCredentialColumns)
          .where("application_id", "=", applicationId)
          .orderBy("start_date_time")
          .orderBy("key_id")
          .execute();
        return rows.map(toPasswordCredentialRecord);
      }),
    listKeyCredentials: (applicationId: string) =>
      inTransaction(ctx, async (tx) => {
        await mustExist(tx, applicationId);
        const rows = await tx.db
          .selectFrom("key_credentials")
          .selectAll()
          .where("application_id", "=", applicationId)
          .orderBy("start_date_time")
          .orderBy("key_id")
          .execute();
        return rows.map(toKeyCredentialRecord);
      }),
    replaceKeyCredentials: (applicationId: string, credentials: readonly NewKeyCredential[]) =>
      inTransaction(ctx, async (tx) => {
        await mustExist(tx, applicationId);
        await tx.db.deleteFrom("key_credentials").where("application_id", "=", applicationId).execute();
        const rows = credentials.map((c) => keyCredentialRow(tx, applicationId, c));
        if (rows.length > 0) await tx.db.insertInto("key_credentials").values(rows).execute();
        return rows
          .map(toKeyCredentialRecord)
          .sort((a, b) => a.startDateTime.localeCompare(b.startDateTime) || a.keyId.localeCompare(b.keyId));
      }),
    addKeyCredential: (applicationId: string, credential: NewKeyCredential) =>
      inTransaction(ctx, async (tx) => {
        await mustExist(tx, applicationId);
        const row = keyCredentialRow(tx, applicationId, credential);
        await tx.db.insertInto("key_credentials").values(row).execute();
        return toKeyCredentialRecord(row);
      }),
    async removeKeyCredential(applicationId: string, keyId: string) {
      const result = await db
        .deleteFrom("key_credentials")
        .where("application_id", "=", applicationId)
        .where("key_id", "=", keyId)
        .executeTakeFirst();
      if (result.numDeletedRows === 0n) {
        throw new GatehouseError("notFound", `the application ${applicationId} has no key credential with the keyId ${keyId}`);
      }
    },
    async listClientCertificates(appId: string) {
      const rows = await db
        .selectFrom("key_credentials")
        .innerJoin("applications", "applications.id", "key_credentials.application_id")
        .selectAll("key_credentials")
        .where(equalsIgnoringCase("applications.app_id", appId))
        .orderBy("key_credentials.start_date_time")
        .orderBy("key_credentials.key_id")
        .execute();
      return rows.map(toKeyCredentialRecord);
    },
    async listClientSecretHashes(appId: string) {
      const rows = await db
        .selectFrom("password_credentials")
        .innerJoin("applications", "applications.id", "password_credentials.application_id")
        .select([
          "password_credentials.key_id",
          "password_credentials.secret_hash",
          "password_credentials.start_date_time",
          "password_credentials.end_date_time",
        ])
        .where(equalsIgnoringCase("applications.app_id", appId))
        .orderBy("password_credentials.key_id")
        .execute();
      return rows.map((r) => ({
        keyId: r.key_id,
        secretHash: r.secret_hash,
        startDateTime: r.start_date_time,
        endDateTime: r.end_date_time,
      }));
    },
  };
}
