/**
 * The real context of a sign-in request, as Conditional Access reads it (issue 4 item 2):
 * - the client's IP address: the direct peer; `X-Forwarded-For` only when the peer is one of
 *   the configured trusted proxies, and then the right-most address that is not a trusted
 *   proxy (addresses further left were written by the client and prove nothing);
 * - its country, from the injected IP-to-country look-up (R26 country locations);
 * - the device platform (R25) and the log's `deviceDetail` (browser, operating system) from
 *   the User-Agent. A User-Agent is the client's claim: it can lie, as in Entra, where the
 *   platform condition is documented as not a security boundary.
 */
import { BlockList, isIP } from "node:net";

/** Graph `conditionalAccessDevicePlatform` members we can tell from a User-Agent, or `unknown`. */
export type DevicePlatform = "android" | "iOS" | "windows" | "windowsPhone" | "macOS" | "linux" | "unknown";

export interface UserAgentFacts {
  devicePlatform: DevicePlatform;
  /** e.g. `Chrome 130.0.6723.58`, `Firefox 131.0`, `Edge 130.0.2849.46`; `""` when unknown. */
  browser: string;
  /** e.g. `Windows 10`, `MacOs`, `Ios 17.5`, `Android 14`, `Linux`; `""` when unknown. */
  operatingSystem: string;
}

export interface RequestContext extends UserAgentFacts {
  ipAddress: string | null;
  /** ISO 3166 alpha-2 (upper case) or null when unknown. */
  country: string | null;
}

/** An IPv4-mapped IPv6 address (`::ffff:192.0.2.1`) as the IPv4 address; anything not an IP address is null. */
export function normalizeAddress(address: string | undefined | null): string | null {
  if (typeof address !== "string") return null;
  let text = address.trim();
  // `[2001:db8::1]` and zone ids (`fe80::1%eth0`) are not addresses Conditional Access can match.
  if (text.startsWith("[") && text.endsWith("]")) text = text.slice(1, -1);
  if (text.toLowerCase().startsWith("::ffff:") && isIP(text.slice(7)) === 4) text = text.slice(7);
  const version = isIP(text);
  if (version === 0) return null;
  return version === 6 ? text.toLowerCase() : text;
}

/** A set of CIDR ranges (or single addresses); throws a TypeError naming a malformed entry. */
export type TrustedProxies = (address: string) => boolean;

export function compileTrustedProxies(entries: readonly string[] | undefined): TrustedProxies {
  const list = new BlockList();
  let count = 0;
  for (const entry of entries ?? []) {
    if (typeof entry !== "string") throw new TypeError("trustedProxies: every entry is a CIDR range or an IP address");
    const [base, prefixText, ...rest] = entry.trim().split("/");
    const address = normalizeAddress(base);
    const family = address === null ? 0 : isIP(address);
    if (address === null || rest.length > 0) throw new TypeError(`trustedProxies: ${entry} is not a CIDR range or an IP address`);
    const max = family === 4 ? 32 : 128;
    const prefix = prefixText === undefined ? max : /^\d{1,3}$/.test(prefixText) ? Number(prefixText) : Number.NaN;
    if (!Number.isInteger(prefix) || prefix < 0 || prefix > max)
      throw new TypeError(`trustedProxies: ${entry} has an invalid prefix length`);
    list.addSubnet(address, prefix, family === 4 ? "ipv4" : "ipv6");
    count += 1;
  }
  if (count === 0) return () => false;
  return (address) => {
    const normalized = normalizeAddress(address);
    if (normalized === null) return false;
    return list.check(normalized, isIP(normalized) === 4 ? "ipv4" : "ipv6");
  };
}

/**
 * The client's address: the peer, unless the peer is a trusted proxy; then `X-Forwarded-For`
 * is read from the right, skipping trusted proxies, and the first other address is the
 * client. A malformed entry on that path makes the address unknown (null: no trusted
 * location can match it; the proxy's own address would wrongly look trusted). When every
 * forwarded address is a trusted proxy, the left-most one is the client.
 */
export function clientAddress(
  peer: string | undefined | null,
  forwardedFor: string | string[] | undefined,
  trusted: TrustedProxies,
): string | null {
  const direct = normalizeAddress(peer);
  if (direct === null || !trusted(direct)) return direct;
  const header = Array.isArray(forwardedFor) ? forwardedFor.join(",") : (forwardedFor ?? "");
  const hops = header
    .split(",")
    .map((h) => h.trim())
    .filter((h) => h !== "");
  let last: string | null = null;
  for (let i = hops.length - 1; i >= 0; i--) {
    const hop = normalizeAddress(hops[i]);
    if (hop === null) return null;
    if (!trusted(hop)) return hop;
    last = hop;
  }
  return last ?? direct;
}

