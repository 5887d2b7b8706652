import fc from "fast-check";
import { describe, expect, it } from "vitest";
import { clientAddress, compileTrustedProxies, normalizeAddress, parseUserAgent, requestContext } from "./request-context.js";

const UA = {
  chromeWindows: "Mozilla/5.0 (Windows NT 10.0; Win64; x64) AppleWebKit/537.36 (KHTML, like Gecko) Chrome/130.0.6723.58 Safari/537.36",
  edgeWindows:
    "Mozilla/5.0 (Windows NT 10.0; Win64; x64) AppleWebKit/537.36 (KHTML, like Gecko) Chrome/130.0.0.0 Safari/537.36 Edg/130.0.2849.46",
  safariMac: "Mozilla/5.0 (Macintosh; Intel Mac OS X 10_15_7) AppleWebKit/605.1.15 (KHTML, like Gecko) Version/17.5 Safari/605.1.15",
  firefoxMac: "Mozilla/5.0 (Macintosh; Intel Mac OS X 14.5; rv:131.0) Gecko/20100101 Firefox/131.0",
  safariIphone:
    "Mozilla/5.0 (iPhone; CPU iPhone OS 17_5 like Mac OS X) AppleWebKit/605.1.15 (KHTML, like Gecko) Version/17.5 Mobile/15E148 Safari/604.1",
  chromeIpad:
    "Mozilla/5.0 (iPad; CPU OS 17_5 like Mac OS X) AppleWebKit/605.1.15 (KHTML, like Gecko) CriOS/130.0.6723.90 Mobile/15E148 Safari/604.1",
  chromeAndroid:
    "Mozilla/5.0 (Linux; Android 14; Pixel 8) AppleWebKit/537.36 (KHTML, like Gecko) Chrome/130.0.6723.58 Mobile Safari/537.36",
  samsungAndroid:
    "Mozilla/5.0 (Linux; Android 13; SM-S911B) AppleWebKit/537.36 (KHTML, like Gecko) SamsungBrowser/25.0 Chrome/121.0.0.0 Mobile Safari/537.36",
  firefoxLinux: "Mozilla/5.0 (X11; Linux x86_64; rv:131.0) Gecko/20100101 Firefox/131.0",
  headlessChromium: "Mozilla/5.0 (X11; Linux x86_64) AppleWebKit/537.36 (KHTML, like Gecko) HeadlessChrome/130.0.6723.116 Safari/537.36",
  windowsPhone:
    "Mozilla/5.0 (Windows Phone 10.0; Android 6.0.1; Microsoft; Lumia 950) AppleWebKit/537.36 (KHTML, like Gecko) Chrome/52.0.2743.116 Mobile Safari/537.36 Edge/15.14977",
  chromeOs: "Mozilla/5.0 (X11; CrOS x86_64 14541.0.0) AppleWebKit/537.36 (KHTML, like Gecko) Chrome/130.0.0.0 Safari/537.36",
  cli: "gatehouse-cli/0.1.0 node/20.18.0",
};

describe("parseUserAgent (R25 device platforms)", () => {
  it.each([
    [UA.chromeWindows, "windows", "Chrome 130.0.6723.58", "Windows 10"],
    [UA.edgeWindows, "windows", "Edge 130.0.2849.46", "Windows 10"],
    [UA.safariMac, "macOS", "Safari 17.5", "MacOs"],
    [UA.firefoxMac, "macOS", "Firefox 131.0", "MacOs"],
    [UA.safariIphone, "iOS", "Safari 17.5", "Ios 17.5"],
    [UA.chromeIpad, "iOS", "Chrome 130.0.6723.90", "Ios 17.5"],
    [UA.chromeAndroid, "android", "Chrome 130.0.6723.58", "Android 14"],
    [UA.samsungAndroid, "android", "Samsung Internet 25.0", "Android 13"],
    [UA.firefoxLinux, "linux", "Firefox 131.0", "Linux"],
    [UA.headlessChromium, "linux", "Chrome 130.0.6723.116", "Linux"],
    [UA.windowsPhone, "windowsPhone", "Edge 15.14977", "WindowsPhone"],
    [UA.chromeOs, "unknown", "Chrome 130.0.0.0", "ChromeOS"],
    [UA.cli, "unknown", "", ""],
  ])("%s", (ua, devicePlatform, browser, operatingSystem) => {
    expect(parseUserAgent(ua)).toEqual({ devicePlatform, browser, operatingSystem });
  });

  it("says unknown without a header, and reads only the first of repeated headers", () => {
    expect(parseUserAgent(undefined)).toEqual({ devicePlatform: "unknown", browser: "", operatingSystem: "" });
    expect(parseUserAgent("   ")).toEqual({ devicePlatform: "unknown", browser: "", operatingSystem: "" });
    expect(parseUserAgent([UA.safariIphone, UA.chromeWindows]).devicePlatform).toBe("iOS");
  });
});

