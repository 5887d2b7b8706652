import { compileTenant, decide, normalizeTenant, parseIpAddress, parseIpRange, whatIf } from "@gatehouse/engine";
import { describe, expect, it } from "vitest";
import { createSeededRandom } from "./seeded-random.js";
import { createSyntheticTenant, describeSyntheticTenant, maxGroupNestingDepth, type SyntheticTenantOptions } from "./synthetic-tenant.js";

const SMALL: SyntheticTenantOptions = { users: 2000, policies: 30, namedLocations: 24, rangesPerLocation: 60, seed: 42, requests: 3000 };
const small = createSyntheticTenant(SMALL);
const { tenant, requests } = small;

describe("createSeededRandom", () => {
  it("repeats the same sequence for the same seed and differs for another seed", () => {
    const a = createSeededRandom(7);
    const b = createSeededRandom(7);
    const c = createSeededRandom(8);
    const seqA = Array.from({ length: 20 }, () => a.uint32());
    expect(Array.from({ length: 20 }, () => b.uint32())).toEqual(seqA);
    expect(Array.from({ length: 20 }, () => c.uint32())).not.toEqual(seqA);
  });

  it("samples distinct elements and stays inside its ranges", () => {
    const r = createSeededRandom(1);
    const picked = r.sample([1, 2, 3, 4, 5, 6, 7, 8, 9, 10], 6);
    expect(new Set(picked).size).toBe(6);
    for (let i = 0; i < 1000; i++) {
      const v = r.between(3, 5);
      expect(v >= 3 && v <= 5).toBe(true);
    }
    expect(r.uuid()).toMatch(/^[0-9a-f]{8}-[0-9a-f]{4}-4[0-9a-f]{3}-[89ab][0-9a-f]{3}-[0-9a-f]{12}$/);
  });
});

