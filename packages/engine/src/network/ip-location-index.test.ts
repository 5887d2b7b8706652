import fc from "fast-check";
import { describe, expect, it } from "vitest";
import type { IpLocationInput } from "./ip-location-index.js";
import { createIpLocationIndex } from "./ip-location-index.js";
import type { IPv4Address, IPv6Address, IpAddress } from "./parse-ip-address.js";
import { parseIpAddress } from "./parse-ip-address.js";
import type { ParsedIpRange } from "./parse-ip-range.js";
import { parseIpRange } from "./parse-ip-range.js";

const MAPPED_BASE = 0xffff_0000_0000n;
const TOP = (1n << 128n) - 1n;

function ip(text: string): IpAddress {
  const address = parseIpAddress(text);
  if (address === null) throw new Error(`bad test address ${text}`);
  return address;
}

function range(text: string): ParsedIpRange {
  const [lower, upper] = text.split("-");
  const result =
    upper === undefined
      ? parseIpRange({ "@odata.type": "", cidrAddress: text })
      : parseIpRange({ "@odata.type": "", lowerAddress: lower, upperAddress: upper });
  if (!result.ok) throw new Error(result.message);
  return result.range;
}

function location(index: number, ...ranges: string[]): IpLocationInput {
  return { index, ranges: ranges.map(range) };
}

// ---- Independent reference: 128-bit integers, IPv4 as its IPv4-mapped IPv6 value --------

function v6Big(a: IPv6Address): bigint {
  return (BigInt(a.w0) << 96n) | (BigInt(a.w1) << 64n) | (BigInt(a.w2) << 32n) | BigInt(a.w3);
}

function big(a: IpAddress): bigint {
  return a.version === 4 ? MAPPED_BASE | BigInt(a.value) : v6Big(a);
}

function fromBig(value: bigint): IpAddress {
  const mask = 0xffffffffn;
  return {
    version: 6,
    w0: Number((value >> 96n) & mask),
    w1: Number((value >> 64n) & mask),
    w2: Number((value >> 32n) & mask),
    w3: Number(value & mask),
  };
}

function naiveLookup(locations: readonly IpLocationInput[], address: IpAddress): number[] {
  const x = big(address);
  const found = new Set<number>();
  for (const { index, ranges } of locations) {
    for (const r of ranges) {
      if (big(r.first) <= x && x <= big(r.last)) found.add(index);
    }
  }
  return [...found].sort((a, b) => a - b);
}

// ---- Generators that force overlaps and boundary hits ----------------------------------

const v4Value = fc.oneof(
  fc.constantFrom(0, 1, 0x7fffffff, 0x80000000, 0xfffffffe, 0xffffffff),
  fc.integer({ min: 0x0a000000, max: 0x0a0000ff }), // a crowded neighbourhood
  fc.nat({ max: 0xffffffff }),
);

const v6Value = fc.oneof(
  fc.constantFrom(
    0n,
    1n,
    TOP,
    TOP - 1n,
    MAPPED_BASE - 1n, // ::fffe:ffff:ffff, just below the IPv4-mapped block
    MAPPED_BASE, // ::ffff:0.0.0.0
    MAPPED_BASE | 0x0a000005n, // ::ffff:10.0.0.5
    MAPPED_BASE | 0xffffffffn, // ::ffff:255.255.255.255
    (MAPPED_BASE | 0xffffffffn) + 1n, // just above the block
    0x2001_0db8n << 96n,
    (0x2001_0db8n << 96n) | 0xffffffffn,
    1n << 32n,
    (1n << 64n) - 1n,
  ),
  fc.bigInt({ min: 0x2001_0db8n << 96n, max: (0x2001_0db8n << 96n) + 300n }),
  fc.bigInt({ min: 0n, max: TOP }),
);

const v4Range = fc.tuple(v4Value, v4Value).map(([a, b]): ParsedIpRange => {
  const [lo, hi] = a <= b ? [a, b] : [b, a];
  const first: IPv4Address = { version: 4, value: lo };
  const last: IPv4Address = { version: 4, value: hi };
  return { version: 4, first, last, prefixLength: null };
});

const v6Range = fc.tuple(v6Value, v6Value).map(([a, b]): ParsedIpRange => {
  const [lo, hi] = a <= b ? [a, b] : [b, a];
  return { version: 6, first: fromBig(lo) as IPv6Address, last: fromBig(hi) as IPv6Address, prefixLength: null };
});

