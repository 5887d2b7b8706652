import { normalizePolicy } from "@gatehouse/engine";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { call, createTestTenant, IDS, type TestTenant } from "../test-server.js";

const LOCATIONS = "/v1.0/identity/conditionalAccess/namedLocations";

let t: TestTenant;
beforeAll(async () => {
  t = await createTestTenant();
});
afterAll(async () => {
  await t.close();
});

describe("named-location changes and the lockout guard rail (§4.5)", () => {
  it("refuses with 409 to untrust the location that keeps the caller in, unless acknowledged (audited)", async () => {
    const created = await call(t.app, "POST", LOCATIONS, {
      token: t.tokens.caAdmin,
      body: {
        "@odata.type": "#microsoft.graph.ipNamedLocation",
        displayName: "Head office",
        isTrusted: true,
        ipRanges: [{ "@odata.type": "#microsoft.graph.iPv4CidrRange", cidrAddress: "203.0.113.0/24" }],
      },
    });
    expect(created.status).toBe(201);
    // An enabled block outside trusted locations, written straight into the store: from the
    // office the caller still gets in, from anywhere else they do not.
    const { policy } = normalizePolicy({
      id: "",
      displayName: "CA01 - Block outside trusted locations",
      state: "enabled",
      conditions: {
        clientAppTypes: ["all"],
        applications: { includeApplications: ["All"] },
        users: { includeUsers: ["All"], excludeUsers: [IDS.breakGlass1], excludeGroups: [IDS.emergencyGroup] },
        locations: { includeLocations: ["All"], excludeLocations: ["AllTrusted"] },
      },
      grantControls: { operator: "OR", builtInControls: ["block"] },
    });
    await t.store.policies.create(policy as NonNullable<typeof policy>, {
      audit: {
        initiatedBy: { app: { appId: null, displayName: "test", servicePrincipalId: null, servicePrincipalName: null } },
        correlationId: "seed",
      },
    });

    const untrust = (headers: Record<string, string> = {}) =>
      call(t.app, "PATCH", `${LOCATIONS}/${created.json.id}`, { token: t.tokens.caAdmin, body: { isTrusted: false }, headers });
    const refused = await untrust({ "client-request-id": "untrust-1" });
    expect(refused.status).toBe(409);
    expect(refused.json.error.message).toContain("CA01 - Block outside trusted locations");
    expect((await t.store.namedLocations.get(created.json.id))?.isTrusted).toBe(true);

    const acknowledged = await untrust({ prefer: "allow-unsafe-policy", "client-request-id": "untrust-2" });
    expect(acknowledged.status).toBe(204);
    expect((await t.store.namedLocations.get(created.json.id))?.isTrusted).toBe(false);
    const audit = await call(t.app, "GET", "/v1.0/auditLogs/directoryAudits?$filter=correlationId eq 'untrust-2'", {
      token: t.tokens.globalAdmin,
    });
    expect(JSON.stringify(audit.json.value[0].additionalDetails)).toContain("acknowledgedUnsafeChange");
  });

  it("lets a harmless location change through", async () => {
    const created = await call(t.app, "POST", LOCATIONS, {
      token: t.tokens.caAdmin,
      body: { "@odata.type": "#microsoft.graph.countryNamedLocation", displayName: "Allowed countries", countriesAndRegions: ["NL"] },
    });
    const patched = await call(t.app, "PATCH", `${LOCATIONS}/${created.json.id}`, {
      token: t.tokens.caAdmin,
      body: { countriesAndRegions: ["NL", "BE"] },
    });
    expect(patched.status).toBe(204);
  });
});
