import { existsSync, readdirSync, readFileSync } from "node:fs";
import { join, relative } from "node:path";
import { fileURLToPath } from "node:url";
import fc from "fast-check";
import { describe, expect, it } from "vitest";
import type { IpRange } from "../policy/types.js";
import { formatIpAddress, parseIpAddress } from "./parse-ip-address.js";
import type { ParsedIpRange, ParseIpRangeResult } from "./parse-ip-range.js";
import { formatIpRange, parseIpRange } from "./parse-ip-range.js";

const V4_CIDR = "#microsoft.graph.iPv4CidrRange";
const V6_CIDR = "#microsoft.graph.iPv6CidrRange";
const V4_RANGE = "#microsoft.graph.iPv4Range";
const V6_RANGE = "#microsoft.graph.iPv6Range";

function ok(result: ParseIpRangeResult): { range: ParsedIpRange; warnings: readonly string[] } {
  if (!result.ok) throw new Error(`expected a parsed range, got ${result.code}: ${result.message}`);
  return result;
}

/** First and last address as text, for compact expectations. */
function bounds(result: ParseIpRangeResult): [string, string] {
  const { range } = ok(result);
  return [formatIpAddress(range.first), formatIpAddress(range.last)];
}

describe("parseIpRange, the four Graph ipRange types (§1.12, R26)", () => {
  it.each([
    ["10.0.0.0/9", "10.0.0.0", "10.127.255.255", 9],
    ["10.0.0.0/16", "10.0.0.0", "10.0.255.255", 16],
    ["87.92.49.122/32", "87.92.49.122", "87.92.49.122", 32],
    ["0.0.0.0/32", "0.0.0.0", "0.0.0.0", 32],
    ["255.255.255.255/32", "255.255.255.255", "255.255.255.255", 32],
    ["255.255.255.0/24", "255.255.255.0", "255.255.255.255", 24],
    ["192.168.1.128/25", "192.168.1.128", "192.168.1.255", 25],
  ])("reads iPv4CidrRange %s as %s..%s", (cidrAddress, first, last, prefix) => {
    const result = parseIpRange({ "@odata.type": V4_CIDR, cidrAddress });
    expect(bounds(result)).toEqual([first, last]);
    expect(ok(result).range.prefixLength).toBe(prefix);
    expect(ok(result).range.version).toBe(4);
    expect(ok(result).warnings).toEqual([]);
  });

  it.each([
    ["2001:db8::/32", "2001:db8::", "2001:db8:ffff:ffff:ffff:ffff:ffff:ffff"],
    ["2001:db8::1/128", "2001:db8::1", "2001:db8::1"],
    ["2001:DB8:0:0:0:0:0:0/48", "2001:db8::", "2001:db8:0:ffff:ffff:ffff:ffff:ffff"],
    ["2001:db8:abcd:12::/64", "2001:db8:abcd:12::", "2001:db8:abcd:12:ffff:ffff:ffff:ffff"],
    ["2001:db8::/97", "2001:db8::", "2001:db8::7fff:ffff"],
    ["fe80::/10", "fe80::", "febf:ffff:ffff:ffff:ffff:ffff:ffff:ffff"],
    ["ffff:ffff:ffff:ffff:ffff:ffff:ffff:ffff/128", "ffff:ffff:ffff:ffff:ffff:ffff:ffff:ffff", "ffff:ffff:ffff:ffff:ffff:ffff:ffff:ffff"],
    ["::ffff:10.0.0.0/104", "::ffff:10.0.0.0", "::ffff:10.255.255.255"],
  ])("reads iPv6CidrRange %s as %s..%s", (cidrAddress, first, last) => {
    const result = parseIpRange({ "@odata.type": V6_CIDR, cidrAddress });
    expect(bounds(result)).toEqual([first, last]);
    expect(ok(result).range.version).toBe(6);
    expect(ok(result).warnings).toEqual([]);
  });

  it("reads an iPv4Range from its lower and upper addresses, both inclusive", () => {
    const result = parseIpRange({ "@odata.type": V4_RANGE, lowerAddress: "10.0.0.1", upperAddress: "10.0.0.9" });
    expect(ok(result).range).toEqual({
      version: 4,
      first: { version: 4, value: 0x0a000001 },
      last: { version: 4, value: 0x0a000009 },
      prefixLength: null,
    });
    expect(ok(result).warnings).toEqual([]);
  });

  it("reads an iPv4Range of one address and one spanning the whole IPv4 space", () => {
    expect(bounds(parseIpRange({ "@odata.type": V4_RANGE, lowerAddress: "1.2.3.4", upperAddress: "1.2.3.4" }))).toEqual([
      "1.2.3.4",
      "1.2.3.4",
    ]);
    expect(bounds(parseIpRange({ "@odata.type": V4_RANGE, lowerAddress: "0.0.0.0", upperAddress: "255.255.255.255" }))).toEqual([
      "0.0.0.0",
      "255.255.255.255",
    ]);
  });

  it("reads an iPv6Range from its lower and upper addresses", () => {
    const result = parseIpRange({ "@odata.type": V6_RANGE, lowerAddress: "2001:db8::1", upperAddress: "2001:DB8::FFFF" });
    expect(bounds(result)).toEqual(["2001:db8::1", "2001:db8::ffff"]);
    expect(ok(result).range.prefixLength).toBeNull();
  });

  it("keeps IPv4-mapped endpoints of an iPv6Range as IPv6 values", () => {
    const { range } = ok(parseIpRange({ "@odata.type": V6_RANGE, lowerAddress: "::ffff:1.2.3.4", upperAddress: "::ffff:1.2.3.9" }));
    expect(range.version).toBe(6);
    expect(range.first).toEqual({ version: 6, w0: 0, w1: 0, w2: 0xffff, w3: 0x01020304 });
  });

  it("masks host bits of a CIDR to the containing network without a warning", () => {
    const v4 = parseIpRange({ "@odata.type": V4_CIDR, cidrAddress: "10.1.2.3/9" });
    expect(bounds(v4)).toEqual(["10.0.0.0", "10.127.255.255"]);
    expect(ok(v4).warnings).toEqual([]);
    const v6 = parseIpRange({ "@odata.type": V6_CIDR, cidrAddress: "2001:db8:1:2:3:4:5:6/33" });
    expect(bounds(v6)).toEqual(["2001:db8::", "2001:db8:7fff:ffff:ffff:ffff:ffff:ffff"]);
    expect(ok(v6).warnings).toEqual([]);
  });
});

