/**
 * IP address text <-> compact numeric form (spec §1.12, §2.3, R26).
 *
 * Representation (chosen for range lookups, see `ip-location-index.ts`):
 * - IPv4: `{ version: 4, value }`, `value` an unsigned 32-bit integer held in a plain number
 *   (0 .. 2^32-1), so comparisons are single number comparisons and the index can keep its
 *   boundaries in a `Uint32Array`.
 * - IPv6: `{ version: 6, w0, w1, w2, w3 }`, four unsigned 32-bit words, `w0` the most
 *   significant. Ordering is lexicographic on (w0, w1, w2, w3). Four small integers compare
 *   faster than bigints, fit a stride-4 `Uint32Array` table, and never allocate on lookup.
 *
 * Accepted text (strict; anything else is `null`, never an exception):
 * - IPv4: exactly four decimal octets 0..255 separated by dots. A multi-digit octet with a
 *   leading zero (`01.2.3.4`, `10.0.0.010`) is rejected **[engine choice]**: inet_aton-style
 *   parsers (and .NET's `IPAddress.Parse`) read it as octal, others as decimal, so accepting it
 *   would make the address ambiguous. Hex, octal, short (`10.1`) and 32-bit integer forms are
 *   rejected for the same reason.
 * - IPv6: every RFC 4291 §2.2 text form (RFC 5952 canonical form included): 1-4 hex digits per
 *   group in either case, one `::` standing for one or more zero groups, and an embedded
 *   dotted-quad IPv4 tail (`::ffff:1.2.3.4`, `64:ff9b::192.0.2.1`) that follows the IPv4 rules
 *   above.
 * - Rejected **[engine choice]**: zone ids (`fe80::1%eth0`), brackets (`[::1]`), prefix
 *   lengths, ports and surrounding whitespace. A zone id only qualifies a link-local address,
 *   which can never be the public egress address Entra sees (§2.3), so a zone id means the
 *   caller passed something other than an egress IP.
 * - IPv4-mapped IPv6 addresses (`::ffff:0:0/96`, in any text form, e.g. `::ffff:1.2.3.4` or
 *   `::FFFF:0102:0304`) are returned as the IPv4 address: a dual-stack front end reports an IPv4
 *   client that way, and Entra sees the IPv4 egress. IPv4-compatible (`::1.2.3.4`, deprecated)
 *   and NAT64 (`64:ff9b::/96`) addresses stay IPv6.
 */

export interface IPv4Address {
  readonly version: 4;
  /** Unsigned 32-bit value, 0 .. 2^32-1 (`1.2.3.4` = 0x01020304). */
  readonly value: number;
}

export interface IPv6Address {
  readonly version: 6;
  /** Bits 127..96, unsigned 32-bit. */
  readonly w0: number;
  /** Bits 95..64, unsigned 32-bit. */
  readonly w1: number;
  /** Bits 63..32, unsigned 32-bit. */
  readonly w2: number;
  /** Bits 31..0, unsigned 32-bit. */
  readonly w3: number;
}

export type IpAddress = IPv4Address | IPv6Address;

/** Longest valid text: `ffff:ffff:ffff:ffff:ffff:ffff:255.255.255.255`. */
const MAX_IPV6_TEXT = 45;
const MAX_IPV4_TEXT = 15;

const COLON = 58;
const DOT = 46;
const ZERO = 48;

/** Scratch for the eight 16-bit groups; the parser is synchronous, so sharing is safe. */
const groups: number[] = [0, 0, 0, 0, 0, 0, 0, 0];

/**
 * @internal Parses `text[start, end)` as a strict dotted-quad IPv4 address.
 * Returns the unsigned 32-bit value, or -1 when the text is not one.
 */
export function scanIpv4(text: string, start: number, end: number): number {
  if (end - start > MAX_IPV4_TEXT || end - start < 7) return -1;
  let value = 0;
  let octet = 0;
  let digits = 0;
  let dots = 0;
  for (let i = start; i < end; i++) {
    const c = text.charCodeAt(i);
    if (c === DOT) {
      if (digits === 0 || dots === 3) return -1;
      value = value * 256 + octet;
      dots++;
      octet = 0;
      digits = 0;
    } else {
      const d = c - ZERO;
      // A second digit after a leading 0 is the octal-looking form we reject.
      if (d < 0 || d > 9 || (digits !== 0 && octet === 0)) return -1;
      octet = octet * 10 + d;
      if (octet > 255) return -1;
      digits++;
    }
  }
  if (digits === 0 || dots !== 3) return -1;
  return value * 256 + octet;
}

/**
 * @internal Parses `text[start, end)` as an IPv6 address in any RFC 4291 text form and writes
 * its four 32-bit words (most significant first) to `out`. Returns false when it is not one.
 * IPv4-mapped addresses are NOT unwrapped here (range parsing needs the raw value).
 */
