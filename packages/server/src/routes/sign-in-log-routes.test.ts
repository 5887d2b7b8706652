import {
  type CompiledTenant,
  compileTenant,
  evaluateSignIn,
  normalizePolicy,
  type SignInLogEntry,
  toSignInLogEntry,
  type WhatIfRequest,
} from "@gatehouse/engine";
import type { Store } from "@gatehouse/store";
import { afterAll, beforeAll, describe, expect, it, vi } from "vitest";
import { createServer } from "../create-server.js";
import { purgeExpiredSignIns } from "../operations/sign-in-logs/purge-expired-sign-ins.js";
import { call, createTestTenant, IDS, type TestTenant } from "../test-server.js";

const SIGN_INS = "/v1.0/auditLogs/signIns";
const PORTAL = "5b000000-0000-4000-8000-000000000001";
const PAYROLL = "5b000000-0000-4000-8000-000000000002";

let t: TestTenant;
let compiled: CompiledTenant;

/** A real record: the engine's decision for `userId` signing in to `appId`, on the test tenant plus one MFA policy. */
function entry(id: string, createdDateTime: string, userId: string, appId: string, methods: string[] = ["password"]): SignInLogEntry {
  const request: WhatIfRequest = {
    signInIdentity: { "@odata.type": "#microsoft.graph.userSignIn", userId },
    signInContext: { "@odata.type": "#microsoft.graph.applicationContext", includeApplications: [appId] },
    signInConditions: { clientAppType: "browser", devicePlatform: "windows", ipAddress: "203.0.113.7" },
    satisfied: { authenticationMethods: methods },
  };
  return toSignInLogEntry({
    tenant: compiled,
    request,
    evaluation: evaluateSignIn(compiled, request),
    id,
    createdDateTime,
    correlationId: `corr-${id}`,
  });
}

async function appendAll(store: Store, entries: SignInLogEntry[]): Promise<void> {
  for (const e of entries) await store.signIns.append(e);
}

async function setRetentionDays(store: Store, days: unknown): Promise<void> {
  const current = await store.tenant.get();
  if (current === null) throw new Error("no tenant");
  const { modifiedDateTime: _m, ...input } = current;
  await store.tenant.put({ ...input, settings: { ...current.settings, signInLogRetentionDays: days } });
}

beforeAll(async () => {
  t = await createTestTenant();
  const { policy, issues } = normalizePolicy({
    id: "ffffffff-0000-4000-8000-000000000001",
    displayName: "CA01 - Require MFA for Payroll",
    state: "enabled",
    conditions: {
      clientAppTypes: ["all"],
      applications: { includeApplications: [PAYROLL] },
      users: { includeUsers: ["All"] },
    },
    grantControls: { operator: "OR", builtInControls: ["mfa"] },
  });
  if (policy === null || issues.some((i) => i.severity === "error")) throw new Error(JSON.stringify(issues));
  compiled = compileTenant({ ...(await t.store.loadTenantSnapshot()), policies: [policy] });
  await appendAll(t.store, [
    entry("s-1", "2026-01-01T08:00:00Z", IDS.plainUser, PORTAL),
    entry("s-2", "2026-01-02T08:00:00Z", IDS.plainUser, PAYROLL),
    entry("s-3", "2026-01-03T08:00:00Z", IDS.plainUser, PAYROLL, ["password", "microsoftAuthenticatorPush"]),
    entry("s-4", "2026-01-04T08:00:00Z", IDS.caAdmin, PAYROLL, ["password", "microsoftAuthenticatorPush"]),
    entry("s-5", "2026-01-05T08:00:00Z", IDS.caAdmin, PORTAL),
  ]);
});
afterAll(async () => {
  await t.close();
});

const ids = (res: { json: { value: SignInLogEntry[] } }): string[] => res.json.value.map((r) => r.id);

async function list(filter: string, token = t.tokens.securityReader) {
  return call(t.app, "GET", `${SIGN_INS}?$filter=${encodeURIComponent(filter)}`, { token });
}

