import { describe, expect, it } from "vitest";
import { oidcIssuerFor, parseTrustedProxies } from "./serve-command.js";

describe("gatehouse serve: the sign-in service (on by default)", () => {
  it("puts the issuer under /oauth2 at the listening address", () => {
    expect(oidcIssuerFor({ oidc: true }, 8080)).toBe("http://127.0.0.1:8080/oauth2");
    expect(oidcIssuerFor({ oidc: true, host: "::1" }, 8443)).toBe("http://[::1]:8443/oauth2");
  });

  it("prefers the public URL clients use", () => {
    expect(oidcIssuerFor({ oidc: true, publicUrl: "https://login.contoso.test/gatehouse/" }, 0)).toBe(
      "https://login.contoso.test/gatehouse/oauth2",
    );
  });

  it("refuses a port picked at random (the issuer must be known) and a bad URL, with one line", () => {
    expect(() => oidcIssuerFor({ oidc: true }, 0)).toThrow(/needs a fixed --port/);
    expect(() => oidcIssuerFor({ oidc: true, publicUrl: "ftp://x" }, 80)).toThrow(/http\(s\) URL/);
  });

  it("serves the OIDC endpoints unless --no-oidc", () => {
    expect(oidcIssuerFor({}, 8080)).toBe("http://127.0.0.1:8080/oauth2");
    expect(oidcIssuerFor({ oidc: false }, 8080)).toBeUndefined();
    expect(oidcIssuerFor({ oidc: false }, 0)).toBeUndefined();
  });

  it("takes --trusted-proxy CIDR ranges and addresses, and refuses anything else with one line", () => {
    expect(parseTrustedProxies(["10.0.0.0/8", "192.0.2.7", "2001:db8::/32"])).toEqual(["10.0.0.0/8", "192.0.2.7", "2001:db8::/32"]);
    expect(parseTrustedProxies(undefined)).toEqual([]);
    for (const bad of ["10.0.0.0/33", "proxy.internal", "10.0.0.0/8/1", "::1/129", ""]) {
      expect(() => parseTrustedProxies([bad])).toThrow(/--trusted-proxy needs a CIDR range or an IP address/);
    }
  });
});
