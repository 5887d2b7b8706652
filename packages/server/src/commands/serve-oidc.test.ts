import { describe, expect, it } from "vitest";
import { oidcIssuerFor } from "./serve-command.js";

describe("gatehouse serve --oidc", () => {
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
    expect(() => oidcIssuerFor({ oidc: true }, 0)).toThrow(/--oidc needs a fixed --port/);
    expect(() => oidcIssuerFor({ oidc: true, publicUrl: "ftp://x" }, 80)).toThrow(/http\(s\) URL/);
  });

  it("serves no OIDC endpoints unless asked", () => {
    expect(oidcIssuerFor({}, 8080)).toBeUndefined();
  });
});