describe("parseIpRange errors, as plain messages with a code", () => {
  it.each([
    [{ "@odata.type": V4_CIDR, cidrAddress: "10.0.0.0/33" }, "invalidCidr", '"10.0.0.0/33" is not a valid IPv4 CIDR range'],
    [{ "@odata.type": V4_CIDR, cidrAddress: "10.0.0.256/24" }, "invalidCidr", '"10.0.0.256/24" is not a valid IPv4 CIDR range'],
    [{ "@odata.type": V4_CIDR, cidrAddress: "10.0.0.0/" }, "invalidCidr", '"10.0.0.0/" is not a valid IPv4 CIDR range'],
    [{ "@odata.type": V4_CIDR, cidrAddress: "10.0.0.0/-1" }, "invalidCidr", '"10.0.0.0/-1" is not a valid IPv4 CIDR range'],
    [{ "@odata.type": V4_CIDR, cidrAddress: "10.0.0.0/24 " }, "invalidCidr", '"10.0.0.0/24 " is not a valid IPv4 CIDR range'],
    [{ "@odata.type": V4_CIDR, cidrAddress: "10.0.0.0/2/4" }, "invalidCidr", '"10.0.0.0/2/4" is not a valid IPv4 CIDR range'],
    [{ "@odata.type": V4_CIDR, cidrAddress: "010.0.0.0/24" }, "invalidCidr", '"010.0.0.0/24" is not a valid IPv4 CIDR range'],
    [
      { "@odata.type": V4_CIDR, cidrAddress: "10.0.0.1" },
      "invalidCidr",
      '"10.0.0.1" is not a valid IPv4 CIDR range: the /prefix length is missing',
    ],
    [{ "@odata.type": V6_CIDR, cidrAddress: "2001:db8::/129" }, "invalidCidr", '"2001:db8::/129" is not a valid IPv6 CIDR range'],
    [{ "@odata.type": V6_CIDR, cidrAddress: "2001:db8:::/64" }, "invalidCidr", '"2001:db8:::/64" is not a valid IPv6 CIDR range'],
    [{ "@odata.type": V6_CIDR, cidrAddress: "fe80::%eth0/64" }, "invalidCidr", '"fe80::%eth0/64" is not a valid IPv6 CIDR range'],
    [{ "@odata.type": V6_CIDR, cidrAddress: "" }, "invalidCidr", '"" is not a valid IPv6 CIDR range: the /prefix length is missing'],
    [
      { "@odata.type": V4_CIDR, cidrAddress: "anything" },
      "invalidCidr",
      '"anything" is not a valid IPv4 CIDR range: the /prefix length is missing',
    ],
    [
      { "@odata.type": V4_RANGE, lowerAddress: "10.0.0.9", upperAddress: "10.0.0.1" },
      "lowerGreaterThanUpper",
      "lower address 10.0.0.9 is greater than upper address 10.0.0.1",
    ],
    [
      { "@odata.type": V6_RANGE, lowerAddress: "2001:db8::0:2", upperAddress: "2001:db8::1" },
      "lowerGreaterThanUpper",
      "lower address 2001:db8::2 is greater than upper address 2001:db8::1",
    ],
    [
      { "@odata.type": V4_RANGE, lowerAddress: "10.0.0.1", upperAddress: "2001:db8::1" },
      "mixedVersions",
      "lower address 10.0.0.1 is IPv4 but upper address 2001:db8::1 is IPv6",
    ],
    [
      { "@odata.type": V4_RANGE, lowerAddress: "10.0.0.256", upperAddress: "10.0.1.0" },
      "invalidAddress",
      'lower address "10.0.0.256" is not a valid IPv4 address',
    ],
    [
      { "@odata.type": V6_RANGE, lowerAddress: "2001:db8::1", upperAddress: "2001:db8::g" },
      "invalidAddress",
      'upper address "2001:db8::g" is not a valid IPv6 address',
    ],
    [{ "@odata.type": V4_RANGE, lowerAddress: "10.0.0.1" }, "missingAddress", "IP range with lower address 10.0.0.1 has no upperAddress"],
    [{ "@odata.type": V4_RANGE, upperAddress: "10.0.0.1" }, "missingAddress", "IP range with upper address 10.0.0.1 has no lowerAddress"],
    [{ "@odata.type": V4_CIDR }, "missingAddress", "IP range has neither a cidrAddress nor a lowerAddress and upperAddress"],
    [
      { "@odata.type": V4_CIDR, cidrAddress: null },
      "missingAddress",
      "IP range has neither a cidrAddress nor a lowerAddress and upperAddress",
    ],
  ])("rejects %j with %s: %s", (input, code, message) => {
    expect(parseIpRange(input as unknown as IpRange)).toEqual({ ok: false, code, message });
  });

  it.each(["0.0.0.0/0", "10.0.0.0/8", "10.0.0.0/1", "128.0.0.0/5"])(
    "rejects the IPv4 CIDR %s as prefixTooShort, Entra accepting only masks greater than /8",
    (cidrAddress) => {
      const result = parseIpRange({ "@odata.type": V4_CIDR, cidrAddress });
      expect(result.ok).toBe(false);
      if (result.ok) return;
      expect(result.code).toBe("prefixTooShort");
      const prefix = cidrAddress.split("/")[1];
      expect(result.message).toBe(`"${cidrAddress}" has a /${prefix} mask; Entra accepts only IPv4 CIDR masks greater than /8 (/9 to /32)`);
    },
  );

  it("accepts an IPv6 CIDR of /8 or less with a warning, the IPv6 bound being undocumented", () => {
    const result = parseIpRange({ "@odata.type": V6_CIDR, cidrAddress: "::/0" });
    expect(bounds(result)).toEqual(["::", "ffff:ffff:ffff:ffff:ffff:ffff:ffff:ffff"]);
    expect(ok(result).warnings).toEqual([
      '"::/0" has a /0 mask; Entra documents that only CIDR masks greater than /8 are accepted (the IPv6 bound is not documented)',
    ]);
    expect(ok(parseIpRange({ "@odata.type": V6_CIDR, cidrAddress: "2000::/9" })).warnings).toEqual([]);
  });

  it("never throws, whatever the runtime shape of the input", () => {
    const anything = fc.oneof(
      fc.anything(),
      fc.record(
        {
          "@odata.type": fc.oneof(fc.constantFrom(V4_CIDR, V6_CIDR, V4_RANGE, V6_RANGE), fc.anything()),
          cidrAddress: fc.oneof(fc.string(), fc.anything()),
          lowerAddress: fc.oneof(fc.string(), fc.anything()),
          upperAddress: fc.oneof(fc.string(), fc.anything()),
        },
        { requiredKeys: [] },
      ),
    );
    fc.assert(
      fc.property(anything, (input) => {
        const result = parseIpRange(input as IpRange);
        expect(typeof result.ok).toBe("boolean");
      }),
      { numRuns: 2000 },
    );
  });
});

