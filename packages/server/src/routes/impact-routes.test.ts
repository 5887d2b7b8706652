import { compileTenant, evaluateSignIn, toSignInLogEntry, type WhatIfRequest } from "@gatehouse/engine";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { call, createTestTenant, IDS, mfaPolicy, type TestTenant } from "../test-server.js";

const IMPACT = "/v1.0/identity/conditionalAccess/impact";
const APP = "5b000000-0000-4000-8000-0000000000aa";
let t: TestTenant;
let policyId = "";

/** 1,100 sign-ins (more than two store pages): every third one used MFA. */
const COUNT = 1100;
const mfaDone = (i: number): boolean => i % 3 === 0;
const userOf = (i: number): string => (i % 2 === 0 ? IDS.plainUser : IDS.caAdmin);

beforeAll(async () => {
  t = await createTestTenant();
  const created = await call(t.app, "POST", "/v1.0/identity/conditionalAccess/policies", {
    token: t.tokens.caAdmin,
    body: {
      ...mfaPolicy("CA01 - Require MFA (trial)"),
      conditions: {
        ...(mfaPolicy("x").conditions as object),
        users: { includeUsers: ["All"], excludeUsers: [IDS.breakGlass1], excludeGroups: [IDS.emergencyGroup] },
      },
    },
  });
  expect(created.status).toBe(201);
  policyId = created.json.id;
  const compiled = compileTenant(await t.store.loadTenantSnapshot());
  for (let i = 0; i < COUNT; i++) {
    const request: WhatIfRequest = {
      signInIdentity: { "@odata.type": "#microsoft.graph.userSignIn", userId: userOf(i) },
      signInContext: { "@odata.type": "#microsoft.graph.applicationContext", includeApplications: [APP] },
      signInConditions: { clientAppType: "browser", devicePlatform: "windows", ipAddress: "203.0.113.9" },
      satisfied: { authenticationMethods: mfaDone(i) ? ["password", "microsoftAuthenticatorPush"] : ["password"] },
    };
    await t.store.signIns.append(
      toSignInLogEntry({
        tenant: compiled,
        request,
        evaluation: evaluateSignIn(compiled, request),
        id: `s-${i}`,
        createdDateTime: new Date(Date.UTC(2026, 0, 1) + i * 60_000).toISOString(),
        correlationId: `c-${i}`,
      }),
    );
  }
}, 120_000);
afterAll(async () => {
  await t?.close();
});

describe("POST /v1.0/identity/conditionalAccess/impact", () => {
  it("replays the whole sign-in log (every page) through a report-only -> on change", async () => {
    const res = await call(t.app, "POST", IMPACT, { token: t.tokens.caAdmin, body: { stateChanges: { [policyId]: "enabled" } } });
    expect(res.status).toBe(200);
    const withoutMfa = Array.from({ length: COUNT }, (_, i) => i).filter((i) => !mfaDone(i)).length;
    expect(res.json.records.evaluated).toBe(COUNT);
    expect(res.json.summary).toEqual({
      changedSignIns: withoutMfa,
      changedUsers: 2,
      transitions: [{ from: "grant", to: "challenge", signIns: withoutMfa, users: 2 }],
    });
    expect(res.json.changes).toEqual([expect.objectContaining({ policyId, change: "stateChanged", toState: "enabled" })]);
    expect(res.json.byPolicy[0]).toMatchObject({ key: policyId, label: "CA01 - Require MFA (trial)" });
  });

  it("limits the replay to the period, and takes proposed policies as Graph JSON", async () => {
    const period = { from: "2026-01-01T00:00:00Z", to: "2026-01-01T01:00:00Z" };
    const block = {
      id: "ffffffff-0000-4000-8000-0000000000b1",
      displayName: "CA02 - Block the app",
      state: "enabled",
      conditions: { clientAppTypes: ["all"], applications: { includeApplications: [APP] }, users: { includeUsers: [IDS.plainUser] } },
      grantControls: { operator: "OR", builtInControls: ["block"] },
    };
    const res = await call(t.app, "POST", IMPACT, { token: t.tokens.globalAdmin, body: { policies: [block], period } });
    expect(res.status).toBe(200);
    expect(res.json.records.evaluated).toBe(60);
    expect(res.json.summary.changedSignIns).toBe(30);
    expect(res.json.summary.transitions).toEqual([{ from: "grant", to: "block", signIns: 30, users: 1 }]);
    expect(res.json.period).toEqual({ from: "2026-01-01T00:00:00.000Z", to: "2026-01-01T01:00:00.000Z" });
  });

  it("is for administrators only, and refuses an empty or invalid proposal with 400", async () => {
    expect((await call(t.app, "POST", IMPACT, { body: { stateChanges: { [policyId]: "enabled" } } })).status).toBe(401);
    expect(
      (await call(t.app, "POST", IMPACT, { token: t.tokens.securityReader, body: { stateChanges: { [policyId]: "enabled" } } })).status,
    ).toBe(403);
    expect(
      (await call(t.app, "POST", IMPACT, { token: t.tokens.plainUser, body: { stateChanges: { [policyId]: "enabled" } } })).status,
    ).toBe(403);
    expect((await call(t.app, "POST", IMPACT, { token: t.tokens.caAdmin, body: {} })).status).toBe(400);
    expect(
      (await call(t.app, "POST", IMPACT, { token: t.tokens.caAdmin, body: { stateChanges: { [policyId]: "sometimes" } } })).status,
    ).toBe(400);
    const unknown = await call(t.app, "POST", IMPACT, { token: t.tokens.caAdmin, body: { stateChanges: { nope: "enabled" } } });
    expect(unknown.status).toBe(400);
    expect(JSON.stringify(unknown.json)).toContain("nope");
  });
});
