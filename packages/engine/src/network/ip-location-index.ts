/**
 * Which IP named locations contain an address (spec §1.12, R26), answered with one binary
 * search and no allocation.
 *
 * Compile time: every range contributes a "+location" event at its first address and a
 * "-location" event just after its last address. A sweep over the sorted events cuts the
 * address space into elementary intervals that are sorted and non-overlapping; each carries the
 * set of locations covering it. Identical sets are stored once and shared (most intervals are
 * covered by a single location, or none), and neighbouring intervals with the same set merge.
 * IPv4 and IPv6 get separate tables: IPv4 interval starts in a `Uint32Array`, IPv6 interval
 * starts as four 32-bit words per entry (stride 4) in a `Uint32Array`.
 *
 * Lookup: binary search for the last interval starting at or before the address (for IPv4
 * only within the address's bucket of a radix table over the top bits), then return that
 * interval's precomputed, immutable `IpLocationSet`. Nothing is allocated.
 *
 * IPv4-mapped IPv6 addresses (`::ffff:a.b.c.d`) are looked up as IPv4, and the part of an IPv6
 * range that lies inside `::ffff:0:0/96` also covers the matching IPv4 addresses, so an address
 * and its mapped form always agree **[engine choice]**.
 */
import type { IpAddress } from "./parse-ip-address.js";
import type { ParsedIpRange } from "./parse-ip-range.js";

/**
 * The set of locations containing an address. Instances are shared between lookups and
 * between intervals: treat them, and `bits`, as read-only.
 */
export interface IpLocationSet {
  /** Number of locations in the set. */
  readonly size: number;
  /** The location indices, ascending, without duplicates (frozen). */
  readonly locations: readonly number[];
  /**
   * The same set as a bitset: bit `k` of word `k >>> 5` is location `k` (the layout of
   * `compile/bitset.ts`). Words past the end are zero. Do not mutate.
   */
  readonly bits: Uint32Array;
  /** Whether location `location` is in the set, in O(1). */
  has(location: number): boolean;
  /** Whether any of `locations` is in the set. */
  hasAny(locations: readonly number[]): boolean;
}

export interface IpLocationIndexStats {
  /** Ranges indexed (an IPv6 range reaching into `::ffff:0:0/96` counts once). */
  readonly ranges: number;
  /** Elementary intervals in the IPv4 table (the first starts at 0.0.0.0). */
  readonly ipv4Intervals: number;
  /** Elementary intervals in the IPv6 table (the first starts at ::). */
  readonly ipv6Intervals: number;
  /** Distinct location sets, the empty set included. */
  readonly distinctSets: number;
}

export interface IpLocationIndex {
  /**
   * The locations whose ranges contain `address`: one binary search, no allocation. An address
   * in no location yields an empty set (`size === 0`).
   */
  lookup(address: IpAddress): IpLocationSet;
  readonly stats: IpLocationIndexStats;
}

export interface IpLocationInput {
  /** The location's number in the caller's catalog: an integer 0..MAX_IP_LOCATION_INDEX. */
  readonly index: number;
  readonly ranges: ReadonlyArray<ParsedIpRange>;
}

/**
 * Largest accepted location index. Sets are bitsets sized by the largest index, so indices
 * should be dense (Entra allows 195 named locations).
 */
export const MAX_IP_LOCATION_INDEX = 0xffff;

const UINT32_MAX = 0xffffffff;

class LocationSet implements IpLocationSet {
  readonly size: number;
  readonly locations: readonly number[];
  readonly bits: Uint32Array;

  constructor(bits: Uint32Array) {
    this.bits = bits;
    const locations: number[] = [];
    for (let w = 0; w < bits.length; w++) {
      const word = bits[w] ?? 0;
      if (word === 0) continue;
      for (let b = 0; b < 32; b++) if ((word >>> b) & 1) locations.push(w * 32 + b);
    }
    this.locations = Object.freeze(locations);
    this.size = locations.length;
  }

  has(location: number): boolean {
    return (location | 0) === location && (((this.bits[location >>> 5] ?? 0) >>> (location & 31)) & 1) === 1;
  }

  hasAny(locations: readonly number[]): boolean {
    for (let i = 0; i < locations.length; i++) if (this.has(locations[i] ?? -1)) return true;
    return false;
  }
}

/** Gives every distinct bitset one shared `LocationSet` and a small integer id. */
class SetInterner {
  readonly sets: LocationSet[] = [];
  /** Hash -> first set id with that hash; `chain[id]` is the next id with the same hash. */
  private readonly heads = new Map<number, number>();
  private readonly chain: number[] = [];

