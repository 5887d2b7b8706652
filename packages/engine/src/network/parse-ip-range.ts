/**
 * Graph `ipRange` entries of an `ipNamedLocation` -> inclusive numeric ranges (spec §1.12, R26).
 *
 * - All four `@odata.type`s are handled: `#microsoft.graph.iPv4CidrRange` /
 *   `#microsoft.graph.iPv6CidrRange` (`cidrAddress`) and `#microsoft.graph.iPv4Range` /
 *   `#microsoft.graph.iPv6Range` (`lowerAddress`, `upperAddress`).
 * - A missing or wrong `@odata.type` is tolerated **[engine choice]**: the shape (CIDR or
 *   lower/upper) and the IP version are inferred from the content, and a warning says so when a
 *   type was given but disagreed with the content.
 * - Addresses follow `parseIpAddress`'s strict rules, except that IPv4-mapped IPv6 addresses
 *   stay IPv6 here; the location index treats the part of an IPv6 range inside `::ffff:0:0/96`
 *   as the corresponding IPv4 addresses, so a range always contains an address and its mapped
 *   form alike.
 * - CIDR with host bits set (`10.1.2.3/8`) is the network that contains it (`10.0.0.0/8`), with
 *   no warning **[engine choice]**.
 * - Entra accepts only CIDR masks greater than /8 (§1.12): an IPv4 CIDR with a /0../8 mask is an
 *   error with its own code (`prefixTooShort`), distinct from unparseable text. The IPv6 bound is
 *   undocumented **[uncertain]**, so an IPv6 /0../8 parses with a warning instead.
 * - Lower/upper ranges have no documented size limit and get none here.
 */
import type { IpRange } from "../policy/types.js";
import type { IPv4Address, IPv6Address, IpAddress } from "./parse-ip-address.js";
import { formatIpAddress, scanIpv4, scanIpv6 } from "./parse-ip-address.js";

export interface ParsedIpv4Range {
  readonly version: 4;
  /** First address in the range (inclusive). */
  readonly first: IPv4Address;
  /** Last address in the range (inclusive); never below `first`. */
  readonly last: IPv4Address;
  /** The CIDR prefix length, or `null` for a lower/upper range. */
  readonly prefixLength: number | null;
}

export interface ParsedIpv6Range {
  readonly version: 6;
  readonly first: IPv6Address;
  readonly last: IPv6Address;
  readonly prefixLength: number | null;
}

export type ParsedIpRange = ParsedIpv4Range | ParsedIpv6Range;

/**
 * Why an `ipRange` was rejected:
 * - `missingAddress`: neither `cidrAddress` nor both of `lowerAddress`/`upperAddress`.
 * - `invalidCidr`: `cidrAddress` is not `address/prefix` of one IP version.
 * - `invalidAddress`: `lowerAddress` or `upperAddress` is not an IP address.
 * - `prefixTooShort`: a valid IPv4 CIDR whose mask Entra refuses (/0../8).
 * - `mixedVersions`: lower and upper addresses are of different IP versions.
 * - `lowerGreaterThanUpper`: the lower address is above the upper address.
 */
export type IpRangeErrorCode =
  | "missingAddress"
  | "invalidCidr"
  | "invalidAddress"
  | "prefixTooShort"
  | "mixedVersions"
  | "lowerGreaterThanUpper";

export type ParseIpRangeResult =
  | { readonly ok: true; readonly range: ParsedIpRange; readonly warnings: readonly string[] }
  | { readonly ok: false; readonly code: IpRangeErrorCode; readonly message: string };

/** Entra accepts only IPv4 CIDR masks greater than /8 (§1.12). */
export const MIN_IPV4_CIDR_PREFIX = 9;

const IPV4_CIDR = "#microsoft.graph.iPv4CidrRange";
const IPV6_CIDR = "#microsoft.graph.iPv6CidrRange";
const IPV4_RANGE = "#microsoft.graph.iPv4Range";
const IPV6_RANGE = "#microsoft.graph.iPv6Range";

type Shape = "cidr" | "range";

interface Declared {
  readonly shape: Shape;
  readonly version: 4 | 6;
}