export function scanIpv6(text: string, start: number, end: number, out: Uint32Array): boolean {
  if (end - start > MAX_IPV6_TEXT || end - start < 2) return false;
  let count = 0;
  let gap = -1;
  let i = start;
  if (text.charCodeAt(i) === COLON) {
    if (text.charCodeAt(i + 1) !== COLON) return false;
    gap = 0;
    i += 2;
  }
  while (i < end) {
    const first = i;
    let group = 0;
    let c = 0;
    for (; i < end; i++) {
      c = text.charCodeAt(i);
      let d = c - ZERO;
      if (d < 0 || d > 9) {
        d = (c | 0x20) - 87; // 'a'..'f' and 'A'..'F' -> 10..15
        if (d < 10 || d > 15) break;
      }
      group = group * 16 + d;
    }
    const digits = i - first;
    if (digits === 0) return false;
    if (i < end && c === DOT) {
      // Embedded IPv4: must be the last 32 bits and run to the end of the text.
      if (count > 6) return false;
      const v4 = scanIpv4(text, first, end);
      if (v4 < 0) return false;
      groups[count++] = v4 >>> 16;
      groups[count++] = v4 & 0xffff;
      break;
    }
    if (digits > 4 || count === 8) return false;
    groups[count++] = group;
    if (i === end) break;
    if (c !== COLON) return false;
    i++;
    if (i < end && text.charCodeAt(i) === COLON) {
      if (gap >= 0) return false;
      gap = count;
      i++;
    } else if (i === end) {
      return false;
    }
  }
  if (gap >= 0) {
    // `::` stands for one or more zero groups (RFC 4291 §2.2).
    if (count === 8) return false;
    const shift = 8 - count;
    for (let k = count - 1; k >= gap; k--) groups[k + shift] = groups[k] ?? 0;
    for (let k = gap; k < gap + shift; k++) groups[k] = 0;
  } else if (count !== 8) {
    return false;
  }
  out[0] = (groups[0] ?? 0) * 0x10000 + (groups[1] ?? 0);
  out[1] = (groups[2] ?? 0) * 0x10000 + (groups[3] ?? 0);
  out[2] = (groups[4] ?? 0) * 0x10000 + (groups[5] ?? 0);
  out[3] = (groups[6] ?? 0) * 0x10000 + (groups[7] ?? 0);
  return true;
}

/** @internal True when the IPv6 words lie in `::ffff:0:0/96` (IPv4-mapped). */
export function isIpv4MappedWords(w0: number, w1: number, w2: number): boolean {
  return w0 === 0 && w1 === 0 && w2 === 0xffff;
}

const words = new Uint32Array(4);

/**
 * Parses an IPv4 or IPv6 address (strict rules in the module comment). IPv4-mapped IPv6
 * addresses come back as IPv4 (§2.3: Entra sees the IPv4 egress). Returns `null` for anything
 * that is not exactly one address.
 */
export function parseIpAddress(text: string): IpAddress | null {
  if (typeof text !== "string") return null;
  const length = text.length;
  // Dotted quads are the common case; an IPv6 text fails scanIpv4 on its length or first colon.
  const value = scanIpv4(text, 0, length);
  if (value >= 0) return { version: 4, value };
  if (!scanIpv6(text, 0, length, words)) return null;
  const w0 = words[0] ?? 0;
  const w1 = words[1] ?? 0;
  const w2 = words[2] ?? 0;
  const w3 = words[3] ?? 0;
  if (isIpv4MappedWords(w0, w1, w2)) return { version: 4, value: w3 };
  return { version: 6, w0, w1, w2, w3 };
}

function formatIpv4(value: number): string {
  return `${value >>> 24}.${(value >>> 16) & 0xff}.${(value >>> 8) & 0xff}.${value & 0xff}`;
}

function formatIpv6(a: IPv6Address): string {
  if (isIpv4MappedWords(a.w0, a.w1, a.w2)) return `::ffff:${formatIpv4(a.w3)}`;
  const g = [a.w0 >>> 16, a.w0 & 0xffff, a.w1 >>> 16, a.w1 & 0xffff, a.w2 >>> 16, a.w2 & 0xffff, a.w3 >>> 16, a.w3 & 0xffff];
  // RFC 5952 §4.2: compress the longest run of two or more zero groups, the first on a tie.
  let bestStart = -1;
  let bestLength = 1;
  for (let k = 0; k < 8; ) {
    if (g[k] !== 0) {
      k++;
      continue;
    }
    let j = k;
    while (j < 8 && g[j] === 0) j++;
    if (j - k > bestLength) {
      bestStart = k;
      bestLength = j - k;
    }
    k = j;
  }
  const hex = (from: number, to: number): string =>
    g
      .slice(from, to)
      .map((n) => n.toString(16))
      .join(":");
  if (bestStart < 0) return hex(0, 8);
  return `${hex(0, bestStart)}::${hex(bestStart + bestLength, 8)}`;
}

/**
 * Formats an address as text: IPv4 dotted quad; IPv6 in RFC 5952 canonical form (lowercase,
 * no leading zeros, longest run of 2+ zero groups compressed, IPv4-mapped as `::ffff:a.b.c.d`).
 * `parseIpAddress(formatIpAddress(a))` equals `a` for every address `parseIpAddress` returns.
 */
export function formatIpAddress(address: IpAddress): string {
  return address.version === 4 ? formatIpv4(address.value) : formatIpv6(address);
}

/**
 * Orders addresses: every IPv4 address before every IPv6 address, then numerically.
 * Returns a negative number, zero or a positive number.
 */
export function compareIpAddresses(a: IpAddress, b: IpAddress): number {
  if (a.version === 4) return b.version === 4 ? a.value - b.value : -1;
  if (b.version === 4) return 1;
  if (a.w0 !== b.w0) return a.w0 - b.w0;
  if (a.w1 !== b.w1) return a.w1 - b.w1;
  if (a.w2 !== b.w2) return a.w2 - b.w2;
  return a.w3 - b.w3;
}
