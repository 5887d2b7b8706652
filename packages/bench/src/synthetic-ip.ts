/**
 * IP helpers for the synthetic tenant: random public addresses, network "anchors" (an ISP
 * block a named location draws its ranges from) and Graph `ipRange` objects inside them.
 * IPv4 values are numbers, IPv6 values bigints; only used at generation time.
 */
import type { IpRange } from "@gatehouse/engine";
import type { SeededRandom } from "./seeded-random.js";

export type Anchor =
  | { readonly version: 4; readonly base: number; readonly prefix: number }
  | { readonly version: 6; readonly base: bigint; readonly prefix: number };

/** One generated range and an address inside it (for sign-ins that come from the location). */
export interface GeneratedRange {
  readonly range: IpRange;
  readonly sample: string;
}

const TWO_32 = 4294967296;
const V6_BITS = 128n;

export function formatIpv4(value: number): string {
  return `${Math.floor(value / 16777216) % 256}.${Math.floor(value / 65536) % 256}.${Math.floor(value / 256) % 256}.${value % 256}`;
}

/** RFC 5952 text: lower-case hex, leading zeros dropped, the longest run of 2+ zero groups as `::`. */
export function formatIpv6(value: bigint): string {
  const groups: number[] = [];
  for (let i = 7; i >= 0; i--) groups.push(Number((value >> BigInt(i * 16)) & 0xffffn));
  let bestStart = -1;
  let bestLength = 0;
  for (let i = 0; i < 8; ) {
    if (groups[i] !== 0) {
      i++;
      continue;
    }
    let j = i;
    while (j < 8 && groups[j] === 0) j++;
    if (j - i > bestLength) {
      bestStart = i;
      bestLength = j - i;
    }
    i = j;
  }
  const hex = (g: number[]): string => g.map((x) => x.toString(16)).join(":");
  if (bestLength < 2) return hex(groups);
  return `${hex(groups.slice(0, bestStart))}::${hex(groups.slice(bestStart + bestLength))}`;
}

function isReservedIpv4(value: number): boolean {
  const a = Math.floor(value / 16777216);
  const b = Math.floor(value / 65536) % 256;
  return (
    a === 0 ||
    a === 10 ||
    a === 127 ||
    a >= 224 ||
    (a === 100 && b >= 64 && b < 128) ||
    (a === 169 && b === 254) ||
    (a === 172 && b >= 16 && b < 32) ||
    (a === 192 && b === 168)
  );
}

/** A random unicast IPv4 address outside private and reserved space. */
export function randomPublicIpv4(rng: SeededRandom): number {
  for (;;) {
    const value = rng.uint32();
    if (!isReservedIpv4(value)) return value;
  }
}

function randomBits(rng: SeededRandom, bits: number): bigint {
  let value = 0n;
  for (let remaining = bits; remaining > 0; remaining -= 32) {
    const take = Math.min(32, remaining);
    value = (value << BigInt(take)) | BigInt(rng.uint32() >>> (32 - take));
  }
  return value;
}

/** A random global unicast IPv6 address (2000::/3, as allocated by the RIRs). */
export function randomGlobalIpv6(rng: SeededRandom): bigint {
  const first = rng.pick([0x2001, 0x2003, 0x2400, 0x2401, 0x2600, 0x2603, 0x2604, 0x2620, 0x2a00, 0x2a01, 0x2a02, 0x2a0f, 0x2c0f]);
  return (BigInt(first) << 112n) | randomBits(rng, 112);
}

export function randomAnchor(rng: SeededRandom, version: 4 | 6): Anchor {
  if (version === 4) {
    const prefix = rng.between(11, 17);
    const size = 2 ** (32 - prefix);
    return { version: 4, base: Math.floor(randomPublicIpv4(rng) / size) * size, prefix };
  }
  const prefix = rng.pick([29, 32, 32, 36, 40]);
  const hostBits = V6_BITS - BigInt(prefix);
  return { version: 6, base: (randomGlobalIpv6(rng) >> hostBits) << hostBits, prefix };
}