function declaredType(odataType: unknown): Declared | null {
  if (typeof odataType !== "string") return null;
  // Graph type names are case-insensitive in practice; accept with or without the leading '#'.
  switch (odataType.replace(/^#/, "").toLowerCase()) {
    case "microsoft.graph.ipv4cidrrange":
      return { shape: "cidr", version: 4 };
    case "microsoft.graph.ipv6cidrrange":
      return { shape: "cidr", version: 6 };
    case "microsoft.graph.ipv4range":
      return { shape: "range", version: 4 };
    case "microsoft.graph.ipv6range":
      return { shape: "range", version: 6 };
    default:
      return null;
  }
}

function typeName(shape: Shape, version: 4 | 6): string {
  if (shape === "cidr") return version === 4 ? IPV4_CIDR : IPV6_CIDR;
  return version === 4 ? IPV4_RANGE : IPV6_RANGE;
}

function isPresent(value: unknown): value is string {
  return typeof value === "string";
}

/** A value for a message; never throws, whatever the runtime shape (objects without toString...). */
function show(value: unknown): string {
  if (typeof value === "string") return JSON.stringify(value);
  try {
    return String(value);
  } catch {
    return Object.prototype.toString.call(value);
  }
}

/** The IP version a piece of text looks like, for messages about text that did not parse. */
function apparentVersion(text: string, fallback: 4 | 6 | null): "IPv4" | "IPv6" | "IP" {
  if (text.includes(":")) return "IPv6";
  if (text.includes(".")) return "IPv4";
  return fallback === 6 ? "IPv6" : fallback === 4 ? "IPv4" : "IP";
}

const scratch = new Uint32Array(4);

/** Strict address parse of `text[start, end)` that keeps IPv4-mapped IPv6 addresses as IPv6. */
function parseEndpoint(text: string, start: number, end: number): IpAddress | null {
  const colon = text.indexOf(":", start);
  if (colon < 0 || colon >= end) {
    const value = scanIpv4(text, start, end);
    return value < 0 ? null : { version: 4, value };
  }
  if (!scanIpv6(text, start, end, scratch)) return null;
  return {
    version: 6,
    w0: scratch[0] ?? 0,
    w1: scratch[1] ?? 0,
    w2: scratch[2] ?? 0,
    w3: scratch[3] ?? 0,
  };
}

/** Mask of the top `bits` (0..32) bits of a 32-bit word, as an unsigned number. */
function highMask(bits: number): number {
  if (bits <= 0) return 0;
  if (bits >= 32) return 0xffffffff;
  return (0xffffffff << (32 - bits)) >>> 0;
}

function parsePrefix(text: string, start: number, end: number, max: number): number {
  const digits = end - start;
  if (digits < 1 || digits > 3) return -1;
  let value = 0;
  for (let i = start; i < end; i++) {
    const c = text.charCodeAt(i);
    if (c < 48 || c > 57) return -1;
    value = value * 10 + (c - 48);
  }
  return value <= max ? value : -1;
}

function parseCidr(text: string, declared: Declared | null, warnings: string[]): ParseIpRangeResult {
  const slash = text.indexOf("/");
  const address = slash < 0 ? null : parseEndpoint(text, 0, slash);
  const label = apparentVersion(text, declared?.version ?? null);
  const invalid: ParseIpRangeResult = {
    ok: false,
    code: "invalidCidr",
    message:
      slash < 0
        ? `${show(text)} is not a valid ${label} CIDR range: the /prefix length is missing`
        : `${show(text)} is not a valid ${label} CIDR range`,
  };
  if (address === null) return invalid;
  const prefix = parsePrefix(text, slash + 1, text.length, address.version === 4 ? 32 : 128);
  if (prefix < 0) return invalid;
  if (declared !== null && declared.version !== address.version) {
    warnings.push(
      `@odata.type ${typeName(declared.shape, declared.version)} does not match the IPv${address.version} CIDR range ${show(text)}; it was read as ${typeName("cidr", address.version)}`,
    );
  }
  if (address.version === 4) {
    if (prefix < MIN_IPV4_CIDR_PREFIX) {
      return {
        ok: false,
        code: "prefixTooShort",
        message: `${show(text)} has a /${prefix} mask; Entra accepts only IPv4 CIDR masks greater than /8 (/9 to /32)`,
      };
    }
    const mask = highMask(prefix);
    const first = (address.value & mask) >>> 0;
    const last = (first | ~mask) >>> 0;
    return {
      ok: true,
      range: {
        version: 4,
        first: { version: 4, value: first },
        last: { version: 4, value: last },
        prefixLength: prefix,
      },
      warnings,
    };
  }
  if (prefix < MIN_IPV4_CIDR_PREFIX) {
    warnings.push(
      `${show(text)} has a /${prefix} mask; Entra documents that only CIDR masks greater than /8 are accepted (the IPv6 bound is not documented)`,
    );
  }
  const m0 = highMask(prefix);
  const m1 = highMask(prefix - 32);
  const m2 = highMask(prefix - 64);
  const m3 = highMask(prefix - 96);
  const first: IPv6Address = {
    version: 6,
    w0: (address.w0 & m0) >>> 0,
    w1: (address.w1 & m1) >>> 0,
    w2: (address.w2 & m2) >>> 0,
    w3: (address.w3 & m3) >>> 0,
  };
  const last: IPv6Address = {
    version: 6,
    w0: (first.w0 | ~m0) >>> 0,
    w1: (first.w1 | ~m1) >>> 0,
    w2: (first.w2 | ~m2) >>> 0,
    w3: (first.w3 | ~m3) >>> 0,
  };
  return { ok: true, range: { version: 6, first, last, prefixLength: prefix }, warnings };
}

function compareIpv6(a: IPv6Address, b: IPv6Address): number {
  if (a.w0 !== b.w0) return a.w0 - b.w0;
  if (a.w1 !== b.w1) return a.w1 - b.w1;
  if (a.w2 !== b.w2) return a.w2 - b.w2;
  return a.w3 - b.w3;
}

function parseLowerUpper(lowerText: string, upperText: string, declared: Declared | null, warnings: string[]): ParseIpRangeResult {
  const lower = parseEndpoint(lowerText, 0, lowerText.length);
  if (lower === null) {
    return {
      ok: false,
      code: "invalidAddress",
      message: `lower address ${show(lowerText)} is not a valid ${apparentVersion(lowerText, declared?.version ?? null)} address`,
    };
  }
  const upper = parseEndpoint(upperText, 0, upperText.length);
  if (upper === null) {
    return {
      ok: false,
      code: "invalidAddress",
      message: `upper address ${show(upperText)} is not a valid ${apparentVersion(upperText, declared?.version ?? null)} address`,
    };
  }
  let range: ParsedIpRange;
  if (lower.version === 4 && upper.version === 4) {
    range = { version: 4, first: lower, last: upper, prefixLength: null };
    if (lower.value > upper.value) return lowerGreaterThanUpper(lower, upper);
  } else if (lower.version === 6 && upper.version === 6) {
    range = { version: 6, first: lower, last: upper, prefixLength: null };
    if (compareIpv6(lower, upper) > 0) return lowerGreaterThanUpper(lower, upper);
  } else {
    return {
      ok: false,
      code: "mixedVersions",
      message: `lower address ${formatIpAddress(lower)} is IPv${lower.version} but upper address ${formatIpAddress(upper)} is IPv${upper.version}`,
    };
  }
  if (declared !== null && declared.version !== range.version) {
    warnings.push(
      `@odata.type ${typeName(declared.shape, declared.version)} does not match the IPv${range.version} range ${lowerText}-${upperText}; it was read as ${typeName("range", range.version)}`,
    );
  }
  return { ok: true, range, warnings };
}

function lowerGreaterThanUpper(lower: IpAddress, upper: IpAddress): ParseIpRangeResult {
  return {
    ok: false,
    code: "lowerGreaterThanUpper",
    message: `lower address ${formatIpAddress(lower)} is greater than upper address ${formatIpAddress(upper)}`,
  };
}

/**
 * Parses one Graph `ipRange` (R26). Never throws: unusable input yields
 * `{ ok: false, code, message }` with a plain-language message; a usable range yields the
 * inclusive `first`..`last` addresses plus any warnings (type inferred, IPv6 mask /8 or less).
 */
export function parseIpRange(range: IpRange): ParseIpRangeResult {
  const warnings: string[] = [];
  const input = (typeof range === "object" && range !== null ? range : {}) as Partial<Record<keyof IpRange, unknown>>;
  const odataType = input["@odata.type"];
  const declared = declaredType(odataType);
  const { cidrAddress, lowerAddress, upperAddress } = input;
  const hasCidr = isPresent(cidrAddress);
  const hasRange = isPresent(lowerAddress) || isPresent(upperAddress);

  let shape: Shape;
  if (declared !== null && (declared.shape === "cidr" ? hasCidr : hasRange)) shape = declared.shape;
  else if (hasCidr) shape = "cidr";
  else if (hasRange) shape = "range";
  else {
    return {
      ok: false,
      code: "missingAddress",
      message: "IP range has neither a cidrAddress nor a lowerAddress and upperAddress",
    };
  }
  if (declared === null && odataType !== undefined && odataType !== null) {
    warnings.push(
      `unknown @odata.type ${show(odataType)}; the range was read from its ${shape === "cidr" ? "cidrAddress" : "lowerAddress and upperAddress"}`,
    );
  } else if (declared !== null && declared.shape !== shape) {
    warnings.push(
      `@odata.type ${typeName(declared.shape, declared.version)} has no ${declared.shape === "cidr" ? "cidrAddress" : "lowerAddress and upperAddress"}; the range was read from its ${shape === "cidr" ? "cidrAddress" : "lowerAddress and upperAddress"}`,
    );
  }

  if (shape === "cidr") return parseCidr(cidrAddress as string, declared, warnings);
  if (!isPresent(lowerAddress) || !isPresent(upperAddress)) {
    return {
      ok: false,
      code: "missingAddress",
      message: isPresent(lowerAddress)
        ? `IP range with lower address ${lowerAddress} has no upperAddress`
        : `IP range with upper address ${upperAddress as string} has no lowerAddress`,
    };
  }
  return parseLowerUpper(lowerAddress, upperAddress, declared, warnings);
}

/**
 * Formats a parsed range the way Graph writes it: `10.0.0.0/8`, `2001:db8::/32`, or
 * `10.0.0.1-10.0.0.9` for a lower/upper range.
 */
export function formatIpRange(range: ParsedIpRange): string {
  if (range.prefixLength !== null) return `${formatIpAddress(range.first)}/${range.prefixLength}`;
  return `${formatIpAddress(range.first)}-${formatIpAddress(range.last)}`;
}