  constructor(width: number) {
    this.intern(new Uint32Array(width));
  }

  intern(active: Uint32Array): number {
    let hash = 0x811c9dc5;
    for (let w = 0; w < active.length; w++) hash = Math.imul(hash ^ (active[w] ?? 0), 0x01000193);
    const head = this.heads.get(hash);
    for (let id = head ?? -1; id >= 0; id = this.chain[id] ?? -1) {
      const bits = (this.sets[id] as LocationSet).bits;
      let same = true;
      for (let w = 0; w < active.length; w++) {
        if (bits[w] !== active[w]) {
          same = false;
          break;
        }
      }
      if (same) return id;
    }
    const id = this.sets.length;
    this.sets.push(new LocationSet(active.slice()));
    this.chain.push(head ?? -1);
    this.heads.set(hash, id);
    return id;
  }
}

/** Tracks how many ranges of each location cover the sweep position, as counts and a bitset. */
class Coverage {
  private readonly counts: Uint32Array;
  readonly active: Uint32Array;
  changed = false;

  constructor(locations: number, width: number) {
    this.counts = new Uint32Array(locations);
    this.active = new Uint32Array(width);
  }

  enter(location: number): void {
    const before = this.counts[location] ?? 0;
    this.counts[location] = before + 1;
    if (before === 0) {
      const w = location >>> 5;
      this.active[w] = ((this.active[w] ?? 0) | (1 << (location & 31))) >>> 0;
      this.changed = true;
    }
  }

  leave(location: number): void {
    const after = (this.counts[location] ?? 0) - 1;
    this.counts[location] = after;
    if (after === 0) {
      const w = location >>> 5;
      this.active[w] = ((this.active[w] ?? 0) & ~(1 << (location & 31))) >>> 0;
      this.changed = true;
    }
  }
}

function compareWords(a: Uint32Array, i: number, b: Uint32Array, j: number): number {
  for (let k = 0; k < 4; k++) {
    const x = a[i + k] ?? 0;
    const y = b[j + k] ?? 0;
    if (x !== y) return x - y;
  }
  return 0;
}

function checkRange(range: ParsedIpRange): void {
  let ordered: boolean;
  if (range.version === 4) ordered = range.first.value <= range.last.value;
  else {
    const { first: f, last: l } = range;
    if (f.w0 !== l.w0) ordered = f.w0 < l.w0;
    else if (f.w1 !== l.w1) ordered = f.w1 < l.w1;
    else if (f.w2 !== l.w2) ordered = f.w2 < l.w2;
    else ordered = f.w3 <= l.w3;
  }
  if (!ordered) {
    throw new TypeError("createIpLocationIndex: a range's first address is after its last address");
  }
}

/** Portion of an IPv6 range inside `::ffff:0:0/96`, as IPv4 values, or null. */
function mappedPart(range: ParsedIpRange): [number, number] | null {
  if (range.version !== 6) return null;
  const f = range.first;
  const l = range.last;
  // first <= ::ffff:255.255.255.255  and  last >= ::ffff:0.0.0.0
  const firstAtMostEnd = f.w0 === 0 && f.w1 === 0 && f.w2 <= 0xffff;
  const lastAtLeastStart = l.w0 !== 0 || l.w1 !== 0 || l.w2 >= 0xffff;
  if (!firstAtMostEnd || !lastAtLeastStart) return null;
  const lo = f.w2 === 0xffff ? f.w3 : 0;
  const hi = l.w0 === 0 && l.w1 === 0 && l.w2 === 0xffff ? l.w3 : UINT32_MAX;
  return [lo, hi];
}