const version = (ua: string, pattern: RegExp): string | null => pattern.exec(ua)?.[1] ?? null;

const WINDOWS_VERSIONS: Readonly<Record<string, string>> = {
  "10.0": "Windows 10",
  "6.3": "Windows 8.1",
  "6.2": "Windows 8",
  "6.1": "Windows 7",
};

function platformOf(ua: string): { devicePlatform: DevicePlatform; operatingSystem: string } {
  // Order matters: Windows Phone says "Android" and "like iPhone"; Android says "Linux";
  // iOS says "like Mac OS X".
  if (/Windows Phone|Windows Mobile/i.test(ua)) return { devicePlatform: "windowsPhone", operatingSystem: "WindowsPhone" };
  if (/Android/i.test(ua)) {
    const v = version(ua, /Android[ /]?([\d.]+)/i);
    return { devicePlatform: "android", operatingSystem: v === null ? "Android" : `Android ${v}` };
  }
  if (/iPhone|iPad|iPod/.test(ua)) {
    const v = version(ua, /OS (\d+(?:_\d+)*) like Mac OS X/);
    return { devicePlatform: "iOS", operatingSystem: v === null ? "Ios" : `Ios ${v.replaceAll("_", ".")}` };
  }
  if (/Windows NT|Windows/.test(ua)) {
    const v = version(ua, /Windows NT (\d+\.\d+)/);
    return { devicePlatform: "windows", operatingSystem: (v !== null ? WINDOWS_VERSIONS[v] : undefined) ?? "Windows" };
  }
  if (/Macintosh|Mac OS X/.test(ua)) return { devicePlatform: "macOS", operatingSystem: "MacOs" };
  // ChromeOS (CrOS) is none of Graph's platforms: unknown.
  if (/CrOS/.test(ua)) return { devicePlatform: "unknown", operatingSystem: "ChromeOS" };
  if (/Linux|X11/.test(ua)) return { devicePlatform: "linux", operatingSystem: "Linux" };
  return { devicePlatform: "unknown", operatingSystem: "" };
}

function browserOf(ua: string): string {
  const named: readonly [string, RegExp][] = [
    ["Edge", /\bEdg(?:e|A|iOS)?\/([\d.]+)/],
    ["Opera", /\bOPR\/([\d.]+)/],
    ["Samsung Internet", /\bSamsungBrowser\/([\d.]+)/],
    ["Firefox", /\b(?:Firefox|FxiOS)\/([\d.]+)/],
    ["Chrome", /\b(?:HeadlessChrome|Chrome|CriOS|Chromium)\/([\d.]+)/],
  ];
  for (const [name, pattern] of named) {
    const v = version(ua, pattern);
    if (v !== null) return `${name} ${v}`;
  }
  if (/Safari\//.test(ua)) {
    const v = version(ua, /Version\/([\d.]+)/);
    return v === null ? "Safari" : `Safari ${v}`;
  }
  return "";
}

/** Platform, browser and operating system from a User-Agent header (no header: unknown). */
export function parseUserAgent(header: string | string[] | undefined): UserAgentFacts {
  const ua = (Array.isArray(header) ? header[0] : header)?.slice(0, 1024) ?? "";
  if (ua.trim() === "") return { devicePlatform: "unknown", browser: "", operatingSystem: "" };
  return { ...platformOf(ua), browser: browserOf(ua) };
}

export interface RequestContextOptions {
  trustedProxies: TrustedProxies;
  lookupCountry?: ((ip: string) => string | null) | undefined;
}

/** The context of one HTTP request (Node's request: the peer, `X-Forwarded-For`, `User-Agent`). */
export function requestContext(
  request: { socket?: { remoteAddress?: string | undefined } | null; headers: Record<string, string | string[] | undefined> },
  options: RequestContextOptions,
): RequestContext {
  const ipAddress = clientAddress(request.socket?.remoteAddress, request.headers["x-forwarded-for"], options.trustedProxies);
  let country: string | null = null;
  if (ipAddress !== null && options.lookupCountry !== undefined) {
    const found = options.lookupCountry(ipAddress);
    country = typeof found === "string" && /^[A-Za-z]{2}$/.test(found) ? found.toUpperCase() : null;
  }
  return { ipAddress, country, ...parseUserAgent(request.headers["user-agent"]) };
}