describe("client address (X-Forwarded-For only from trusted proxies)", () => {
  const trusted = compileTrustedProxies(["10.0.0.0/8", "2001:db8:ffff::/48", "192.0.2.7"]);

  it("normalizes IPv4-mapped addresses and refuses what is not an address", () => {
    expect(normalizeAddress("::ffff:203.0.113.9")).toBe("203.0.113.9");
    expect(normalizeAddress("[2001:DB8::1]")).toBe("2001:db8::1");
    expect(normalizeAddress("unknown")).toBeNull();
    expect(normalizeAddress(undefined)).toBeNull();
  });

  it("uses the peer when it is no trusted proxy, whatever the header says", () => {
    expect(clientAddress("203.0.113.9", "198.51.100.1", trusted)).toBe("203.0.113.9");
    expect(clientAddress("::ffff:203.0.113.9", "198.51.100.1", trusted)).toBe("203.0.113.9");
    expect(clientAddress("203.0.113.9", "198.51.100.1", compileTrustedProxies(undefined))).toBe("203.0.113.9");
  });

  it("takes the right-most address that is not a trusted proxy", () => {
    // The client forged the first entry; the proxies appended the rest.
    expect(clientAddress("10.1.2.3", "1.1.1.1, 198.51.100.1, 10.9.9.9", trusted)).toBe("198.51.100.1");
    expect(clientAddress("192.0.2.7", ["1.1.1.1", "198.51.100.2"], trusted)).toBe("198.51.100.2");
    expect(clientAddress("2001:db8:ffff::5", "2001:db8:1::1", trusted)).toBe("2001:db8:1::1");
    expect(clientAddress("10.1.2.3", "::ffff:198.51.100.3", trusted)).toBe("198.51.100.3");
  });

  it("falls back to the peer without a header, to the left-most when all are proxies, and to unknown on a malformed hop", () => {
    expect(clientAddress("10.1.2.3", undefined, trusted)).toBe("10.1.2.3");
    expect(clientAddress("10.1.2.3", "10.4.4.4, 10.5.5.5", trusted)).toBe("10.4.4.4");
    expect(clientAddress("10.1.2.3", "198.51.100.1, garbage, 10.5.5.5", trusted)).toBeNull();
  });

  it("refuses malformed trusted proxy entries", () => {
    expect(() => compileTrustedProxies(["10.0.0.0/33"])).toThrow(/invalid prefix/);
    expect(() => compileTrustedProxies(["proxy.example"])).toThrow(/not a CIDR/);
    expect(() => compileTrustedProxies(["10.0.0.0/8/1"])).toThrow(/not a CIDR/);
    expect(() => compileTrustedProxies(["2001:db8::/129"])).toThrow(/invalid prefix/);
  });

  it("builds the whole context with the country look-up", () => {
    const context = requestContext(
      { socket: { remoteAddress: "10.0.0.1" }, headers: { "x-forwarded-for": "198.51.100.1", "user-agent": UA.chromeAndroid } },
      { trustedProxies: trusted, lookupCountry: (ip) => (ip === "198.51.100.1" ? "nl" : null) },
    );
    expect(context).toEqual({
      ipAddress: "198.51.100.1",
      country: "NL",
      devicePlatform: "android",
      browser: "Chrome 130.0.6723.58",
      operatingSystem: "Android 14",
    });
  });

  it("property: whatever the client writes on the left, the address the first trusted proxy saw wins", () => {
    const outside = fc
      .tuple(fc.integer({ min: 11, max: 223 }), fc.nat(255), fc.nat(255), fc.integer({ min: 1, max: 254 }))
      .map((p) => p.join("."))
      .filter((ip) => ip !== "192.0.2.7");
    const proxy = fc.tuple(fc.nat(255), fc.nat(255), fc.integer({ min: 1, max: 254 })).map((p) => `10.${p.join(".")}`);
    fc.assert(
      fc.property(
        fc.array(fc.string({ maxLength: 20 }), { maxLength: 4 }),
        outside,
        fc.array(proxy, { maxLength: 3 }),
        proxy,
        (forged, client, hops, peer) => {
          const header = [...forged.map((f) => f.replaceAll(",", "")), client, ...hops].join(", ");
          expect(clientAddress(peer, header, trusted)).toBe(client);
          // The same header from an untrusted peer is ignored.
          expect(clientAddress(client, header, trusted)).toBe(client);
        },
      ),
    );
  });
});