const locationsArb = fc.array(
  fc.record({
    index: fc.oneof(fc.integer({ min: 0, max: 6 }), fc.integer({ min: 0, max: 70 })),
    ranges: fc.array(fc.oneof(v4Range, v6Range), { maxLength: 8 }),
  }),
  { maxLength: 10 },
);

function probes(locations: readonly IpLocationInput[], extra: readonly bigint[]): bigint[] {
  const points = new Set<bigint>(extra);
  for (const { ranges } of locations) {
    for (const r of ranges) {
      for (const p of [big(r.first), big(r.last)]) {
        for (const q of [p - 1n, p, p + 1n]) if (q >= 0n && q <= TOP) points.add(q);
      }
    }
  }
  return [...points];
}

/** Lookups of a 128-bit value in both spellings when it is an IPv4-mapped address. */
function spellings(value: bigint): IpAddress[] {
  const v6 = fromBig(value);
  if (value >= MAPPED_BASE && value <= (MAPPED_BASE | 0xffffffffn)) {
    return [v6, { version: 4, value: Number(value & 0xffffffffn) }];
  }
  return [v6];
}

describe("createIpLocationIndex (R26)", () => {
  it("answers exactly like a naive scan of every range, for random overlapping locations", () => {
    fc.assert(
      fc.property(
        locationsArb,
        fc.array(
          fc.oneof(
            v6Value,
            v4Value.map((v) => MAPPED_BASE | BigInt(v)),
          ),
        ),
        (locations, extra) => {
          const index = createIpLocationIndex(locations);
          const maxIndex = Math.max(-1, ...locations.map((l) => l.index));
          const mismatches: string[] = [];
          for (const point of probes(locations, extra)) {
            for (const address of spellings(point)) {
              const expected = naiveLookup(locations, address);
              const found = index.lookup(address);
              const where = `${point.toString(16)} (IPv${address.version})`;
              if (found.locations.join() !== expected.join() || found.size !== expected.length) {
                mismatches.push(`${where}: locations ${found.locations.join()} != ${expected.join()}`);
              }
              for (let k = -1; k <= maxIndex + 33; k++) {
                if (found.has(k) !== expected.includes(k)) mismatches.push(`${where}: has(${k})`);
              }
              for (let k = 0; k < found.bits.length * 32; k++) {
                const bit = ((found.bits[k >>> 5] ?? 0) >>> (k & 31)) & 1;
                if (bit !== (expected.includes(k) ? 1 : 0)) mismatches.push(`${where}: bit ${k}`);
              }
            }
          }
          expect(mismatches).toEqual([]);
        },
      ),
      { numRuns: 300 },
    );
  });

  it("never has more intervals than twice the ranges plus one per table, nor more sets than intervals plus the empty set", () => {
    fc.assert(
      fc.property(locationsArb, (locations) => {
        const { stats } = createIpLocationIndex(locations);
        const ranges = locations.reduce((n, l) => n + l.ranges.length, 0);
        expect(stats.ranges).toBe(ranges);
        expect(stats.ipv4Intervals).toBeLessThanOrEqual(2 * ranges + 1);
        expect(stats.ipv6Intervals).toBeLessThanOrEqual(2 * ranges + 1);
        expect(stats.distinctSets).toBeLessThanOrEqual(stats.ipv4Intervals + stats.ipv6Intervals + 1);
      }),
      { numRuns: 500 },
    );
  });

  it("finds nothing anywhere when there are no locations", () => {
    const index = createIpLocationIndex([]);
    for (const text of ["0.0.0.0", "255.255.255.255", "::", "2001:db8::1", "ffff:ffff:ffff:ffff:ffff:ffff:ffff:ffff"]) {
      const found = index.lookup(ip(text));
      expect(found.size).toBe(0);
      expect(found.locations).toEqual([]);
      expect(found.has(0)).toBe(false);
    }
    expect(index.stats).toEqual({ ranges: 0, ipv4Intervals: 1, ipv6Intervals: 1, distinctSets: 1 });
  });

  it("includes both ends of a CIDR and excludes the addresses just outside", () => {
    const index = createIpLocationIndex([location(0, "10.0.0.0/24"), location(1, "2001:db8::/64")]);
    expect(index.lookup(ip("9.255.255.255")).locations).toEqual([]);
    expect(index.lookup(ip("10.0.0.0")).locations).toEqual([0]);
    expect(index.lookup(ip("10.0.0.255")).locations).toEqual([0]);
    expect(index.lookup(ip("10.0.1.0")).locations).toEqual([]);
    expect(index.lookup(ip("2001:db7:ffff:ffff:ffff:ffff:ffff:ffff")).locations).toEqual([]);
    expect(index.lookup(ip("2001:db8::")).locations).toEqual([1]);
    expect(index.lookup(ip("2001:db8::ffff:ffff:ffff:ffff")).locations).toEqual([1]);
    expect(index.lookup(ip("2001:db8:0:1::")).locations).toEqual([]);
  });

  it("matches /32 and /128 single-address ranges only at that address", () => {
    const index = createIpLocationIndex([location(3, "87.92.49.122/32", "2001:db8::7/128")]);
    expect(index.lookup(ip("87.92.49.122")).has(3)).toBe(true);
    expect(index.lookup(ip("87.92.49.121")).has(3)).toBe(false);
    expect(index.lookup(ip("87.92.49.123")).has(3)).toBe(false);
    expect(index.lookup(ip("2001:db8::7")).has(3)).toBe(true);
    expect(index.lookup(ip("2001:db8::6")).has(3)).toBe(false);
    expect(index.lookup(ip("2001:db8::8")).has(3)).toBe(false);
  });

  it("handles ranges that touch the top and bottom of both address spaces", () => {
    const index = createIpLocationIndex([location(0, "0.0.0.0-0.0.0.9", "255.255.255.0-255.255.255.255"), location(1, "::/0")]);
    expect(index.lookup(ip("0.0.0.0")).locations).toEqual([0, 1]);
    expect(index.lookup(ip("255.255.255.255")).locations).toEqual([0, 1]);
    expect(index.lookup(ip("1.2.3.4")).locations).toEqual([1]);
    expect(index.lookup(ip("::")).locations).toEqual([1]);
    expect(index.lookup(ip("ffff:ffff:ffff:ffff:ffff:ffff:ffff:ffff")).locations).toEqual([1]);
  });

  it("reports every overlapping location, ascending, and unions ranges given for the same index twice", () => {
    const index = createIpLocationIndex([
      location(7, "10.0.0.0/16"),
      location(2, "10.0.0.0-10.0.0.20"),
      location(5, "10.0.0.16/28", "10.0.0.0/30"),
      location(2, "10.0.5.0/24"),
    ]);
    expect(index.lookup(ip("10.0.0.1")).locations).toEqual([2, 5, 7]);
    expect(index.lookup(ip("10.0.0.10")).locations).toEqual([2, 7]);
    expect(index.lookup(ip("10.0.0.18")).locations).toEqual([2, 5, 7]);
    expect(index.lookup(ip("10.0.0.25")).locations).toEqual([5, 7]);
    expect(index.lookup(ip("10.0.0.32")).locations).toEqual([7]);
    expect(index.lookup(ip("10.0.5.9")).locations).toEqual([2, 7]);
    expect(index.lookup(ip("10.0.0.18")).hasAny([0, 1, 5])).toBe(true);
    expect(index.lookup(ip("10.0.0.32")).hasAny([0, 1, 5])).toBe(false);
    expect(index.lookup(ip("10.0.0.32")).hasAny([])).toBe(false);
  });

  it("treats an IPv4 address and its IPv4-mapped IPv6 form alike, in both directions (§2.3)", () => {
    const index = createIpLocationIndex([location(0, "10.0.0.0/24"), location(1, "::ffff:10.0.0.128/121")]);
    const mapped: IpAddress = { version: 6, w0: 0, w1: 0, w2: 0xffff, w3: 0x0a000080 };
    expect(index.lookup(ip("10.0.0.128")).locations).toEqual([0, 1]);
    expect(index.lookup(mapped).locations).toEqual([0, 1]);
    expect(index.lookup(ip("10.0.0.127")).locations).toEqual([0]);
  });

  it("lets an IPv6 range that straddles the IPv4-mapped block cover the IPv4 addresses inside it", () => {
    const index = createIpLocationIndex([location(4, "::fffe:0:0-::ffff:10.0.0.0"), location(6, "::ffff:250.0.0.0-::1:0:0:0")]);
    expect(index.lookup(ip("0.0.0.0")).locations).toEqual([4]);
    expect(index.lookup(ip("10.0.0.0")).locations).toEqual([4]);
    expect(index.lookup(ip("10.0.0.1")).locations).toEqual([]);
    expect(index.lookup(ip("250.0.0.0")).locations).toEqual([6]);
    expect(index.lookup(ip("255.255.255.255")).locations).toEqual([6]);
    expect(index.lookup(ip("::fffe:0:1")).locations).toEqual([4]);
    expect(index.lookup(ip("::1:0:0:0")).locations).toEqual([6]);
  });

  it("returns the same shared set instance for every address with the same locations", () => {
    const index = createIpLocationIndex([location(0, "10.0.0.0/24", "192.168.0.0/16", "2001:db8::/32"), location(1, "172.16.0.0/12")]);
    const a = index.lookup(ip("10.0.0.1"));
    expect(index.lookup(ip("10.0.0.1"))).toBe(a);
    expect(index.lookup(ip("192.168.7.7"))).toBe(a);
    expect(index.lookup(ip("2001:db8::1"))).toBe(a);
    expect(index.lookup(ip("1.1.1.1"))).toBe(index.lookup(ip("2001:db9::1")));
    expect(index.stats.distinctSets).toBe(3);
    expect(Object.isFrozen(a.locations)).toBe(true);
  });

  it("has(k) is false for indices outside the set, negative or fractional", () => {
    const found = createIpLocationIndex([location(1, "10.0.0.0/24")]).lookup(ip("10.0.0.1"));
    expect(found.has(1)).toBe(true);
    expect(found.has(0)).toBe(false);
    expect(found.has(-1)).toBe(false);
    expect(found.has(1.5)).toBe(false);
    expect(found.has(33)).toBe(false);
    expect(found.has(Number.NaN)).toBe(false);
    expect(found.has(2 ** 40 + 1)).toBe(false);
  });

  it("throws TypeError for a location index that is negative, fractional or above 65535", () => {
    for (const index of [-1, 1.5, 65536, Number.NaN]) {
      expect(() => createIpLocationIndex([{ index, ranges: [] }])).toThrow(TypeError);
    }
    expect(() => createIpLocationIndex([{ index: 65535, ranges: [range("10.0.0.0/24")] }])).not.toThrow();
  });

  it("throws TypeError for a range whose first address is after its last", () => {
    const reversed: ParsedIpRange = {
      version: 4,
      first: { version: 4, value: 10 },
      last: { version: 4, value: 9 },
      prefixLength: null,
    };
    expect(() => createIpLocationIndex([{ index: 0, ranges: [reversed] }])).toThrow(TypeError);
  });

  it("indexes 195 locations of 2,000 overlapping ranges each and agrees with a naive scan", () => {
    // Deterministic xorshift32 so the test is reproducible.
    let seed = 0x9e3779b9;
    const next = (): number => {
      seed ^= seed << 13;
      seed ^= seed >>> 17;
      seed ^= seed << 5;
      return seed >>> 0;
    };
    const locations: IpLocationInput[] = [];
    for (let l = 0; l < 195; l++) {
      const ranges: ParsedIpRange[] = [];
      for (let r = 0; r < 2000; r++) {
        if (r % 10 === 9) {
          const w0 = 0x20010000 | (next() & 0xff);
          const w1 = next();
          const first: IPv6Address = { version: 6, w0, w1, w2: 0, w3: 0 };
          const last: IPv6Address = { version: 6, w0, w1, w2: 0xffffffff, w3: 0xffffffff };
          ranges.push({ version: 6, first, last, prefixLength: 64 });
        } else {
          // Addresses concentrated in 8 /8s so locations overlap heavily; /20../32 blocks.
          const prefix = 20 + (next() % 13);
          const size = 2 ** (32 - prefix);
          const value = (((next() % 8) + 40) * 2 ** 24 + (next() % 2 ** 24)) >>> 0;
          const start = value - (value % size);
          ranges.push({
            version: 4,
            first: { version: 4, value: start },
            last: { version: 4, value: start + size - 1 },
            prefixLength: prefix,
          });
        }
      }
      locations.push({ index: l, ranges });
    }
    const index = createIpLocationIndex(locations);
    expect(index.stats.ranges).toBe(390_000);
    const flat4: Array<[number, number, number]> = [];
    for (const { index: l, ranges } of locations) {
      for (const r of ranges) if (r.version === 4) flat4.push([r.first.value, r.last.value, l]);
    }
    for (let probe = 0; probe < 150; probe++) {
      const value = probe % 3 === 0 ? (flat4[next() % flat4.length]?.[0] ?? 0) : (((next() % 8) + 40) * 2 ** 24 + (next() % 2 ** 24)) >>> 0;
      const expected = new Set<number>();
      for (const [first, last, l] of flat4) if (first <= value && value <= last) expected.add(l);
      expect(index.lookup({ version: 4, value }).locations).toEqual([...expected].sort((a, b) => a - b));
    }
    const someV6 = locations[17]?.ranges[9];
    if (someV6?.version !== 6) throw new Error("expected an IPv6 range at position 9");
    expect(index.lookup(someV6.first).has(17)).toBe(true);
    expect(index.lookup(someV6.last).has(17)).toBe(true);
  });
});
