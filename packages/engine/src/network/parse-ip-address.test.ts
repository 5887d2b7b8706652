import fc from "fast-check";
import { describe, expect, it } from "vitest";
import type { IpAddress } from "./parse-ip-address.js";
import { compareIpAddresses, formatIpAddress, parseIpAddress } from "./parse-ip-address.js";

const v4 = (value: number): IpAddress => ({ version: 4, value });
const v6 = (w0: number, w1: number, w2: number, w3: number): IpAddress => ({ version: 6, w0, w1, w2, w3 });

/** Independent reference: the 128-bit value of an address, IPv4 as its mapped form. */
function toBigInt(a: IpAddress): bigint {
  if (a.version === 4) return 0xffff_0000_0000n | BigInt(a.value);
  return (BigInt(a.w0) << 96n) | (BigInt(a.w1) << 64n) | (BigInt(a.w2) << 32n) | BigInt(a.w3);
}

/** The WHATWG URL parser as a second opinion on IPv6 text: its canonical serialisation. */
function urlCanonical(text: string): string | null {
  try {
    const host = new URL(`http://[${text}]/`).hostname;
    return host.slice(1, -1);
  } catch {
    return null;
  }
}

const STRICT_V4 = /^(25[0-5]|2[0-4]\d|1\d\d|[1-9]?\d)(\.(25[0-5]|2[0-4]\d|1\d\d|[1-9]?\d)){3}$/;

describe("parseIpAddress, IPv4 (§2.3)", () => {
  it.each([
    ["0.0.0.0", 0],
    ["255.255.255.255", 0xffffffff],
    ["1.2.3.4", 0x01020304],
    ["10.0.0.1", 0x0a000001],
    ["192.168.100.200", 0xc0a864c8],
    ["87.92.49.122", 0x575c317a],
    ["128.0.0.0", 0x80000000],
  ])("reads %s as the 32-bit value %i", (text, value) => {
    expect(parseIpAddress(text)).toEqual({ version: 4, value });
  });

  it.each([
    ["", "empty text"],
    ["1.2.3", "three octets"],
    ["1.2.3.4.5", "five octets"],
    ["256.0.0.0", "octet above 255"],
    ["1.2.3.999", "octet above 255 at the end"],
    ["1.2.3.-4", "negative octet"],
    ["01.2.3.4", "leading zero (octal ambiguity)"],
    ["1.2.3.00", "double zero octet"],
    ["10.0.0.010", "leading zero in the last octet"],
    ["0x7f.0.0.1", "hex octet"],
    ["2130706433", "32-bit integer form"],
    ["127.1", "short form"],
    ["1..2.3", "empty octet"],
    ["1.2.3.4.", "trailing dot"],
    [".1.2.3.4", "leading dot"],
    [" 1.2.3.4", "leading space"],
    ["1.2.3.4 ", "trailing space"],
    ["1.2.3.4/32", "prefix length"],
    ["1.2.3.4:443", "port"],
    ["1.2.3.a", "letter"],
    ["１.2.3.4", "full-width digit"],
    ["1000.2.3.4", "four-digit octet"],
  ])("rejects %j (%s)", (text) => {
    expect(parseIpAddress(text)).toBeNull();
  });

  it("accepts exactly the strict dotted-decimal spellings among inet_aton-style forms", () => {
    fc.assert(
      fc.property(fc.oneof(fc.ipV4(), fc.ipV4Extended()), (text) => {
        const parsed = parseIpAddress(text);
        expect(parsed !== null).toBe(STRICT_V4.test(text));
        if (parsed !== null) expect(formatIpAddress(parsed)).toBe(text);
      }),
      { numRuns: 2000 },
    );
  });

  it("round-trips every 32-bit value through formatIpAddress", () => {
    fc.assert(
      fc.property(fc.nat({ max: 0xffffffff }), (value) => {
        expect(parseIpAddress(formatIpAddress(v4(value)))).toEqual(v4(value));
      }),
      { numRuns: 2000 },
    );
  });
});

