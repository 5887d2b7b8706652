/** Test fixture: a store on a temporary SQLite file with a small tenant, a server over it, and tokens. */
import { mkdtemp, rm } from "node:fs/promises";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { openStore, type Store } from "@gatehouse/store";
import type { FastifyInstance, InjectOptions, LightMyRequestResponse } from "fastify";
import { DIRECTORY_ROLE_IDS as R } from "./auth/directory-role-ids.js";
import { createServer } from "./create-server.js";
import { issueManagementToken } from "./signing-keys.js";

export const TENANT_ID = "0f0e0d0c-0b0a-4909-8807-060504030201";
export const NAMING_STANDARD = "^CA\\d{2} - ";

export const IDS = {
  caAdmin: "a0000000-0000-4000-8000-000000000001",
  globalAdmin: "a0000000-0000-4000-8000-000000000002",
  securityReader: "a0000000-0000-4000-8000-000000000003",
  userAdmin: "a0000000-0000-4000-8000-000000000004",
  appAdmin: "a0000000-0000-4000-8000-000000000005",
  roleAdmin: "a0000000-0000-4000-8000-000000000006",
  globalReaderViaGroup: "a0000000-0000-4000-8000-000000000007",
  plainUser: "c0000000-0000-4000-8000-000000000001",
  breakGlass1: "b0000000-0000-4000-8000-000000000001",
  breakGlass2: "b0000000-0000-4000-8000-000000000002",
  emergencyGroup: "e0000000-0000-4000-8000-000000000001",
  readersGroup: "e0000000-0000-4000-8000-000000000002",
  readerSp: "d0000000-0000-4000-8000-000000000001",
  writerSp: "d0000000-0000-4000-8000-000000000002",
  readerApp: "d1000000-0000-4000-8000-000000000001",
  writerApp: "d1000000-0000-4000-8000-000000000002",
} as const;

export interface TestTenant {
  store: Store;
  app: FastifyInstance;
  dir: string;
  tokens: Record<
    | "caAdmin"
    | "globalAdmin"
    | "securityReader"
    | "userAdmin"
    | "appAdmin"
    | "roleAdmin"
    | "globalReaderViaGroup"
    | "plainUser"
    | "readerSp"
    | "writerSp",
    string
  >;
  close(): Promise<void>;
}

