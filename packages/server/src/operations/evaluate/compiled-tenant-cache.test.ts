import { normalizePolicy } from "@gatehouse/engine";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { auditInitiator } from "../../auth/caller.js";
import { ServiceUnavailableError } from "../../errors/service-unavailable-error.js";
import { createTestTenant, mfaPolicy, type TestTenant } from "../../test-server.js";
import { CompiledTenantCache } from "./compiled-tenant-cache.js";

let t: TestTenant;
beforeAll(async () => {
  t = await createTestTenant();
});
afterAll(async () => {
  await t.close();
});

describe("the compiled tenant cache", () => {
  it("reuses the compiled tenant within the check interval and recompiles when another node changed the store", async () => {
    let clock = 0;
    const cache = new CompiledTenantCache(t.store, () => clock);
    const first = await cache.get();
    expect(await cache.get()).toBe(first);
    // Another node writes a policy (and its audit record) straight into the shared store.
    const { policy } = normalizePolicy({ ...mfaPolicy("CA01 - other node"), id: "" });
    await t.store.policies.create(policy as NonNullable<typeof policy>, {
      audit: {
        initiatedBy: auditInitiator({
          kind: "user",
          id: "x",
          userPrincipalName: "x",
          displayName: "x",
          roleTemplateIds: new Set(),
          authenticationMethods: [],
        }),
        correlationId: "other-node",
      },
    });
    expect(await cache.get()).toBe(first);
    clock += 1000;
    const second = await cache.get();
    expect(second).not.toBe(first);
    expect(second.policies.length).toBe(first.policies.length + 1);
    clock += 1000;
    expect(await cache.get()).toBe(second);
  });

  it("fails closed with ServiceUnavailableError when the store cannot be read", async () => {
    const broken = { ...t.store, audit: { ...t.store.audit, list: () => Promise.reject(new Error("disk on fire")) } } as typeof t.store;
    await expect(new CompiledTenantCache(broken).get()).rejects.toThrow(ServiceUnavailableError);
  });
});
