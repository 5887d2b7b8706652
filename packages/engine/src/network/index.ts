/** IP addresses, Graph `ipRange`s and the named-location IP index (spec §1.12, §2.3, R26). */

export type {
  IpLocationIndex,
  IpLocationIndexStats,
  IpLocationInput,
  IpLocationSet,
} from "./ip-location-index.js";
export { createIpLocationIndex, MAX_IP_LOCATION_INDEX } from "./ip-location-index.js";
export type { IPv4Address, IPv6Address, IpAddress } from "./parse-ip-address.js";
export { compareIpAddresses, formatIpAddress, parseIpAddress } from "./parse-ip-address.js";
export type {
  IpRangeErrorCode,
  ParsedIpRange,
  ParsedIpv4Range,
  ParsedIpv6Range,
  ParseIpRangeResult,
} from "./parse-ip-range.js";
export { formatIpRange, MIN_IPV4_CIDR_PREFIX, parseIpRange } from "./parse-ip-range.js";