describe("parseIpAddress, IPv6 (RFC 4291 §2.2, RFC 5952)", () => {
  it.each([
    ["::", v6(0, 0, 0, 0)],
    ["::1", v6(0, 0, 0, 1)],
    ["1::", v6(0x00010000, 0, 0, 0)],
    ["ffff:ffff:ffff:ffff:ffff:ffff:ffff:ffff", v6(0xffffffff, 0xffffffff, 0xffffffff, 0xffffffff)],
    ["FFFF:FFFF:FFFF:FFFF:FFFF:FFFF:FFFF:FFFF", v6(0xffffffff, 0xffffffff, 0xffffffff, 0xffffffff)],
    ["2001:db8::", v6(0x20010db8, 0, 0, 0)],
    ["2001:DB8:0:0:8:800:200C:417A", v6(0x20010db8, 0, 0x00080800, 0x200c417a)],
    ["2001:db8::8:800:200c:417a", v6(0x20010db8, 0, 0x00080800, 0x200c417a)],
    ["2001:0db8:0000:0000:0008:0800:200c:417a", v6(0x20010db8, 0, 0x00080800, 0x200c417a)],
    ["ff01::101", v6(0xff010000, 0, 0, 0x101)],
    ["1:2:3:4:5:6:7::", v6(0x00010002, 0x00030004, 0x00050006, 0x00070000)],
    ["::2:3:4:5:6:7:8", v6(0x00000002, 0x00030004, 0x00050006, 0x00070008)],
    ["1:2:3:4:5:6:7:8", v6(0x00010002, 0x00030004, 0x00050006, 0x00070008)],
    ["1::8", v6(0x00010000, 0, 0, 8)],
    ["::13.1.68.3", v6(0, 0, 0, 0x0d014403)],
    ["64:ff9b::192.0.2.33", v6(0x0064ff9b, 0, 0, 0xc0000221)],
    ["1:2:3:4:5:6:1.2.3.4", v6(0x00010002, 0x00030004, 0x00050006, 0x01020304)],
    ["::fffe:1.2.3.4", v6(0, 0, 0xfffe, 0x01020304)],
    ["::1:ffff:1.2.3.4", v6(0, 0, 0x0001ffff, 0x01020304)],
    ["0:0:0:1:0:ffff:1.2.3.4", v6(0, 1, 0xffff, 0x01020304)],
  ])("reads %s", (text, expected) => {
    expect(parseIpAddress(text)).toEqual(expected);
  });

  it.each([
    ["::ffff:1.2.3.4", 0x01020304],
    ["::FFFF:1.2.3.4", 0x01020304],
    ["::ffff:0102:0304", 0x01020304],
    ["0:0:0:0:0:ffff:102:304", 0x01020304],
    ["::ffff:0.0.0.0", 0],
    ["::ffff:255.255.255.255", 0xffffffff],
    ["::ffff:ffff:ffff", 0xffffffff],
  ])("reads the IPv4-mapped address %s as the IPv4 address (§2.3)", (text, value) => {
    expect(parseIpAddress(text)).toEqual(v4(value));
  });

  it.each([
    [":", "lone colon"],
    [":::", "triple colon"],
    ["1:2:3:4:5:6:7", "seven groups without ::"],
    ["1:2:3:4:5:6:7:8:9", "nine groups"],
    ["1:2:3:4:5:6:7:8::", ":: standing for zero groups at the end"],
    ["::1:2:3:4:5:6:7:8", ":: standing for zero groups at the start"],
    ["1:2:3:4::5:6:7:8", ":: standing for zero groups in the middle"],
    ["1::2::3", "two ::"],
    [":1::", "single leading colon"],
    ["1::2:", "single trailing colon"],
    ["1:", "trailing colon"],
    ["12345::", "five hex digits"],
    ["g::", "non-hex digit"],
    ["::ffff:1.2.3", "short embedded IPv4"],
    ["::ffff:01.2.3.4", "embedded IPv4 with a leading zero"],
    ["::ffff:256.2.3.4", "embedded IPv4 octet above 255"],
    ["::1.2.3.4:5", "embedded IPv4 not at the end"],
    ["1:2:3:4:5:6:7:1.2.3.4", "embedded IPv4 after seven groups"],
    ["1:2:3:4:5:6::1.2.3.4", ":: standing for zero groups before embedded IPv4"],
    ["fe80::1%eth0", "zone id"],
    ["fe80::1%25", "numeric zone id"],
    ["[::1]", "brackets"],
    ["::1/128", "prefix length"],
    [" ::1", "leading space"],
    ["::1 ", "trailing space"],
    ["1:2:3:4:5:6:7:8:", "trailing colon after eight groups"],
    ["0000:0000:0000:0000:0000:0000:0000:0000:0", "too long"],
  ])("rejects %j (%s)", (text) => {
    expect(parseIpAddress(text)).toBeNull();
  });

  it("agrees with the WHATWG URL parser on every fast-check IPv6 spelling", () => {
    fc.assert(
      fc.property(fc.ipV6(), (text) => {
        const parsed = parseIpAddress(text);
        const reference = urlCanonical(text);
        expect(reference).not.toBeNull();
        expect(parsed).not.toBeNull();
        if (parsed === null || reference === null) return;
        const expected = parseIpAddress(reference);
        expect(expected).not.toBeNull();
        if (expected === null) return;
        expect(toBigInt(parsed)).toBe(toBigInt(expected));
        if (parsed.version === 6) expect(formatIpAddress(parsed)).toBe(reference);
      }),
      { numRuns: 3000 },
    );
  });

  it("accepts exactly the IPv6 texts the WHATWG URL parser accepts, on fragments and near misses", () => {
    const token = fc.constantFrom("::", ":", "0", "1", "ff", "FFFF", "0db8", "12345", ".", "1.2.3.4", "255", "01", "g");
    const fragments = fc.array(token, { minLength: 1, maxLength: 14 }).map((tokens) => tokens.join(""));
    // A valid address with one character deleted, replaced or inserted.
    const nearMiss = fc
      .tuple(fc.ipV6(), fc.nat(), fc.constantFrom("", ":", ".", "0", "f", "%", "1"), fc.nat({ max: 1 }))
      .map(([text, at, insert, drop]) => {
        const i = at % (text.length + 1);
        return text.slice(0, i) + insert + text.slice(i + drop);
      });
    fc.assert(
      fc.property(fc.oneof(fragments, nearMiss), (text) => {
        if (!text.includes(":")) return;
        const reference = urlCanonical(text);
        const parsed = parseIpAddress(text);
        expect(parsed !== null).toBe(reference !== null);
        if (parsed !== null && reference !== null) {
          expect(toBigInt(parsed)).toBe(toBigInt(parseIpAddress(reference) ?? v4(0)));
        }
      }),
      { numRuns: 5000 },
    );
  });

  it("formats every 128-bit value in RFC 5952 form, matching the URL serialiser, and reads it back", () => {
    const word = fc.oneof(fc.constant(0), fc.constant(0xffffffff), fc.nat({ max: 0xffff }), fc.nat({ max: 0xffffffff }));
    fc.assert(
      fc.property(word, word, word, word, (w0, w1, w2, w3) => {
        const address = v6(w0, w1, w2, w3);
        const text = formatIpAddress(address);
        const mapped = w0 === 0 && w1 === 0 && w2 === 0xffff;
        expect(parseIpAddress(text)).toEqual(mapped ? v4(w3) : address);
        if (!mapped) expect(text).toBe(urlCanonical(text));
      }),
      { numRuns: 3000 },
    );
  });

  it.each([
    [v6(0x20010db8, 0, 0, 1), "2001:db8::1"],
    [v6(0x20010db8, 0, 0x00010000, 1), "2001:db8::1:0:0:1"],
    [v6(0x20010db8, 0, 1, 0x00010001), "2001:db8::1:1:1"],
    [v6(0x20010db8, 0x00000001, 0x00010001, 0x00010001), "2001:db8:0:1:1:1:1:1"],
    [v6(0x20010000, 0x00000001, 0x00000000, 0x00000001), "2001:0:0:1::1"],
    [v6(0x20010db8, 0x00010001, 0x00010001, 0x00010000), "2001:db8:1:1:1:1:1:0"],
    [v6(0, 0, 0xffff, 0x01020304), "::ffff:1.2.3.4"],
    [v6(0, 0, 0, 0), "::"],
  ])("formats %o as %s", (address, text) => {
    expect(formatIpAddress(address)).toBe(text);
  });
});

describe("compareIpAddresses", () => {
  it("orders IPv4 before IPv6 and otherwise numerically", () => {
    const arbitrary = fc.oneof(
      fc.nat({ max: 0xffffffff }).map(v4),
      fc
        .tuple(fc.nat({ max: 0xffffffff }), fc.nat({ max: 0xffffffff }), fc.nat({ max: 0xffffffff }), fc.nat({ max: 0xffffffff }))
        .map(([a, b, c, d]) => v6(a, b, c, d)),
    );
    fc.assert(
      fc.property(arbitrary, arbitrary, (a, b) => {
        const expected = a.version !== b.version ? a.version - b.version : Math.sign(Number(toBigInt(a) - toBigInt(b)));
        expect(Math.sign(compareIpAddresses(a, b))).toBe(Math.sign(expected));
      }),
    );
  });
});
