/** Security review: a What If that cannot be made fails closed (503) without leaking the store's internal error text. */
import { afterEach, beforeEach, describe, expect, it, vi } from "vitest";
import { call, createTestTenant, IDS, type TestTenant } from "../test-server.js";

let t: TestTenant;
beforeEach(async () => {
  t = await createTestTenant();
});
afterEach(async () => {
  vi.restoreAllMocks();
  await t.close();
});

describe("POST /evaluate when the tenant cannot be loaded", () => {
  it("answers 503 ServiceUnavailable without the driver's message (hosts, users, passwords)", async () => {
    vi.spyOn(t.store, "loadTenantSnapshot").mockRejectedValue(
      new Error('password authentication failed for user "gatehouse" at db.internal.example:5432 (secret s3cr3t-Pa55)'),
    );
    const res = await call(t.app, "POST", "/v1.0/identity/conditionalAccess/evaluate", {
      token: t.tokens.caAdmin,
      body: {
        signInIdentity: { "@odata.type": "#microsoft.graph.userSignIn", userId: IDS.plainUser },
        signInContext: { "@odata.type": "#microsoft.graph.applicationContext", includeApplications: ["All"] },
      },
    });
    expect(res.status).toBe(503);
    expect(res.json.error.code).toBe("ServiceUnavailable");
    expect(res.text).not.toContain("s3cr3t");
    expect(res.text).not.toContain("db.internal.example");
    expect(res.text).not.toContain("password authentication failed");
  });
});
