/** Test fixture: a tenant set up by `initTenant` on a temporary SQLite file, a daemon application with a secret, and a server with the sign-in service. */
import { mkdtemp, rm } from "node:fs/promises";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { type ConditionalAccessPolicy, normalizePolicy } from "@gatehouse/engine";
import { createServer, DIRECTORY_ROLE_IDS, hashPassword, type InitResult, initTenant } from "@gatehouse/server";
import { openStore, type Store } from "@gatehouse/store";
import type { FastifyInstance } from "fastify";

/** `createServer({ oidc: true })`'s issuer. */
export const ISSUER = "http://127.0.0.1:8080/oauth2";
export const DAEMON_SECRET = "s3cr3t-Value_for.the~daemon-0123456789ab";

export interface OidcTestTenant {
  dir: string;
  store: Store;
  app: FastifyInstance;
  init: InitResult;
  daemon: { appId: string; applicationId: string; servicePrincipalId: string };
  /** Closes the server and the store, then opens both again on the same file. */
  restart(): Promise<void>;
  close(): Promise<void>;
}

const audit = {
  initiatedBy: { user: { id: "00000000-0000-4000-8000-00000000000a", userPrincipalName: "test@contoso.test" } },
  correlationId: "c0ffee00-0000-4000-8000-000000000001",
};

export async function createOidcTestTenant(): Promise<OidcTestTenant> {
  const dir = await mkdtemp(join(tmpdir(), "gatehouse-oidc-"));
  const sqlitePath = join(dir, "gatehouse.db");
  const store = await openStore({ sqlitePath });
  const init = await initTenant(store, { adminUpn: "admin@contoso.test", adminPassword: "correct horse battery staple", now: new Date() });
  const application = await store.applications.create({ displayName: "Nightly export" });
  const sp = await store.servicePrincipals.create({
    appId: application.appId,
    displayName: "Nightly export",
    appOwnerOrganizationId: init.tenantId,
  });
  await store.applications.addPasswordCredential(application.id, {
    secretHash: await hashPassword(DAEMON_SECRET),
    hint: DAEMON_SECRET.slice(0, 3),
  });
  // No app-role model yet: the daemon reads policies through a directory role of its service principal.
  await store.roleAssignments.create({ roleTemplateId: DIRECTORY_ROLE_IDS.securityReader, principalId: sp.id });

  const fixture: OidcTestTenant = {
    dir,
    store,
    app: await createServer({ store, oidc: true, rateLimitPerMinute: 0, signInRetentionIntervalMs: 0 }),
    init,
    daemon: { appId: application.appId, applicationId: application.id, servicePrincipalId: sp.id },
    async restart() {
      await fixture.app.close();
      await fixture.store.close();
      fixture.store = await openStore({ sqlitePath });
      fixture.app = await createServer({
        store: fixture.store,
        oidc: true,
        rateLimitPerMinute: 0,
        signInRetentionIntervalMs: 0,
      });
    },
    async close() {
      await fixture.app.close();
      await fixture.store.close();
      await rm(dir, { recursive: true, force: true });
    },
  };
  return fixture;
}

/** Stores a policy given as Graph JSON (normalized as the server stores it). */
export async function addPolicy(store: Store, raw: Record<string, unknown>): Promise<string> {
  const { policy, issues } = normalizePolicy(raw);
  const errors = issues.filter((i) => i.severity === "error");
  if (policy === null || errors.length > 0) throw new Error(`test policy does not normalize: ${JSON.stringify(errors)}`);
  const record = await store.policies.create(policy as ConditionalAccessPolicy, { audit });
  return record.policy.id as string;
}

export const form = (fields: Record<string, string>): string => new URLSearchParams(fields).toString();

export const basic = (id: string, secret: string): string =>
  `Basic ${Buffer.from(`${encodeURIComponent(id)}:${encodeURIComponent(secret)}`).toString("base64")}`;