describe("createSyntheticTenant", () => {
  it("is deterministic: the same seed gives identical JSON, another seed a different tenant", () => {
    const again = createSyntheticTenant(SMALL);
    expect(JSON.stringify(again)).toBe(JSON.stringify(small));
    const other = createSyntheticTenant({ ...SMALL, seed: 43 });
    expect(JSON.stringify(other.tenant)).not.toBe(JSON.stringify(tenant));
  });

  it("has the requested counts and a realistic directory", () => {
    const shape = describeSyntheticTenant(small);
    expect(shape.users).toBe(2000);
    expect(shape.policies).toBe(30);
    expect(shape.namedLocations).toBe(24);
    expect(shape.requests).toBe(3000);
    // ~3% guests, each with a guest type; all but internal guests carry a home tenant.
    expect(shape.guests).toBe(60);
    for (const user of tenant.users.filter((u) => u.externalUserType !== undefined)) {
      if (user.externalUserType !== "internalGuest") expect(user.externalTenantId).toMatch(/^[0-9a-f-]{36}$/);
    }
    const ids = new Set([...tenant.users, ...tenant.groups, ...tenant.servicePrincipals].map((o) => o.id));
    expect(ids.size).toBe(tenant.users.length + tenant.groups.length + tenant.servicePrincipals.length);
    expect(tenant.groups.length).toBeGreaterThan(20);
    expect(shape.maxGroupDepth).toBeGreaterThanOrEqual(3);
    expect(maxGroupNestingDepth(tenant.groups)).toBe(shape.maxGroupDepth);
    // Every group member exists.
    for (const group of tenant.groups) for (const member of group.members) expect(ids.has(member)).toBe(true);
    expect(tenant.groups.some((g) => g.isAssignableToRole === true)).toBe(true);
    const roleGroupIds = new Set(tenant.groups.filter((g) => g.isAssignableToRole === true).map((g) => g.id));
    expect(tenant.roleAssignments.some((a) => roleGroupIds.has(a.principalId))).toBe(true);
    expect(tenant.roleAssignments.some((a) => a.roleTemplateId === "62e90394-69f5-4237-9190-012177145e10")).toBe(true);
    expect(tenant.servicePrincipals.some((sp) => sp.servicePrincipalType === "ManagedIdentity")).toBe(true);
    expect(tenant.servicePrincipals.length).toBeGreaterThanOrEqual(250);
  });

  it("builds IP locations whose ranges all parse, in both versions and both shapes, plus country locations", () => {
    const types = new Set<string>();
    let trusted = 0;
    let countries = 0;
    for (const location of tenant.namedLocations) {
      if (location["@odata.type"] === "#microsoft.graph.countryNamedLocation") {
        countries++;
        expect(location.countriesAndRegions.length).toBeGreaterThan(0);
        continue;
      }
      if (location["@odata.type"] !== "#microsoft.graph.ipNamedLocation") continue;
      if (location.isTrusted) trusted++;
      expect(location.ipRanges.length).toBeGreaterThan(0);
      expect(location.ipRanges.length).toBeLessThanOrEqual(SMALL.rangesPerLocation);
      for (const range of location.ipRanges) {
        types.add(range["@odata.type"]);
        const parsed = parseIpRange(range);
        expect(parsed.ok, JSON.stringify(range)).toBe(true);
        if (parsed.ok) expect(parsed.warnings).toEqual([]);
      }
    }
    expect([...types].sort()).toEqual([
      "#microsoft.graph.iPv4CidrRange",
      "#microsoft.graph.iPv4Range",
      "#microsoft.graph.iPv6CidrRange",
      "#microsoft.graph.iPv6Range",
    ]);
    expect(trusted).toBeGreaterThan(0);
    expect(countries).toBeGreaterThanOrEqual(3);
    for (const request of requests) {
      const ip = request.signInConditions?.ipAddress;
      if (typeof ip === "string") expect(parseIpAddress(ip), ip).not.toBeNull();
    }
  });

  it("passes the engine's own snapshot validation and compiles without issues", () => {
    const { issues } = normalizeTenant(JSON.parse(JSON.stringify(tenant)));
    expect(issues.filter((i) => i.severity === "error")).toEqual([]);
    expect(compileTenant(tenant).issues).toEqual([]);
  });

  it("mixes policy states and request kinds", () => {
    const states = describeSyntheticTenant(small).policiesByState;
    expect(states.enabled).toBeGreaterThan(15);
    expect(states.enabledForReportingButNotEnforced).toBeGreaterThan(0);
    expect(states.disabled).toBeGreaterThan(0);
    const kinds = new Set(requests.map((r) => r.signInIdentity["@odata.type"]));
    expect(kinds).toEqual(new Set(["#microsoft.graph.userSignIn", "#microsoft.graph.servicePrincipalSignIn"]));
    const clientTypes = new Set(requests.map((r) => r.signInConditions?.clientAppType).filter((t) => t !== undefined));
    expect(clientTypes).toEqual(new Set(["browser", "mobileAppsAndDesktopClients", "exchangeActiveSync", "other"]));
    expect(requests.some((r) => r.signInConditions?.deviceInfo)).toBe(true);
    expect(requests.some((r) => r.signInConditions?.ipAddress?.includes(":"))).toBe(true);
    const methods = new Set(requests.map((r) => JSON.stringify(r.satisfied?.authenticationMethods ?? [])));
    for (const m of [["password"], ["password", "microsoftAuthenticatorPush"], ["fido2"]])
      expect(methods.has(JSON.stringify(m))).toBe(true);
  });

  it("yields grant, challenge and block decisions, and decide agrees with whatIf", () => {
    const compiled = compileTenant(tenant);
    const outcomes = { grant: 0, challenge: 0, block: 0 };
    requests.forEach((request, i) => {
      const decision = decide(compiled, request);
      outcomes[decision.outcome]++;
      if (i % 10 === 0) expect(whatIf(compiled, request).decision.outcome).toBe(decision.outcome);
    });
    // Each outcome is a real share of the mix, not a handful of edge cases.
    for (const count of Object.values(outcomes)) expect(count).toBeGreaterThan(requests.length * 0.05);
  });
});
