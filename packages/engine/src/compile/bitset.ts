/**
 * Small fixed-size bitsets. Memberships (groups, roles, locations) become bitsets at
 * compile time so a condition check is a few word ANDs instead of set lookups.
 */

export type Bitset = Uint32Array;

export const EMPTY_BITSET: Bitset = new Uint32Array(0);

export function createBitset(size: number): Bitset {
  return new Uint32Array((size + 31) >>> 5);
}

export function setBit(bits: Bitset, index: number): void {
  const word = index >>> 5;
  bits[word] = (bits[word] ?? 0) | (1 << (index & 31));
}

export function hasBit(bits: Bitset, index: number): boolean {
  return (((bits[index >>> 5] ?? 0) >>> (index & 31)) & 1) === 1;
}

/**
 * A sparse mask: only the words that have bits, as parallel arrays. Policies reference a
 * handful of groups among hundreds, so testing a mask touches one or two words.
 */
export interface SparseMask {
  readonly words: Int32Array;
  readonly bits: Uint32Array;
}

export function toSparseMask(indices: Iterable<number>): SparseMask | null {
  const byWord = new Map<number, number>();
  for (const index of indices) {
    const word = index >>> 5;
    byWord.set(word, ((byWord.get(word) ?? 0) | (1 << (index & 31))) >>> 0);
  }
  if (byWord.size === 0) return null;
  const entries = [...byWord.entries()].sort((a, b) => a[0] - b[0]);
  return {
    words: Int32Array.from(entries, (e) => e[0]),
    bits: Uint32Array.from(entries, (e) => e[1]),
  };
}

export function intersects(mask: SparseMask | null, bits: Bitset): boolean {
  if (mask === null) return false;
  const { words, bits: maskBits } = mask;
  for (let i = 0; i < words.length; i++) {
    const w = bits[words[i] as number];
    if (w !== undefined && (w & (maskBits[i] as number)) !== 0) return true;
  }
  return false;
}