describe("parseIpRange with a missing or wrong @odata.type", () => {
  it("infers IPv4 or IPv6 CIDR from the content when @odata.type is missing", () => {
    const v4 = parseIpRange({ cidrAddress: "10.0.0.0/24" } as IpRange);
    expect(bounds(v4)).toEqual(["10.0.0.0", "10.0.0.255"]);
    expect(ok(v4).warnings).toEqual([]);
    const v6 = parseIpRange({ cidrAddress: "2001:db8::/64" } as IpRange);
    expect(ok(v6).range.version).toBe(6);
    expect(ok(v6).warnings).toEqual([]);
  });

  it("infers a lower/upper range when @odata.type is missing", () => {
    expect(bounds(parseIpRange({ lowerAddress: "2001:db8::1", upperAddress: "2001:db8::2" } as IpRange))).toEqual([
      "2001:db8::1",
      "2001:db8::2",
    ]);
  });

  it("reads an IPv6 CIDR labelled iPv4CidrRange as IPv6 and says so", () => {
    const result = parseIpRange({ "@odata.type": V4_CIDR, cidrAddress: "2001:db8::/32" });
    expect(ok(result).range.version).toBe(6);
    expect(ok(result).warnings).toEqual([
      '@odata.type #microsoft.graph.iPv4CidrRange does not match the IPv6 CIDR range "2001:db8::/32"; it was read as #microsoft.graph.iPv6CidrRange',
    ]);
  });

  it("reads an IPv4 lower/upper pair labelled iPv6Range as IPv4 and says so", () => {
    const result = parseIpRange({ "@odata.type": V6_RANGE, lowerAddress: "10.0.0.1", upperAddress: "10.0.0.2" });
    expect(ok(result).range.version).toBe(4);
    expect(ok(result).warnings).toEqual([
      "@odata.type #microsoft.graph.iPv6Range does not match the IPv4 range 10.0.0.1-10.0.0.2; it was read as #microsoft.graph.iPv4Range",
    ]);
  });

  it("reads a cidrAddress labelled iPv4Range from the cidrAddress and says so", () => {
    const result = parseIpRange({ "@odata.type": V4_RANGE, cidrAddress: "10.0.0.0/24" });
    expect(bounds(result)).toEqual(["10.0.0.0", "10.0.0.255"]);
    expect(ok(result).warnings).toEqual([
      "@odata.type #microsoft.graph.iPv4Range has no lowerAddress and upperAddress; the range was read from its cidrAddress",
    ]);
  });

  it("follows @odata.type when a range carries both a cidrAddress and lower/upper addresses", () => {
    const both = { cidrAddress: "10.0.0.0/24", lowerAddress: "10.9.0.1", upperAddress: "10.9.0.2" };
    expect(bounds(parseIpRange({ "@odata.type": V4_RANGE, ...both }))).toEqual(["10.9.0.1", "10.9.0.2"]);
    expect(bounds(parseIpRange({ "@odata.type": V4_CIDR, ...both }))).toEqual(["10.0.0.0", "10.0.0.255"]);
  });

  it("accepts @odata.type spelled without '#' or in another case", () => {
    const result = parseIpRange({ "@odata.type": "microsoft.graph.ipv6cidrrange", cidrAddress: "2001:db8::/64" });
    expect(ok(result).warnings).toEqual([]);
  });

  it("reads a range with an unknown @odata.type from its content and says so", () => {
    const result = parseIpRange({ "@odata.type": "#microsoft.graph.ipRange", cidrAddress: "10.0.0.0/24" });
    expect(bounds(result)).toEqual(["10.0.0.0", "10.0.0.255"]);
    expect(ok(result).warnings).toEqual(['unknown @odata.type "#microsoft.graph.ipRange"; the range was read from its cidrAddress']);
  });
});

