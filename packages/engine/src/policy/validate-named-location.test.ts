import fc from "fast-check";
import { describe, expect, it } from "vitest";
import { namedLocationType, normalizeNamedLocation } from "./normalize-named-location.js";
import type { NamedLocation } from "./types.js";
import { validateNamedLocation } from "./validate-named-location.js";

function location(raw: unknown): NamedLocation {
  const { location: normalized, issues } = normalizeNamedLocation(raw);
  expect(issues).toEqual([]);
  if (normalized === null) throw new Error("no location");
  return normalized;
}

const ip = (...ranges: unknown[]) => ({
  "@odata.type": "#microsoft.graph.ipNamedLocation",
  id: "l1",
  displayName: "HQ",
  isTrusted: true,
  ipRanges: ranges,
});

describe("normalizeNamedLocation", () => {
  it("keeps a Graph IP location as is", () => {
    const raw = ip({ "@odata.type": "#microsoft.graph.iPv4CidrRange", cidrAddress: "87.92.49.122/32" });
    expect(location(raw)).toEqual(raw);
  });

  it("infers the location type and the range types from the content", () => {
    expect(
      location({
        id: "l1",
        displayName: "HQ",
        ipRanges: [{ cidrAddress: "10.1.0.0/16" }, { lowerAddress: "2001:db8::1", upperAddress: "2001:db8::9" }],
      }),
    ).toEqual({
      "@odata.type": "#microsoft.graph.ipNamedLocation",
      id: "l1",
      displayName: "HQ",
      isTrusted: false,
      ipRanges: [
        { "@odata.type": "#microsoft.graph.iPv4CidrRange", cidrAddress: "10.1.0.0/16" },
        { "@odata.type": "#microsoft.graph.iPv6Range", lowerAddress: "2001:db8::1", upperAddress: "2001:db8::9" },
      ],
    });
    expect(location({ id: "c", displayName: "FI", countriesAndRegions: ["fi"] })).toEqual({
      "@odata.type": "#microsoft.graph.countryNamedLocation",
      id: "c",
      displayName: "FI",
      countriesAndRegions: ["FI"],
      countryLookupMethod: "clientIpAddress",
      includeUnknownCountriesAndRegions: false,
    });
    expect(location({ id: "3d46dbda-8382-466a-856d-eb00cbc6b910", displayName: "All Compliant Network locations" })["@odata.type"]).toBe(
      "#microsoft.graph.compliantNetworkNamedLocation",
    );
  });

  it("reads bare strings as CIDR or lower-upper ranges", () => {
    const l = location({ id: "l", displayName: "x", ipRanges: ["192.0.2.0/24", "198.51.100.1-198.51.100.20", "2001:db8::/48"] });
    expect("ipRanges" in l && l.ipRanges).toEqual([
      { "@odata.type": "#microsoft.graph.iPv4CidrRange", cidrAddress: "192.0.2.0/24" },
      { "@odata.type": "#microsoft.graph.iPv4Range", lowerAddress: "198.51.100.1", upperAddress: "198.51.100.20" },
      { "@odata.type": "#microsoft.graph.iPv6CidrRange", cidrAddress: "2001:db8::/48" },
    ]);
  });

  it("reads the PowerShell SDK shape with the type hidden in AdditionalProperties", () => {
    const sdk = {
      Id: "l2",
      DisplayName: "Branch",
      CreatedDateTime: "/Date(1652155875671)/",
      AdditionalProperties: {
        "@odata.type": "#microsoft.graph.ipNamedLocation",
        isTrusted: true,
        ipRanges: [{ "@odata.type": "#microsoft.graph.iPv4CidrRange", cidrAddress: "203.0.113.0/24" }],
      },
    };
    expect(location(sdk)).toMatchObject({
      "@odata.type": "#microsoft.graph.ipNamedLocation",
      id: "l2",
      isTrusted: true,
      createdDateTime: "2022-05-10T04:11:15.671Z",
      ipRanges: [{ cidrAddress: "203.0.113.0/24" }],
    });
  });

  it("accepts the type name in any spelling", () => {
    expect(namedLocationType("microsoft.graph.countryNamedLocation")).toBe("#microsoft.graph.countryNamedLocation");
    expect(namedLocationType("IPNamedLocation")).toBe("#microsoft.graph.ipNamedLocation");
    expect(namedLocationType("#microsoft.graph.futureNamedLocation")).toBeNull();
  });

  it("ignores an unsupported type with a warning and reports a location of unknown kind", () => {
    const future = normalizeNamedLocation({ "@odata.type": "#microsoft.graph.futureNamedLocation", id: "f", displayName: "f" });
    expect(future.location).toBeNull();
    expect(future.issues).toEqual([expect.objectContaining({ code: "unsupportedNamedLocationType", severity: "warning" })]);
    const unknown = normalizeNamedLocation({ id: "u", displayName: "u" }, "$.namedLocations[4]");
    expect(unknown.location).toBeNull();
    expect(unknown.issues).toEqual([
      expect.objectContaining({ code: "unknownNamedLocationType", severity: "error", path: "$.namedLocations[4]" }),
    ]);
    expect(normalizeNamedLocation([1]).issues[0]?.code).toBe("notAnObject");
  });

  it("never throws on arbitrary JSON (property)", () => {
    fc.assert(
      fc.property(
        fc.oneof(fc.jsonValue(), fc.record({ ipRanges: fc.jsonValue() }), fc.record({ countriesAndRegions: fc.jsonValue() })),
        (raw) => {
          const { location: normalized, issues } = normalizeNamedLocation(raw);
          if (normalized !== null) validateNamedLocation(normalized);
          expect(issues.some((i) => i.code === "unreadable")).toBe(false);
        },
      ),
    );
  });
});

