/**
 * Validation of a normalized named location (spec §1.12, §4.2): every IP range must parse and
 * IPv4 CIDR masks must be longer than /8 (`parseIpRange` of the network module decides), at
 * most 2000 ranges, country codes are ISO-3166 two-letter codes. Never throws.
 */
import { parseIpRange } from "../network/index.js";
import { COUNTRY_LOOKUP_METHODS, MAX_IP_RANGES_PER_LOCATION, NAMED_LOCATION_TYPES } from "./graph-enums.js";
import type { IpRange, NamedLocation, ValidationIssue } from "./types.js";
import { checkEnumValue } from "./validate-policy.js";

const COUNTRY_CODE = /^[A-Z]{2}$/;

function describeRange(range: IpRange): string {
  if (range.cidrAddress !== undefined) return range.cidrAddress;
  if (range.lowerAddress !== undefined || range.upperAddress !== undefined)
    return `${range.lowerAddress ?? "?"}-${range.upperAddress ?? "?"}`;
  return "the range";
}

export function validateNamedLocation(location: NamedLocation, path = "$"): ValidationIssue[] {
  const issues: ValidationIssue[] = [];
  const add = (code: string, severity: "error" | "warning", at: string, message: string): void => {
    issues.push({ code, severity, path: at, message });
  };
  try {
    if (typeof location.displayName !== "string" || location.displayName.trim() === "") {
      add("missingDisplayName", "error", `${path}.displayName`, "the named location has no displayName");
    }
    const type: string = location["@odata.type"];
    if (type === NAMED_LOCATION_TYPES.ip && "ipRanges" in location) {
      const ranges: readonly IpRange[] = Array.isArray(location.ipRanges) ? location.ipRanges : [];
      if (ranges.length === 0) add("missingIpRanges", "error", `${path}.ipRanges`, "an IP named location needs at least one IP range");
      if (ranges.length > MAX_IP_RANGES_PER_LOCATION) {
        add(
          "tooManyIpRanges",
          "error",
          `${path}.ipRanges`,
          `the location has ${ranges.length} IP ranges; Entra accepts at most ${MAX_IP_RANGES_PER_LOCATION}`,
        );
      }
      ranges.forEach((range, index) => {
        const at = `${path}.ipRanges[${index}]`;
        const parsed = parseIpRange(range);
        if (!parsed.ok) {
          add("invalidIpRange", "error", at, `${describeRange(range)}: ${parsed.message}`);
          return;
        }
        for (const warning of parsed.warnings ?? []) add("ipRangeWarning", "warning", at, `${describeRange(range)}: ${warning}`);
      });
    } else if (type === NAMED_LOCATION_TYPES.country && "countriesAndRegions" in location) {
      const codes: readonly string[] = Array.isArray(location.countriesAndRegions) ? location.countriesAndRegions : [];
      if (codes.length === 0)
        add("missingCountries", "error", `${path}.countriesAndRegions`, "a country named location needs at least one country or region");
      codes.forEach((code, index) => {
        if (!COUNTRY_CODE.test(code)) {
          add(
            "invalidCountryCode",
            "error",
            `${path}.countriesAndRegions[${index}]`,
            `"${code}" is not an ISO-3166 two-letter country code`,
          );
        }
      });
      const method = typeof location.countryLookupMethod === "string" ? location.countryLookupMethod : "";
      checkEnumValue(method, COUNTRY_LOOKUP_METHODS, "countryLookupMethod", (severity, code, message) =>
        add(code, severity, `${path}.countryLookupMethod`, message),
      );
    } else if (type !== NAMED_LOCATION_TYPES.compliantNetwork) {
      add("unknownNamedLocationType", "error", `${path}["@odata.type"]`, `"${type}" is not a known named location type`);
    }
  } catch (cause) {
    add("unreadable", "error", path, `the named location could not be validated: ${String(cause)}`);
  }
  return issues;
}