const V4_PREFIXES: readonly (readonly [number, number])[] = [
  [16, 1],
  [18, 1],
  [20, 2],
  [22, 3],
  [24, 10],
  [25, 2],
  [26, 3],
  [27, 3],
  [28, 5],
  [29, 4],
  [30, 3],
  [31, 1],
  [32, 12],
];
const V6_PREFIXES: readonly (readonly [number, number])[] = [
  [40, 1],
  [44, 1],
  [48, 6],
  [52, 2],
  [56, 5],
  [60, 2],
  [64, 12],
  [96, 1],
  [112, 1],
  [127, 1],
  [128, 4],
];

/** A CIDR (`cidr`) or lower/upper (`range`) entry inside `anchor`, with an address it contains. */
export function randomRangeIn(rng: SeededRandom, anchor: Anchor, shape: "cidr" | "range"): GeneratedRange {
  if (anchor.version === 4) {
    const anchorSize = 2 ** (32 - anchor.prefix);
    const start = anchor.base + rng.int(anchorSize);
    if (shape === "cidr") {
      const prefix = Math.max(anchor.prefix, rng.weighted(V4_PREFIXES));
      const size = 2 ** (32 - prefix);
      const network = Math.floor(start / size) * size;
      return {
        range: { "@odata.type": "#microsoft.graph.iPv4CidrRange", cidrAddress: `${formatIpv4(network)}/${prefix}` },
        sample: formatIpv4(network + rng.int(size)),
      };
    }
    const last = Math.min(anchor.base + anchorSize - 1, start + rng.between(1, 4095), TWO_32 - 1);
    return {
      range: { "@odata.type": "#microsoft.graph.iPv4Range", lowerAddress: formatIpv4(start), upperAddress: formatIpv4(last) },
      sample: formatIpv4(start + rng.int(last - start + 1)),
    };
  }
  const anchorBits = 128 - anchor.prefix;
  const start = anchor.base + randomBits(rng, anchorBits);
  if (shape === "cidr") {
    const prefix = Math.max(anchor.prefix, rng.weighted(V6_PREFIXES));
    const hostBits = BigInt(128 - prefix);
    const network = (start >> hostBits) << hostBits;
    return {
      range: { "@odata.type": "#microsoft.graph.iPv6CidrRange", cidrAddress: `${formatIpv6(network)}/${prefix}` },
      sample: formatIpv6(network + randomBits(rng, 128 - prefix)),
    };
  }
  const anchorLast = anchor.base + (1n << BigInt(anchorBits)) - 1n;
  const span = randomBits(rng, rng.between(8, 64)) + 1n;
  const last = start + span > anchorLast ? anchorLast : start + span;
  return {
    range: { "@odata.type": "#microsoft.graph.iPv6Range", lowerAddress: formatIpv6(start), upperAddress: formatIpv6(last) },
    sample: formatIpv6(start + (last > start ? randomBits(rng, 48) % (last - start + 1n) : 0n)),
  };
}

/** A scattered single-host or small-block range anywhere (threat-intelligence feeds). */
export function randomScatteredRange(rng: SeededRandom, version: 4 | 6): GeneratedRange {
  if (version === 4) {
    const prefix = rng.weighted([
      [32, 10],
      [30, 1],
      [29, 1],
      [28, 1],
      [24, 3],
    ] as const);
    const size = 2 ** (32 - prefix);
    const network = Math.floor(randomPublicIpv4(rng) / size) * size;
    return {
      range: { "@odata.type": "#microsoft.graph.iPv4CidrRange", cidrAddress: `${formatIpv4(network)}/${prefix}` },
      sample: formatIpv4(network + rng.int(size)),
    };
  }
  const prefix = rng.pick([48, 56, 64, 64, 128]);
  const hostBits = BigInt(128 - prefix);
  const network = (randomGlobalIpv6(rng) >> hostBits) << hostBits;
  return {
    range: { "@odata.type": "#microsoft.graph.iPv6CidrRange", cidrAddress: `${formatIpv6(network)}/${prefix}` },
    sample: formatIpv6(network + randomBits(rng, 128 - prefix)),
  };
}