describe("GET /v1.0/auditLogs/signIns", () => {
  it("lists Graph signIn records newest first, as the engine wrote them", async () => {
    const res = await call(t.app, "GET", SIGN_INS, { token: t.tokens.securityReader });
    expect(res.status).toBe(200);
    expect(res.json["@odata.context"]).toMatch(/\/v1\.0\/\$metadata#auditLogs\/signIns$/);
    expect(res.json["@odata.nextLink"]).toBeUndefined();
    expect(ids(res)).toEqual(["s-5", "s-4", "s-3", "s-2", "s-1"]);
    const [s5] = res.json.value as SignInLogEntry[];
    expect(s5).toEqual(JSON.parse(JSON.stringify(entry("s-5", "2026-01-05T08:00:00Z", IDS.caAdmin, PORTAL))));
    expect(s5?.conditionalAccessStatus).toBe("notApplied");
    expect(s5?.appliedConditionalAccessPolicies).toEqual([expect.objectContaining({ result: "notApplied" })]);
  });

  it("gets one record with its entity context, and 404 for an unknown id", async () => {
    const res = await call(t.app, "GET", `${SIGN_INS}/s-2`, { token: t.tokens.globalAdmin });
    expect(res.status).toBe(200);
    expect(res.json["@odata.context"]).toMatch(/#auditLogs\/signIns\/\$entity$/);
    expect(res.json).toMatchObject({ id: "s-2", userId: IDS.plainUser, appId: PAYROLL, conditionalAccessStatus: "failure" });
    expect(res.json.status.errorCode).toBe(50074);
    const missing = await call(t.app, "GET", `${SIGN_INS}/nope`, { token: t.tokens.globalAdmin });
    expect(missing.status).toBe(404);
    expect(missing.json.error.code).toBe("Request_ResourceNotFound");
  });

  it("filters on userId, appId, conditionalAccessStatus, correlationId and createdDateTime ranges, joined with and", async () => {
    expect(ids(await list(`userId eq '${IDS.caAdmin}'`))).toEqual(["s-5", "s-4"]);
    expect(ids(await list(`userId eq '${IDS.caAdmin.toUpperCase()}'`))).toEqual(["s-5", "s-4"]);
    expect(ids(await list(`appId eq '${PAYROLL}'`))).toEqual(["s-4", "s-3", "s-2"]);
    expect(ids(await list("conditionalAccessStatus eq 'success'"))).toEqual(["s-4", "s-3"]);
    expect(ids(await list("conditionalAccessStatus eq 'failure'"))).toEqual(["s-2"]);
    expect(ids(await list("correlationId eq 'corr-s-1'"))).toEqual(["s-1"]);
    expect(ids(await list("createdDateTime ge 2026-01-03T08:00:00Z"))).toEqual(["s-5", "s-4", "s-3"]);
    expect(ids(await list("createdDateTime le 2026-01-02T08:00:00Z"))).toEqual(["s-2", "s-1"]);
    expect(ids(await list("createdDateTime ge 2026-01-02T00:00:00Z and createdDateTime le 2026-01-04T10:00:00+02:00"))).toEqual([
      "s-4",
      "s-3",
      "s-2",
    ]);
    expect(
      ids(await list(`appId eq '${PAYROLL}' and createdDateTime ge 2026-01-02T09:00:00Z and conditionalAccessStatus eq 'success'`)),
    ).toEqual(["s-4", "s-3"]);
    expect(ids(await list(`userId eq '${IDS.plainUser}' and userId eq '${IDS.plainUser}' and appId eq '${PORTAL}'`))).toEqual(["s-1"]);
  });

  it("answers 400 for any other $filter expression or a bad date", async () => {
    for (const filter of [
      "startswith(userPrincipalName,'user')",
      "userPrincipalName eq 'user@contoso.example'",
      "createdDateTime gt 2026-01-01T00:00:00Z",
      "createdDateTime ge yesterday",
      "createdDateTime ge 2026-01-01",
      `userId eq '${IDS.caAdmin}' or appId eq '${PORTAL}'`,
      "createdDateTime ge 2026-01-01T00:00:00Z and createdDateTime ge 2026-01-02T00:00:00Z",
      "status/errorCode eq 0",
    ]) {
      const res = await list(filter);
      expect(res.status, filter).toBe(400);
      expect(res.json.error.code, filter).toBe("BadRequest");
    }
    expect((await call(t.app, "GET", `${SIGN_INS}?$orderby=createdDateTime`, { token: t.tokens.securityReader })).status).toBe(400);
  });

  it("pages with $top and an @odata.nextLink that keeps the filter", async () => {
    const filter = "createdDateTime ge 2026-01-02T00:00:00Z";
    const first = await call(t.app, "GET", `${SIGN_INS}?$top=2&$filter=${encodeURIComponent(filter)}`, { token: t.tokens.securityReader });
    expect(ids(first)).toEqual(["s-5", "s-4"]);
    const next = new URL(first.json["@odata.nextLink"] as string);
    expect(next.pathname).toBe(SIGN_INS);
    expect(next.searchParams.get("$filter")).toBe(filter);
    const second = await call(t.app, "GET", `${next.pathname}${next.search}`, { token: t.tokens.securityReader });
    expect(ids(second)).toEqual(["s-3", "s-2"]);
    expect(second.json["@odata.nextLink"]).toBeUndefined();
    expect((await call(t.app, "GET", `${SIGN_INS}?$skiptoken=bogus`, { token: t.tokens.securityReader })).status).toBe(400);
    expect((await call(t.app, "GET", `${SIGN_INS}?$top=0`, { token: t.tokens.securityReader })).status).toBe(400);
  });

  it("is for the audit readers: 401 without a token, 403 for other administrators", async () => {
    expect((await call(t.app, "GET", SIGN_INS)).status).toBe(401);
    expect((await call(t.app, "GET", `${SIGN_INS}/s-1`)).status).toBe(401);
    for (const token of [t.tokens.userAdmin, t.tokens.caAdmin, t.tokens.appAdmin, t.tokens.plainUser, t.tokens.writerSp]) {
      const res = await call(t.app, "GET", SIGN_INS, { token });
      expect(res.status).toBe(403);
      expect(res.json.error.message).toContain("read the sign-in logs");
    }
    expect((await call(t.app, "GET", `${SIGN_INS}/s-1`, { token: t.tokens.userAdmin })).status).toBe(403);
    for (const token of [t.tokens.globalAdmin, t.tokens.securityReader, t.tokens.globalReaderViaGroup, t.tokens.readerSp]) {
      expect((await call(t.app, "GET", SIGN_INS, { token })).status).toBe(200);
    }
  });

  it("refuses every write with 405: records come from the sign-in service only", async () => {
    for (const [method, url] of [
      ["POST", SIGN_INS],
      ["PUT", SIGN_INS],
      ["PATCH", `${SIGN_INS}/s-1`],
      ["DELETE", `${SIGN_INS}/s-1`],
    ] as const) {
      const res = await call(t.app, method, url, { token: t.tokens.globalAdmin, body: { id: "forged" } });
      expect(res.status, `${method} ${url}`).toBe(405);
      expect(res.headers.allow).toBe("GET");
    }
    expect((await t.store.signIns.get("s-1"))?.id).toBe("s-1");
    expect(await t.store.signIns.get("forged")).toBeNull();
  });

  it("is described in the OpenAPI document with its permission", async () => {
    const doc = (await call(t.app, "GET", "/openapi.json")).json;
    expect(doc.paths[SIGN_INS]?.get?.["x-gatehouse-permission"]?.permission).toBe("signInLogs.read");
  });
});

describe("sign-in log retention", () => {
  it("purges records older than the tenant's signInLogRetentionDays (default 30)", async () => {
    const r = await createTestTenant();
    try {
      await appendAll(r.store, [
        entry("old", "2026-01-01T00:00:00Z", IDS.plainUser, PORTAL),
        entry("mid", "2026-01-20T00:00:00Z", IDS.plainUser, PORTAL),
        entry("new", "2026-01-30T00:00:00Z", IDS.plainUser, PORTAL),
      ]);
      const now = new Date("2026-02-05T00:00:00Z");
      expect(await purgeExpiredSignIns(r.store, now)).toEqual({ retentionDays: 30, cutoff: "2026-01-06T00:00:00.000Z", purged: 1 });
      await setRetentionDays(r.store, 7);
      expect(await purgeExpiredSignIns(r.store, now)).toEqual({ retentionDays: 7, cutoff: "2026-01-29T00:00:00.000Z", purged: 1 });
      expect((await r.store.signIns.list()).value.map((e) => e.id)).toEqual(["new"]);
      await setRetentionDays(r.store, "forever");
      expect((await purgeExpiredSignIns(r.store, now)).retentionDays).toBe(30);
      // The signing keys in the same settings document are kept: tokens still work.
      expect((await call(r.app, "GET", SIGN_INS, { token: r.tokens.securityReader })).status).toBe(200);
    } finally {
      await r.close();
    }
  });

  it("runs when the server starts and then on its timer, which stops when the server closes", async () => {
    const r = await createTestTenant();
    try {
      await setRetentionDays(r.store, 10);
      let now = new Date("2026-03-01T00:00:00Z");
      await appendAll(r.store, [
        entry("expired", "2026-02-01T00:00:00Z", IDS.plainUser, PORTAL),
        entry("kept", "2026-02-25T00:00:00Z", IDS.plainUser, PORTAL),
      ]);
      const app = await createServer({ store: r.store, now: () => now, signInRetentionIntervalMs: 20 });
      try {
        expect((await r.store.signIns.list()).value.map((e) => e.id)).toEqual(["kept"]);
        now = new Date("2026-03-10T00:00:00Z");
        await vi.waitFor(async () => expect((await r.store.signIns.list()).value).toEqual([]), { timeout: 2000, interval: 20 });
      } finally {
        await app.close();
      }
      await r.store.signIns.append(entry("after-close", "2026-01-01T00:00:00Z", IDS.plainUser, PORTAL));
      await new Promise((resolve) => setTimeout(resolve, 80));
      expect((await r.store.signIns.list()).value.map((e) => e.id)).toEqual(["after-close"]);
    } finally {
      await r.close();
    }
  });

  it("can be turned off with signInRetentionIntervalMs 0", async () => {
    const r = await createTestTenant();
    try {
      await r.store.signIns.append(entry("ancient", "2020-01-01T00:00:00Z", IDS.plainUser, PORTAL));
      const app = await createServer({ store: r.store, signInRetentionIntervalMs: 0 });
      await app.close();
      expect(await r.store.signIns.get("ancient")).not.toBeNull();
    } finally {
      await r.close();
    }
  });
});
