/**
 * A small seeded PRNG (mulberry32) and the sampling helpers the synthetic tenant needs.
 * Deterministic: the same seed always yields the same sequence (no Math.random).
 */
export interface SeededRandom {
  /** Uniform in [0, 1). */
  next(): number;
  /** Uniform 32-bit unsigned integer. */
  uint32(): number;
  /** Uniform integer in [0, n). */
  int(n: number): number;
  /** Uniform integer in [min, max] (inclusive). */
  between(min: number, max: number): number;
  chance(probability: number): boolean;
  pick<T>(values: readonly T[]): T;
  /** Picks by relative weight: `[[value, weight], ...]`. */
  weighted<T>(entries: readonly (readonly [T, number])[]): T;
  /** `count` distinct elements (fewer when `values` is shorter), in random order. */
  sample<T>(values: readonly T[], count: number): T[];
  /** A random version-4-shaped GUID. */
  uuid(): string;
}

export function createSeededRandom(seed: number): SeededRandom {
  let state = seed >>> 0;
  const uint32 = (): number => {
    state = (state + 0x6d2b79f5) >>> 0;
    let t = state;
    t = Math.imul(t ^ (t >>> 15), t | 1);
    t ^= t + Math.imul(t ^ (t >>> 7), t | 61);
    return (t ^ (t >>> 14)) >>> 0;
  };
  const next = (): number => uint32() / 4294967296;
  const int = (n: number): number => Math.floor(next() * n);
  const hex = (value: number, digits: number): string => value.toString(16).padStart(digits, "0");

  return {
    next,
    uint32,
    int,
    between: (min, max) => min + int(max - min + 1),
    chance: (probability) => next() < probability,
    pick<T>(values: readonly T[]): T {
      if (values.length === 0) throw new TypeError("pick: empty list");
      return values[int(values.length)] as T;
    },
    weighted<T>(entries: readonly (readonly [T, number])[]): T {
      let total = 0;
      for (const [, w] of entries) total += w;
      let r = next() * total;
      for (const [value, w] of entries) {
        r -= w;
        if (r < 0) return value;
      }
      const last = entries[entries.length - 1];
      if (!last) throw new TypeError("weighted: empty list");
      return last[0];
    },
    sample<T>(values: readonly T[], count: number): T[] {
      const n = Math.min(count, values.length);
      // Partial Fisher-Yates over a copy of the indices touched (sparse for large inputs).
      const swapped = new Map<number, number>();
      const out: T[] = [];
      for (let i = 0; i < n; i++) {
        const j = i + int(values.length - i);
        const vi = swapped.get(i) ?? i;
        const vj = swapped.get(j) ?? j;
        swapped.set(j, vi);
        out.push(values[vj] as T);
      }
      return out;
    },
    uuid(): string {
      const a = uint32();
      const b = uint32();
      const c = uint32();
      const d = uint32();
      return (
        `${hex(a, 8)}-${hex(b >>> 16, 4)}-${hex(((b & 0x0fff) | 0x4000) >>> 0, 4)}-` +
        `${hex(((c >>> 16) & 0x3fff) | 0x8000, 4)}-${hex(c & 0xffff, 4)}${hex(d, 8)}`
      );
    },
  };
}
