import { describe, expect, it } from "vitest";
import { checkNamingStandard, namingStandardPatternError } from "./naming-standard.js";

const STANDARD = String.raw`^CA\d{2} - `;

describe("checkNamingStandard", () => {
  it("accepts every name when there is no naming standard", () => {
    expect(checkNamingStandard("anything at all", null)).toEqual({ ok: true });
    expect(checkNamingStandard("anything at all", "")).toEqual({ ok: true });
  });

  it("accepts a name that matches the pattern", () => {
    expect(checkNamingStandard("CA01 - All users - Require MFA", STANDARD)).toEqual({ ok: true });
  });

  it("rejects a name that does not match, quoting the name and the pattern", () => {
    const result = checkNamingStandard("Require MFA", STANDARD);
    expect(result).toEqual({
      ok: false,
      reason: "mismatch",
      message: String.raw`The policy name "Require MFA" does not follow the naming standard /^CA\d{2} - /`,
    });
  });

  it("matches anywhere unless the pattern anchors itself", () => {
    expect(checkNamingStandard("Prod: CA01 - x", String.raw`CA\d{2}`).ok).toBe(true);
    expect(checkNamingStandard("Prod: CA01 - x", String.raw`^CA\d{2}`).ok).toBe(false);
  });

  it("is case-sensitive, as a regular expression without flags is", () => {
    expect(checkNamingStandard("ca01 - x", STANDARD).ok).toBe(false);
  });

  it("reports an invalid pattern as a clear error that names the pattern", () => {
    const result = checkNamingStandard("CA01 - x", "^CA(\\d{2}");
    expect(result.ok).toBe(false);
    if (result.ok) return;
    expect(result.reason).toBe("invalidPattern");
    expect(result.message).toContain("/^CA(\\d{2}/");
    expect(result.message).toContain("not a valid regular expression");
  });
});

describe("namingStandardPatternError", () => {
  it("explains an invalid pattern and answers null for a valid one", () => {
    expect(namingStandardPatternError(STANDARD)).toBeNull();
    expect(namingStandardPatternError("[a-")).toMatch(/Invalid regular expression/);
  });
});
