import { describe, expect, it } from "vitest";
import { throttledAddress } from "./sign-in-throttle.js";

describe("throttledAddress", () => {
  it("counts an IPv4 address alone, and an IPv6 address by its /64 however it is written", () => {
    expect(throttledAddress(null)).toBe("unknown");
    expect(throttledAddress("203.0.113.7")).toBe("203.0.113.7");
    expect(throttledAddress("2001:db8:0:1::1")).toBe("2001:db8:0:1::/64");
    expect(throttledAddress("2001:0DB8:0000:0001:ffff:1:2:3")).toBe("2001:db8:0:1::/64");
    expect(throttledAddress("2001:db8::")).toBe("2001:db8:0:0::/64");
    expect(throttledAddress("::1")).toBe("0:0:0:0::/64");
    expect(throttledAddress("64:ff9b::203.0.113.7")).toBe("64:ff9b:0:0::/64");
    expect(throttledAddress("2001:db8:0:2::1")).not.toBe(throttledAddress("2001:db8:0:1::1"));
  });
});