function buildIpv4Table(
  locations: ReadonlyArray<IpLocationInput>,
  eventCount: number,
  locationSlots: number,
  interner: SetInterner,
  width: number,
): { starts: Uint32Array; ids: Uint32Array } {
  // Event key = position * 2^shift + location * 2 + (1 for start, 0 for end); position < 2^32
  // and 2^shift <= 2^17, so keys stay exact integers below 2^53 and sort as plain numbers.
  let shift = 1;
  while (2 ** shift < locationSlots * 2) shift++;
  const scale = 2 ** shift;
  const keys = new Float64Array(eventCount);
  let n = 0;
  const add = (location: number, first: number, last: number): void => {
    keys[n++] = first * scale + location * 2 + 1;
    if (last < UINT32_MAX) keys[n++] = (last + 1) * scale + location * 2;
  };
  for (const { index, ranges } of locations) {
    for (const range of ranges) {
      if (range.version === 4) add(index, range.first.value, range.last.value);
      else {
        const part = mappedPart(range);
        if (part !== null) add(index, part[0], part[1]);
      }
    }
  }
  const sorted = keys.subarray(0, n).sort();
  const coverage = new Coverage(locationSlots, width);
  const starts: number[] = [0];
  const ids: number[] = [0];
  let i = 0;
  while (i < n) {
    const position = Math.floor((sorted[i] ?? 0) / scale);
    const base = position * scale;
    const limit = base + scale;
    for (; i < n; i++) {
      const key = sorted[i] ?? 0;
      if (key >= limit) break;
      const rest = key - base;
      if (rest & 1) coverage.enter(rest >>> 1);
      else coverage.leave(rest >>> 1);
    }
    if (!coverage.changed) continue;
    coverage.changed = false;
    const id = interner.intern(coverage.active);
    const last = ids.length - 1;
    if (id === ids[last]) continue;
    if (starts[last] === position) ids[last] = id;
    else {
      starts.push(position);
      ids.push(id);
    }
  }
  return { starts: Uint32Array.from(starts), ids: Uint32Array.from(ids) };
}

function buildIpv6Table(
  locations: ReadonlyArray<IpLocationInput>,
  eventCount: number,
  locationSlots: number,
  interner: SetInterner,
  width: number,
): { starts: Uint32Array; ids: Uint32Array } {
  const positions = new Uint32Array(eventCount * 4);
  const meta = new Uint32Array(eventCount); // location * 2 + (1 for start, 0 for end)
  let n = 0;
  for (const { index, ranges } of locations) {
    for (const range of ranges) {
      if (range.version !== 6) continue;
      const { first, last } = range;
      let o = n * 4;
      positions[o] = first.w0;
      positions[o + 1] = first.w1;
      positions[o + 2] = first.w2;
      positions[o + 3] = first.w3;
      meta[n++] = index * 2 + 1;
      // End event at last + 1 (128-bit increment); none when last is the top address.
      let w3 = last.w3 + 1;
      let w2 = last.w2;
      let w1 = last.w1;
      let w0 = last.w0;
      if (w3 > UINT32_MAX) {
        w3 = 0;
        w2++;
        if (w2 > UINT32_MAX) {
          w2 = 0;
          w1++;
          if (w1 > UINT32_MAX) {
            w1 = 0;
            w0++;
            if (w0 > UINT32_MAX) continue;
          }
        }
      }
      o = n * 4;
      positions[o] = w0;
      positions[o + 1] = w1;
      positions[o + 2] = w2;
      positions[o + 3] = w3;
      meta[n++] = index * 2;
    }
  }
  const order = new Uint32Array(n);
  for (let k = 0; k < n; k++) order[k] = k;
  order.sort((a, b) => compareWords(positions, a * 4, positions, b * 4));
  const coverage = new Coverage(locationSlots, width);
  const starts: number[] = [0, 0, 0, 0];
  const ids: number[] = [0];
  let i = 0;
  while (i < n) {
    const head = (order[i] ?? 0) * 4;
    for (; i < n; i++) {
      const e = order[i] ?? 0;
      if (compareWords(positions, e * 4, positions, head) !== 0) break;
      const m = meta[e] ?? 0;
      if (m & 1) coverage.enter(m >>> 1);
      else coverage.leave(m >>> 1);
    }
    if (!coverage.changed) continue;
    coverage.changed = false;
    const id = interner.intern(coverage.active);
    const last = ids.length - 1;
    if (id === ids[last]) continue;
    const atZero = positions[head] === 0 && positions[head + 1] === 0 && positions[head + 2] === 0 && positions[head + 3] === 0;
    if (last === 0 && atZero) ids[0] = id;
    else {
      starts.push(positions[head] ?? 0, positions[head + 1] ?? 0, positions[head + 2] ?? 0, positions[head + 3] ?? 0);
      ids.push(id);
    }
  }
  return { starts: Uint32Array.from(starts), ids: Uint32Array.from(ids) };
}

/**
 * For IPv4, a radix table over the top `bits` bits narrows the binary search to the intervals
 * of one bucket (usually a handful), so a lookup touches a few cache lines instead of ~20.
 * `radix[b]` is the interval holding the bucket's first address, `radix[2^bits]` the last
 * interval; the answer for an address in bucket b lies in `radix[b] .. radix[b + 1]`.
 */
