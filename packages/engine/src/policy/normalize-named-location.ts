/**
 * Any accepted dialect of a named location -> the normalized {@link NamedLocation} (spec §1.12).
 *
 * Named locations are polymorphic on `@odata.type`, which is kept. When it is missing (the
 * PowerShell SDK hides it in `AdditionalProperties`, hand-written files omit it) the type is
 * inferred from the content **[engine choice]**: `ipRanges` -> IP, `countriesAndRegions` ->
 * country, `compliantNetworkType` or the fixed compliant-network id -> compliant network.
 * IP ranges keep their own `@odata.type`, inferred from the address when missing; a bare
 * string is read as a CIDR (`"10.0.0.0/16"`) or a `lower-upper` range.
 */
import { COMPLIANT_NETWORK_LOCATION_ID } from "../well-known/directory-roles.js";
import type { MemberReader } from "./create-member-reader.js";
import { createIssue, createMemberReader, spell } from "./create-member-reader.js";
import { COUNTRY_LOOKUP_METHODS, IP_RANGE_TYPES, NAMED_LOCATION_TYPES, spellingTable } from "./graph-enums.js";
import { indexPath, isRecord, memberPath, normalizeKeys, ODATA_TYPE } from "./normalize-keys.js";
import { extraMembers } from "./normalize-policy.js";
import type { IpRange, NamedLocation, ValidationIssue } from "./types.js";

export interface NormalizeNamedLocationResult {
  location: NamedLocation | null;
  issues: ValidationIssue[];
}

type LocationType = (typeof NAMED_LOCATION_TYPES)[keyof typeof NAMED_LOCATION_TYPES];

const TYPES_BY_NAME: ReadonlyMap<string, LocationType> = new Map(
  Object.values(NAMED_LOCATION_TYPES).map((type) => [type.slice("#microsoft.graph.".length).toLowerCase(), type]),
);