describe("parseIpRange invariants", () => {
  it("covers exactly the addresses sharing the CIDR's first prefix-length bits (IPv4)", () => {
    fc.assert(
      fc.property(fc.nat({ max: 0xffffffff }), fc.integer({ min: 9, max: 32 }), (value, prefix) => {
        const text = `${formatIpAddress({ version: 4, value })}/${prefix}`;
        const { range } = ok(parseIpRange({ "@odata.type": V4_CIDR, cidrAddress: text }));
        if (range.version !== 4) throw new Error("expected IPv4");
        const size = 2 ** (32 - prefix);
        const network = value - (value % size);
        expect(range.first.value).toBe(network);
        expect(range.last.value).toBe(network + size - 1);
        expect(formatIpRange(range)).toBe(`${formatIpAddress(range.first)}/${prefix}`);
      }),
      { numRuns: 2000 },
    );
  });

  it("covers exactly the addresses sharing the CIDR's first prefix-length bits (IPv6)", () => {
    const toBig = (a: ParsedIpRange["first"]): bigint =>
      a.version === 4 ? BigInt(a.value) : (BigInt(a.w0) << 96n) | (BigInt(a.w1) << 64n) | (BigInt(a.w2) << 32n) | BigInt(a.w3);
    fc.assert(
      fc.property(fc.ipV6(), fc.integer({ min: 0, max: 128 }), (text, prefix) => {
        const address = parseIpAddress(text);
        if (address === null) throw new Error(`fast-check produced an address we reject: ${text}`);
        const { range } = ok(parseIpRange({ "@odata.type": V6_CIDR, cidrAddress: `${text}/${prefix}` }));
        expect(range.version).toBe(6);
        const value = address.version === 4 ? 0xffff_0000_0000n | BigInt(address.value) : toBig(address);
        const size = 1n << BigInt(128 - prefix);
        expect(toBig(range.first)).toBe(value - (value % size));
        expect(toBig(range.last)).toBe(value - (value % size) + size - 1n);
      }),
      { numRuns: 2000 },
    );
  });

  it("formats a lower/upper range as lower-upper", () => {
    const { range } = ok(parseIpRange({ "@odata.type": V6_RANGE, lowerAddress: "2001:db8::1", upperAddress: "2001:db8::9" }));
    expect(formatIpRange(range)).toBe("2001:db8::1-2001:db8::9");
  });
});

