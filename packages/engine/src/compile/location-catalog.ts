import { createIpLocationIndex, type IpAddress, type IpLocationIndex, type ParsedIpRange, parseIpRange } from "../network/index.js";
import type { NamedLocation } from "../policy/types.js";
import { MFA_TRUSTED_IPS_LOCATION_ID } from "../well-known/directory-roles.js";
import { type Bitset, createBitset, setBit } from "./bitset.js";

export interface LocationCatalog {
  /** Catalog index of a named location (lower-cased id). */
  indexOf(id: string): number | undefined;
  readonly size: number;
  /**
   * The locations containing a sign-in from `address` resolved to `country` (null =
   * unknown country), and whether any of them is trusted (R26). The returned bitset is a
   * scratch buffer reused by the next call.
   */
  resolve(address: IpAddress | null, country: string | null): { bits: Bitset; trusted: boolean };
}

export interface LocationProblem {
  locationIndex: number;
  path: string;
  code: string;
  message: string;
}

/**
 * Compiles named locations once: IP ranges into one interval index (R26), countries into
 * per-country bitsets, trusted locations into a mask used by `AllTrusted`.
 */
export function createLocationCatalog(locations: readonly NamedLocation[], problems: LocationProblem[] = []): LocationCatalog {
  const byId = new Map<string, number>();
  const ipInputs: { index: number; ranges: ParsedIpRange[] }[] = [];
  const countryBits = new Map<string, number[]>();
  const unknownCountry: number[] = [];
  const trusted: number[] = [];

  locations.forEach((location, index) => {
    byId.set(String(location.id).toLowerCase(), index);
    const type = String(location["@odata.type"] ?? "").toLowerCase();
    if (type.endsWith("ipnamedlocation")) {
      const ip = location as Extract<NamedLocation, { ipRanges: unknown }>;
      // The MFA trusted IPs pseudo-location is trusted by definition (§1.8).
      if (ip.isTrusted === true || String(ip.id).toLowerCase() === MFA_TRUSTED_IPS_LOCATION_ID) trusted.push(index);
      const ranges: ParsedIpRange[] = [];
      (ip.ipRanges ?? []).forEach((range, r) => {
        const parsed = parseIpRange(range);
        if (parsed.ok) ranges.push(parsed.range);
        else problems.push({ locationIndex: index, path: `$.ipRanges[${r}]`, code: parsed.code, message: parsed.message });
      });
      ipInputs.push({ index, ranges });
    } else if (type.endsWith("countrynamedlocation")) {
      const country = location as Extract<NamedLocation, { countriesAndRegions: unknown }>;
      for (const code of country.countriesAndRegions ?? []) {
        const key = String(code).toUpperCase();
        const list = countryBits.get(key) ?? [];
        list.push(index);
        countryBits.set(key, list);
      }
      if (country.includeUnknownCountriesAndRegions === true) unknownCountry.push(index);
    } else if (type.endsWith("compliantnetworknamedlocation")) {
      // Global Secure Access compliant network: never matched offline (no GSA signal).
      if ((location as { isTrusted?: boolean }).isTrusted === true) trusted.push(index);
    }
  });

  const size = locations.length;
  const ipIndex: IpLocationIndex = createIpLocationIndex(ipInputs);
  const toBits = (list: number[]): Bitset => {
    const bits = createBitset(size);
    for (const i of list) setBit(bits, i);
    return bits;
  };
  const countryMasks = new Map([...countryBits].map(([code, list]) => [code, toBits(list)]));
  const unknownMask = toBits(unknownCountry);
  const trustedMask = toBits(trusted);
  const scratch = createBitset(size);

  return {
    size,
    indexOf: (id) => byId.get(id),
    resolve(address, country) {
      scratch.fill(0);
      if (address !== null) {
        const set = ipIndex.lookup(address);
        if (set.size > 0) {
          const bits = set.bits;
          for (let w = 0; w < scratch.length && w < bits.length; w++) scratch[w] = bits[w] as number;
        }
      }
      // R26: a country location matches the resolved country; an IP with no country only
      // matches locations that include unknown countries and regions.
      const countryMask = country === null ? unknownMask : countryMasks.get(country.toUpperCase());
      let isTrusted = false;
      for (let w = 0; w < scratch.length; w++) {
        const word = ((scratch[w] as number) | (countryMask?.[w] ?? 0)) >>> 0;
        scratch[w] = word;
        if ((word & (trustedMask[w] as number)) !== 0) isTrusted = true;
      }
      return { bits: scratch, trusted: isTrusted };
    },
  };
}