describe("validateNamedLocation", () => {
  it("accepts valid IPv4, IPv6 and lower/upper ranges", () => {
    const l = location(
      ip(
        { "@odata.type": "#microsoft.graph.iPv4CidrRange", cidrAddress: "10.0.0.0/9" },
        { "@odata.type": "#microsoft.graph.iPv6CidrRange", cidrAddress: "2001:db8::/32" },
        { "@odata.type": "#microsoft.graph.iPv4Range", lowerAddress: "192.0.2.1", upperAddress: "192.0.2.200" },
      ),
    );
    expect(validateNamedLocation(l)).toEqual([]);
  });

  it("rejects an IPv4 mask of /8 or shorter and ranges that do not parse (§1.12)", () => {
    const l = location(
      ip({ cidrAddress: "10.0.0.0/8" }, { cidrAddress: "300.1.1.1/24" }, { lowerAddress: "192.0.2.9", upperAddress: "192.0.2.1" }, {}),
    );
    const issues = validateNamedLocation(l, "$.namedLocations[0]");
    expect(issues.map((i) => [i.code, i.severity, i.path])).toEqual([
      ["invalidIpRange", "error", "$.namedLocations[0].ipRanges[0]"],
      ["invalidIpRange", "error", "$.namedLocations[0].ipRanges[1]"],
      ["invalidIpRange", "error", "$.namedLocations[0].ipRanges[2]"],
      ["invalidIpRange", "error", "$.namedLocations[0].ipRanges[3]"],
    ]);
    expect(issues[0]?.message).toMatch(/^10\.0\.0\.0\/8: /);
    expect(issues[1]?.message).toContain("300.1.1.1/24");
  });

  it("passes on the network parser's warnings", () => {
    const l = location(ip({ "@odata.type": "#microsoft.graph.iPv6CidrRange", cidrAddress: "10.1.0.0/16" }));
    const issues = validateNamedLocation(l);
    expect(issues.map((i) => [i.code, i.severity])).toEqual([["ipRangeWarning", "warning"]]);
  });

  it("requires ranges, a display name, and at most 2000 ranges", () => {
    expect(validateNamedLocation(location({ ...ip(), displayName: "" })).map((i) => i.code)).toEqual([
      "missingDisplayName",
      "missingIpRanges",
    ]);
    const many = location(ip(...Array.from({ length: 2001 }, (_, i) => ({ cidrAddress: `10.${i >> 8}.${i & 255}.0/24` }))));
    expect(validateNamedLocation(many).map((i) => i.code)).toEqual(["tooManyIpRanges"]);
  });

  it("checks country codes and the lookup method", () => {
    const l = location({
      "@odata.type": "#microsoft.graph.countryNamedLocation",
      id: "c",
      displayName: "Countries",
      countriesAndRegions: ["FI", "Finland", "C1"],
      countryLookupMethod: "telepathy",
    });
    expect(validateNamedLocation(l).map((i) => [i.code, i.path])).toEqual([
      ["invalidCountryCode", "$.countriesAndRegions[1]"],
      ["invalidCountryCode", "$.countriesAndRegions[2]"],
      ["unknownEnumValue", "$.countryLookupMethod"],
    ]);
    expect(validateNamedLocation(location({ id: "c", displayName: "none", countriesAndRegions: [] })).map((i) => i.code)).toEqual([
      "missingCountries",
    ]);
  });
});