// ---- Real exports (read-only corpus outside the repository) ------------------------------

const CORPUS = process.env.GATEHOUSE_CORPUS ?? fileURLToPath(new URL("../../../../../shared/corpus/", import.meta.url));

/** Graph exports come as UTF-8 (with or without BOM) or, from PowerShell, UTF-16 LE with BOM. */
function decodeExport(bytes: Uint8Array): string {
  if (bytes[0] === 0xff && bytes[1] === 0xfe) return new TextDecoder("utf-16le").decode(bytes.subarray(2));
  return new TextDecoder("utf-8").decode(bytes); // drops a UTF-8 BOM
}

function jsonFiles(dir: string): string[] {
  return readdirSync(dir, { recursive: true, encoding: "utf8" })
    .filter((name) => name.toLowerCase().endsWith(".json"))
    .map((name) => join(dir, name))
    .sort();
}

/** camelCase the keys of a PowerShell-SDK shaped ipRange (`CidrAddress`, `OdataType`, `AdditionalProperties`). */
function normaliseRange(entry: unknown): IpRange {
  const out: Record<string, unknown> = {};
  const copy = (source: Record<string, unknown>): void => {
    for (const [key, value] of Object.entries(source)) {
      if (/^additionalProperties$/i.test(key) && typeof value === "object" && value !== null) {
        copy(value as Record<string, unknown>);
      } else if (/^@?odata\.?type$/i.test(key)) out["@odata.type"] = value;
      else out[key.charAt(0).toLowerCase() + key.slice(1)] = value;
    }
  };
  if (typeof entry === "object" && entry !== null) copy(entry as Record<string, unknown>);
  return out as unknown as IpRange;
}