/** `#microsoft.graph.ipNamedLocation`, `microsoft.graph.ipNamedLocation`, `ipNamedLocation` (any case). */
export function namedLocationType(value: unknown): LocationType | null {
  if (typeof value !== "string") return null;
  const name = value
    .trim()
    .toLowerCase()
    .replace(/^#/, "")
    .replace(/^microsoft\.graph\./, "");
  return TYPES_BY_NAME.get(name) ?? null;
}

const COMMON_MEMBERS = ["id", "displayName"];
const MEMBERS: Readonly<Record<LocationType, ReadonlySet<string>>> = {
  [NAMED_LOCATION_TYPES.ip]: new Set([...COMMON_MEMBERS, "isTrusted", "ipRanges"]),
  [NAMED_LOCATION_TYPES.country]: new Set([
    ...COMMON_MEMBERS,
    "countriesAndRegions",
    "countryLookupMethod",
    "includeUnknownCountriesAndRegions",
  ]),
  [NAMED_LOCATION_TYPES.compliantNetwork]: new Set([...COMMON_MEMBERS, "isTrusted"]),
};

const LOOKUP_SPELLING = spellingTable(COUNTRY_LOOKUP_METHODS);

function inferType(o: Readonly<Record<string, unknown>>): LocationType | null {
  if ("ipRanges" in o) return NAMED_LOCATION_TYPES.ip;
  if ("countriesAndRegions" in o) return NAMED_LOCATION_TYPES.country;
  if ("compliantNetworkType" in o) return NAMED_LOCATION_TYPES.compliantNetwork;
  if (typeof o.id === "string" && o.id.toLowerCase() === COMPLIANT_NETWORK_LOCATION_ID) return NAMED_LOCATION_TYPES.compliantNetwork;
  return null;
}

function rangeType(address: string, cidr: boolean): string {
  const v6 = address.includes(":");
  if (cidr) return v6 ? IP_RANGE_TYPES.ipv6Cidr : IP_RANGE_TYPES.ipv4Cidr;
  return v6 ? IP_RANGE_TYPES.ipv6Range : IP_RANGE_TYPES.ipv4Range;
}

function readIpRange(value: unknown, path: string, r: MemberReader): IpRange | null {
  if (typeof value === "string") {
    const text = value.trim();
    const dash = text.indexOf("-");
    if (!text.includes("/") && dash > 0) {
      const lowerAddress = text.slice(0, dash).trim();
      return { [ODATA_TYPE]: rangeType(lowerAddress, false), lowerAddress, upperAddress: text.slice(dash + 1).trim() };
    }
    return { [ODATA_TYPE]: rangeType(text, true), cidrAddress: text };
  }
  if (!isRecord(value)) {
    r.error("wrongType", path, "an IP range must be an object with cidrAddress, or lowerAddress and upperAddress");
    return null;
  }
  const range: IpRange = { ...extraMembers(value, new Set(["cidrAddress", "lowerAddress", "upperAddress"]), true), [ODATA_TYPE]: "" };
  for (const key of ["cidrAddress", "lowerAddress", "upperAddress"] as const) {
    const text = r.string(value[key], memberPath(path, key));
    if (typeof text === "string") range[key] = text.trim();
  }
  const given = value[ODATA_TYPE];
  if (typeof given === "string" && given !== "") range[ODATA_TYPE] = given;
  else if (range.cidrAddress !== undefined) range[ODATA_TYPE] = rangeType(range.cidrAddress, true);
  else if (range.lowerAddress !== undefined) range[ODATA_TYPE] = rangeType(range.lowerAddress, false);
  return range;
}

/** Normalizes one named location; `location` is null when its type is unknown. Never throws. */
export function normalizeNamedLocation(raw: unknown, path = "$"): NormalizeNamedLocationResult {
  const issues: ValidationIssue[] = [];
  try {
    const o = normalizeKeys(raw);
    const r = createMemberReader(issues);
    if (!isRecord(o)) {
      r.error("notAnObject", path, "a named location must be a JSON object");
      return { location: null, issues };
    }
    const given = o[ODATA_TYPE];
    const type = namedLocationType(given) ?? (given === undefined || given === null ? inferType(o) : null);
    if (type === null) {
      if (typeof given === "string" && given !== "") {
        r.warning(
          "unsupportedNamedLocationType",
          memberPath(path, ODATA_TYPE),
          `named location type "${given}" is not supported; the location is ignored`,
        );
      } else {
        r.error("unknownNamedLocationType", path, "the named location has no @odata.type and neither ipRanges nor countriesAndRegions");
      }
      return { location: null, issues };
    }
    const base = {
      ...extraMembers(o, MEMBERS[type]),
      id: r.string(o.id, memberPath(path, "id"))?.trim() ?? "",
      displayName: r.string(o.displayName, memberPath(path, "displayName")) ?? "",
    };
    const isTrusted = (): boolean => r.boolean(o.isTrusted, memberPath(path, "isTrusted")) ?? false;
    let location: NamedLocation;
    if (type === NAMED_LOCATION_TYPES.ip) {
      const rangesPath = memberPath(path, "ipRanges");
      let items: readonly unknown[] = [];
      if (Array.isArray(o.ipRanges)) items = o.ipRanges;
      else if (o.ipRanges !== null && o.ipRanges !== undefined) r.error("wrongType", rangesPath, "ipRanges must be an array");
      const ipRanges: IpRange[] = [];
      items.forEach((item, index) => {
        const range = readIpRange(item, indexPath(rangesPath, index), r);
        if (range !== null) ipRanges.push(range);
      });
      location = { ...base, [ODATA_TYPE]: type, isTrusted: isTrusted(), ipRanges };
    } else if (type === NAMED_LOCATION_TYPES.country) {
      const method = r.string(o.countryLookupMethod, memberPath(path, "countryLookupMethod"));
      location = {
        ...base,
        [ODATA_TYPE]: type,
        countriesAndRegions: r.stringArray(o.countriesAndRegions, memberPath(path, "countriesAndRegions")).map((c) => c.toUpperCase()),
        countryLookupMethod:
          method === null || method === undefined || method.trim() === "" ? "clientIpAddress" : spell(method.trim(), LOOKUP_SPELLING),
        includeUnknownCountriesAndRegions:
          r.boolean(o.includeUnknownCountriesAndRegions, memberPath(path, "includeUnknownCountriesAndRegions")) ?? false,
      };
    } else {
      location = { ...base, [ODATA_TYPE]: type, isTrusted: isTrusted() };
    }
    return { location, issues };
  } catch (cause) {
    issues.push(createIssue("unreadable", "error", path, `the named location could not be read: ${String(cause)}`));
    return { location: null, issues };
  }
}