function buildRadix(starts: Uint32Array): { radix: Uint32Array; shift: number } {
  let bits = 1;
  while (bits < 16 && 2 ** bits < starts.length) bits++;
  const shift = 32 - bits;
  const buckets = 2 ** bits;
  const radix = new Uint32Array(buckets + 1);
  let interval = 0;
  for (let b = 0; b < buckets; b++) {
    const first = b * 2 ** shift;
    while (interval + 1 < starts.length && (starts[interval + 1] ?? 0) <= first) interval++;
    radix[b] = interval;
  }
  radix[buckets] = starts.length - 1;
  return { radix, shift };
}

class IpLocationIndexImpl implements IpLocationIndex {
  private readonly radix4: Uint32Array;
  private readonly shift4: number;

  constructor(
    private readonly sets: readonly LocationSet[],
    private readonly starts4: Uint32Array,
    private readonly ids4: Uint32Array,
    private readonly starts6: Uint32Array,
    private readonly ids6: Uint32Array,
    readonly stats: IpLocationIndexStats,
  ) {
    const { radix, shift } = buildRadix(starts4);
    this.radix4 = radix;
    this.shift4 = shift;
  }

  lookup(address: IpAddress): IpLocationSet {
    if (address.version === 4) return this.lookup4(address.value);
    const { w0, w1, w2, w3 } = address;
    if (w0 === 0 && w1 === 0 && w2 === 0xffff) return this.lookup4(w3);
    // Last interval whose start is <= address; starts6[0..3] is ::, so one always exists.
    const s = this.starts6;
    let lo = 0;
    let hi = this.ids6.length - 1;
    while (lo < hi) {
      const mid = (lo + hi + 1) >>> 1;
      const o = mid * 4;
      const a = s[o] ?? 0;
      let atOrBefore: boolean;
      if (a !== w0) atOrBefore = a < w0;
      else {
        const b = s[o + 1] ?? 0;
        if (b !== w1) atOrBefore = b < w1;
        else {
          const c = s[o + 2] ?? 0;
          atOrBefore = c !== w2 ? c < w2 : (s[o + 3] ?? 0) <= w3;
        }
      }
      if (atOrBefore) lo = mid;
      else hi = mid - 1;
    }
    return this.sets[this.ids6[lo] ?? 0] as LocationSet;
  }

  private lookup4(value: number): IpLocationSet {
    // Last interval whose start is <= value, searched within the value's radix bucket.
    const s = this.starts4;
    const bucket = value >>> this.shift4;
    let lo = this.radix4[bucket] ?? 0;
    let hi = this.radix4[bucket + 1] ?? 0;
    while (lo < hi) {
      const mid = (lo + hi + 1) >>> 1;
      if ((s[mid] ?? 0) <= value) lo = mid;
      else hi = mid - 1;
    }
    return this.sets[this.ids4[lo] ?? 0] as LocationSet;
  }
}

/**
 * Compiles IP named locations into a lookup index (R26). `index` is the caller's number for
 * the location (the same number comes back from `lookup`); several inputs may share an index
 * (their ranges are united). Ranges may overlap within and across locations.
 * Throws `TypeError` for an index outside 0..MAX_IP_LOCATION_INDEX or a range whose first
 * address is after its last (neither can come out of `parseIpRange`).
 */
export function createIpLocationIndex(locations: ReadonlyArray<IpLocationInput>): IpLocationIndex {
  let maxIndex = -1;
  let events4 = 0;
  let events6 = 0;
  let ranges = 0;
  for (const { index, ranges: list } of locations) {
    if (!Number.isInteger(index) || index < 0 || index > MAX_IP_LOCATION_INDEX) {
      throw new TypeError(`createIpLocationIndex: location index ${String(index)} is not an integer from 0 to ${MAX_IP_LOCATION_INDEX}`);
    }
    if (index > maxIndex) maxIndex = index;
    for (const range of list) {
      checkRange(range);
      ranges++;
      if (range.version === 4) events4 += 2;
      else {
        events6 += 2;
        if (mappedPart(range) !== null) events4 += 2;
      }
    }
  }
  const slots = maxIndex + 1;
  const width = (slots + 31) >>> 5;
  const interner = new SetInterner(width);
  const v4 = buildIpv4Table(locations, events4, slots, interner, width);
  const v6 = buildIpv6Table(locations, events6, slots, interner, width);
  return new IpLocationIndexImpl(interner.sets, v4.starts, v4.ids, v6.starts, v6.ids, {
    ranges,
    ipv4Intervals: v4.starts.length,
    ipv6Intervals: v6.ids.length,
    distinctSets: interner.sets.length,
  });
}