/** Every `ipRanges` array (any key case) anywhere in a JSON document, with its JSON path. */
function findIpRanges(node: unknown, path: string, found: Array<{ path: string; entry: unknown }>): void {
  if (Array.isArray(node)) {
    for (const [i, item] of node.entries()) findIpRanges(item, `${path}/${i}`, found);
  } else if (typeof node === "object" && node !== null) {
    for (const [key, value] of Object.entries(node)) {
      if (/^ipRanges$/i.test(key) && Array.isArray(value)) {
        for (const [i, entry] of value.entries()) found.push({ path: `${path}/${key}/${i}`, entry });
      } else findIpRanges(value, `${path}/${key}`, found);
    }
  }
}

describe.skipIf(!existsSync(CORPUS))(`parseIpRange on the real-world corpus (${CORPUS})`, () => {
  it("parses every ipRanges entry of every named location in the corpus without error or warning", () => {
    const found: Array<{ path: string; entry: unknown }> = [];
    for (const file of jsonFiles(CORPUS)) {
      findIpRanges(JSON.parse(decodeExport(readFileSync(file))), relative(CORPUS, file), found);
    }
    const problems = found.flatMap(({ path, entry }) => {
      const result = parseIpRange(normaliseRange(entry));
      if (!result.ok) return [`${path}: ${result.message}`];
      return result.warnings.map((w) => `${path}: ${w}`);
    });
    expect(problems).toEqual([]);
    expect(found.map((f) => f.path)).toContain("jsa2__caOptics/demodata/namedLocations.json/0/ipRanges/0");
    const jsa2 = found.find((f) => f.path.startsWith("jsa2__caOptics/demodata/namedLocations.json"));
    expect(bounds(parseIpRange(normaliseRange(jsa2?.entry)))).toEqual(["87.92.49.122", "87.92.49.122"]);
  });

  it("decodes the UTF-16 LE named-location exports of j0eyv into Graph named locations", () => {
    const dir = join(CORPUS, "j0eyv__ConditionalAccessBaseline/Config/NamedLocations");
    const files = jsonFiles(dir);
    expect(files.length).toBeGreaterThan(0);
    for (const file of files) {
      const bytes = readFileSync(file);
      expect([bytes[0], bytes[1]]).toEqual([0xff, 0xfe]);
      const location = JSON.parse(decodeExport(bytes)) as Record<string, unknown>;
      expect(String(location["@odata.type"])).toMatch(/^#microsoft\.graph\.\w+NamedLocation$/);
      const found: Array<{ path: string; entry: unknown }> = [];
      findIpRanges(location, relative(CORPUS, file), found);
      for (const { entry } of found) expect(parseIpRange(normaliseRange(entry)).ok).toBe(true);
    }
  });
});

describe("parseIpRange on hostile input", () => {
  it("reports an @odata.type that cannot be turned into text instead of throwing", () => {
    const result = parseIpRange({ "@odata.type": { toString: undefined }, cidrAddress: "" } as unknown as IpRange);
    expect(result.ok).toBe(false);
  });
});
