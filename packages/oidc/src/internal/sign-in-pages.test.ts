import { describe, expect, it } from "vitest";
import {
  blockedPage,
  loginPage,
  PAGE_SECURITY_HEADERS,
  registerPasskeyPage,
  registerTotpPage,
  totpQrCode,
  verifyPage,
  WEBAUTHN_SCRIPT,
  WEBAUTHN_SCRIPT_PATH,
} from "./sign-in-pages.js";

describe("the sign-in pages", () => {
  it("escape what the user typed and what they show", () => {
    const html = loginPage("uid-1", "tok", 'bad <b>"news"</b>', '"><script>alert(1)</script>');
    expect(html).not.toContain("<script>alert(1)");
    expect(html).toContain("&quot;&gt;&lt;script&gt;alert(1)&lt;/script&gt;");
    expect(html).toContain("bad &lt;b&gt;&quot;news&quot;&lt;/b&gt;");
    const blocked = blockedPage("uid-1", "tok", { errorCode: 53003, message: "<img src=x onerror=alert(1)>", correlationId: "c-1" });
    expect(blocked).not.toContain("<img");
    expect(blocked).toContain('id="error-code">AADSTS53003<');
    expect(blocked).toContain('id="correlation-id">c-1<');
  });

  it("carry WebAuthn options in a JSON data block nothing can break out of, and load only our script", () => {
    const html = registerPasskeyPage("uid-1", "tok", { challenge: "abc", user: { name: "</script><script>alert(1)</script>" } }, null);
    expect(html).not.toContain("</script><script>alert(1)");
    const block = /<script type="application\/json" id="webauthn-options">([^<]*)<\/script>/.exec(html)?.[1] as string;
    expect(JSON.parse(block)).toEqual({ challenge: "abc", user: { name: "</script><script>alert(1)</script>" } });
    expect([...html.matchAll(/<script(?![^>]*application\/json)[^>]*>/g)].map((m) => m[0])).toEqual([
      `<script src="${WEBAUTHN_SCRIPT_PATH}" defer>`,
    ]);
    expect(verifyPage("uid-1", "tok", { totp: true, passkeyOptions: null }, null, "why")).not.toContain("<script");
  });

  it("allow no inline script and no other origin, and are never cached or framed", () => {
    expect(PAGE_SECURITY_HEADERS["content-security-policy"]).toContain("script-src 'self'");
    expect(PAGE_SECURITY_HEADERS["content-security-policy"]).toContain("frame-ancestors 'none'");
    expect(PAGE_SECURITY_HEADERS["content-security-policy"]).not.toMatch(/script-src[^;]*unsafe-inline/);
    expect(PAGE_SECURITY_HEADERS["cache-control"]).toBe("no-store");
    // The script is plain and self-contained: no imports, no other origin.
    expect(WEBAUTHN_SCRIPT).not.toMatch(/import|https?:\/\//);
    expect(WEBAUTHN_SCRIPT).toContain("navigator.credentials.create");
    expect(WEBAUTHN_SCRIPT).toContain("navigator.credentials.get");
  });

  it("show the authenticator key as an inline SVG QR code, with no script and no external image", () => {
    const uri = "otpauth://totp/Gatehouse:ada%40contoso.com?secret=JBSWY3DPEHPK3PXP&issuer=Gatehouse&algorithm=SHA1&digits=6&period=30";
    const html = registerTotpPage("uid-1", "csrf-1", "JBSWY3DPEHPK3PXP", uri, null);
    const svg = /<figure id="totp-qr">(<svg[\s\S]*?<\/svg>)<\/figure>/.exec(html)?.[1] ?? "";
    expect(svg).toContain('role="img"');
    expect(svg).toMatch(/viewBox="0 0 \d+ \d+"/);
    expect(svg).not.toMatch(/<script|href=|xlink/i);
    // A longer URI needs a larger symbol: the code really encodes the URI.
    const longer = totpQrCode(`${uri}&image=${"x".repeat(200)}`);
    const size = (s: string) => Number(/viewBox="0 0 (\d+)/.exec(s)?.[1]);
    expect(size(longer)).toBeGreaterThan(size(svg));
  });
});