export async function createTestTenant(options: { namingStandard?: string | null; now?: () => Date } = {}): Promise<TestTenant> {
  const dir = await mkdtemp(join(tmpdir(), "gatehouse-server-"));
  const store = await openStore({ sqlitePath: join(dir, "gatehouse.db") });
  await store.tenant.put({
    tenantId: TENANT_ID,
    displayName: "Contoso",
    emergencyAccessUserIds: [IDS.breakGlass1],
    emergencyAccessGroupIds: [IDS.emergencyGroup],
    namingStandardPattern: options.namingStandard === undefined ? NAMING_STANDARD : options.namingStandard,
  });
  const user = (id: string, upn: string, displayName: string) => store.users.create({ id, userPrincipalName: upn, displayName });
  await user(IDS.caAdmin, "ca.admin@contoso.example", "CA Admin");
  await user(IDS.globalAdmin, "global.admin@contoso.example", "Global Admin");
  await user(IDS.securityReader, "security.reader@contoso.example", "Security Reader");
  await user(IDS.userAdmin, "user.admin@contoso.example", "User Admin");
  await user(IDS.appAdmin, "app.admin@contoso.example", "App Admin");
  await user(IDS.roleAdmin, "role.admin@contoso.example", "Role Admin");
  await user(IDS.globalReaderViaGroup, "reader.group@contoso.example", "Reader Through Group");
  await user(IDS.plainUser, "user@contoso.example", "Plain User");
  await user(IDS.breakGlass1, "bg1@contoso.onmicrosoft.example", "Break Glass 1");
  await user(IDS.breakGlass2, "bg2@contoso.onmicrosoft.example", "Break Glass 2");
  await store.groups.create({ id: IDS.emergencyGroup, displayName: "Emergency access" });
  await store.groups.addMember(IDS.emergencyGroup, IDS.breakGlass2);
  await store.groups.create({ id: IDS.readersGroup, displayName: "Global readers", isAssignableToRole: true });
  await store.groups.addMember(IDS.readersGroup, IDS.globalReaderViaGroup);
  const assign = (roleTemplateId: string, principalId: string) => store.roleAssignments.create({ roleTemplateId, principalId });
  await assign(R.conditionalAccessAdministrator, IDS.caAdmin);
  await assign(R.globalAdministrator, IDS.globalAdmin);
  await assign(R.securityReader, IDS.securityReader);
  await assign(R.userAdministrator, IDS.userAdmin);
  await assign(R.applicationAdministrator, IDS.appAdmin);
  await assign(R.privilegedRoleAdministrator, IDS.roleAdmin);
  await assign(R.globalAdministrator, IDS.breakGlass1);
  await assign(R.globalAdministrator, IDS.breakGlass2);
  await assign(R.globalReader, IDS.readersGroup);
  await store.servicePrincipals.create({ id: IDS.readerSp, appId: IDS.readerApp, displayName: "Policy reader app" });
  await store.servicePrincipals.create({ id: IDS.writerSp, appId: IDS.writerApp, displayName: "Policy writer app" });

  const forUser = (userId: string) => issueManagementToken(store, { userId, amr: ["pwd", "mfa"] });
  const tokens: TestTenant["tokens"] = {
    caAdmin: await forUser(IDS.caAdmin),
    globalAdmin: await forUser(IDS.globalAdmin),
    securityReader: await forUser(IDS.securityReader),
    userAdmin: await forUser(IDS.userAdmin),
    appAdmin: await forUser(IDS.appAdmin),
    roleAdmin: await forUser(IDS.roleAdmin),
    globalReaderViaGroup: await forUser(IDS.globalReaderViaGroup),
    plainUser: await forUser(IDS.plainUser),
    readerSp: await issueManagementToken(store, {
      servicePrincipalId: IDS.readerSp,
      appId: IDS.readerApp,
      roles: ["Policy.Read.All", "AuditLog.Read.All"],
    }),
    writerSp: await issueManagementToken(store, {
      servicePrincipalId: IDS.writerSp,
      appId: IDS.writerApp,
      roles: ["Policy.ReadWrite.ConditionalAccess", "Directory.ReadWrite.All"],
    }),
  };
  const app = await createServer({ store, ...(options.now ? { now: options.now } : {}) });
  return {
    store,
    app,
    dir,
    tokens,
    async close() {
      await app.close();
      await store.close();
      await rm(dir, { recursive: true, force: true });
    },
  };
}

export interface CallOptions {
  token?: string;
  body?: unknown;
  headers?: Record<string, string>;
}

export interface CallResult {
  status: number;
  headers: LightMyRequestResponse["headers"];
  // biome-ignore lint/suspicious/noExplicitAny: tests read JSON freely
  json: any;
  text: string;
}

/** One in-process request; the body is sent as JSON. */
export async function call(
  app: FastifyInstance,
  method: InjectOptions["method"],
  url: string,
  options: CallOptions = {},
): Promise<CallResult> {
  const headers: Record<string, string> = { ...(options.headers ?? {}) };
  if (options.token !== undefined) headers.authorization = `Bearer ${options.token}`;
  const inject: InjectOptions = { method, url, headers };
  if (options.body !== undefined) {
    headers["content-type"] = "application/json";
    inject.payload = typeof options.body === "string" ? options.body : JSON.stringify(options.body);
  }
  const response = await app.inject(inject);
  let json: unknown = null;
  try {
    json = response.body === "" ? null : JSON.parse(response.body);
  } catch {
    json = null;
  }
  return { status: response.statusCode, headers: response.headers, json, text: response.body };
}

/** A Graph policy document: MFA for everyone on all apps, excluding the emergency-access accounts and the given users. */
export function mfaPolicy(
  displayName: string,
  state = "enabledForReportingButNotEnforced",
  excludeUsers: string[] = [IDS.breakGlass1],
): Record<string, unknown> {
  return {
    displayName,
    state,
    conditions: {
      clientAppTypes: ["all"],
      applications: { includeApplications: ["All"] },
      users: { includeUsers: ["All"], excludeUsers, excludeGroups: [IDS.emergencyGroup] },
    },
    grantControls: { operator: "OR", builtInControls: ["mfa"] },
  };
}
