import { describe, expect, it } from "vitest";
import type { Caller } from "./caller.js";
import { CallerCache } from "./caller-cache.js";

const caller = (tokenExpiresAt?: number): Caller => ({
  kind: "user",
  id: "u1",
  userPrincipalName: "ada@contoso.test",
  displayName: "Ada",
  roleTemplateIds: new Set(),
  authenticationMethods: [],
  ...(tokenExpiresAt === undefined ? {} : { tokenExpiresAt }),
});

describe("CallerCache", () => {
  it("reuses a verified caller for one second at most", () => {
    const cache = new CallerCache();
    const c = caller();
    cache.set("Bearer a", c, 10_000);
    expect(cache.get("Bearer a", 10_999)).toBe(c);
    expect(cache.get("Bearer a", 11_000)).toBeUndefined();
  });

  it("never reuses a caller past its token's expiry", () => {
    const cache = new CallerCache();
    cache.set("Bearer a", caller(10_200), 10_000);
    expect(cache.get("Bearer a", 10_199)).toBeDefined();
    expect(cache.get("Bearer a", 10_200)).toBeUndefined();
  });

  it("forgets everything when cleared (any write through the server)", () => {
    const cache = new CallerCache();
    cache.set("Bearer a", caller(), 0);
    cache.clear();
    expect(cache.get("Bearer a", 1)).toBeUndefined();
    expect(cache.get(undefined, 1)).toBeUndefined();
  });
});
