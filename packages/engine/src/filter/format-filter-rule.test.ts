import fc from "fast-check";
import { describe, expect, it } from "vitest";
import { compileFilterExpression } from "./compile-filter-expression.js";
import type { FilterExpression, FilterSubject } from "./filter-expression.js";
import { formatFilterRule } from "./format-filter-rule.js";
import { parseFilterRule } from "./parse-filter-rule.js";
import { deviceAttributesArbitrary, expressionArbitrary } from "./test-filter-arbitraries.js";

function canonical(rule: string, subject: FilterSubject = "device"): string {
  const result = parseFilterRule(rule, { subject });
  if (!result.ok) throw new Error(`expected ${rule} to parse: ${JSON.stringify(result.errors)}`);
  return formatFilterRule(result.rule.expression, subject);
}

function reparse(text: string, subject: FilterSubject = "device"): FilterExpression {
  const result = parseFilterRule(text, { subject });
  if (!result.ok) throw new Error(`formatted rule ${text} failed to parse: ${JSON.stringify(result.errors)}`);
  return result.rule.expression;
}

/** Flips the case of every character outside string literals where `flips` says so. */
function recase(text: string, flips: readonly boolean[]): string {
  let out = "";
  let quote: string | undefined;
  for (let i = 0; i < text.length; i++) {
    const char = text[i] as string;
    if (quote !== undefined) {
      out += char;
      if (char === "\\") {
        out += text[i + 1] ?? "";
        i++;
      } else if (char === quote) {
        quote = undefined;
      }
      continue;
    }
    if (char === '"' || char === "'") quote = char;
    const flip = flips[i % Math.max(flips.length, 1)] ?? false;
    out += flip ? (char === char.toLowerCase() ? char.toUpperCase() : char.toLowerCase()) : char;
  }
  return out;
}

describe("formatFilterRule", () => {
  it.each<[string, string]>([
    ['DEVICE.TRUSTTYPE -NE "ServerAD" -OR device.iscompliant -ne true', 'device.trustType -ne "ServerAD" -or device.isCompliant -ne True'],
    ["device.trustType -ne 'AzureAD'", 'device.trustType -ne "AzureAD"'],
    ['device.isCompliant -eq "false"', "device.isCompliant -eq False"],
    ['device.model -in ["a","b"]', 'device.model -in ["a", "b"]'],
    ["device.model -eq NULL", "device.model -eq null"],
    ['device.model -STARTSWITH "x"', 'device.model -startsWith "x"'],
    ['device.model -eq "say \\"hi\\" C:\\dir"', 'device.model -eq "say \\"hi\\" C:\\\\dir"'],
    ['((device.model -eq "a"))', 'device.model -eq "a"'],
    [
      'device.model -eq "a" -or (device.model -eq "b" -and device.model -eq "c")',
      'device.model -eq "a" -or device.model -eq "b" -and device.model -eq "c"',
    ],
    [
      '(device.model -eq "a" -or device.model -eq "b") -and device.model -eq "c"',
      '(device.model -eq "a" -or device.model -eq "b") -and device.model -eq "c"',
    ],
    [
      '(device.model -eq "a" -or device.model -eq "b") -or device.model -eq "c"',
      '(device.model -eq "a" -or device.model -eq "b") -or device.model -eq "c"',
    ],
    ['-not (device.model -eq "a")', '-not device.model -eq "a"'],
    ['-not (device.model -eq "a" -and device.model -eq "b")', '-not (device.model -eq "a" -and device.model -eq "b")'],
    ['-NOT -not device.model -eq "a"', '-not -not device.model -eq "a"'],
  ])("prints %s as %s", (rule, expected) => {
    expect(canonical(rule)).toBe(expected);
  });

  it("prints custom security attributes with the CustomSecurityAttribute prefix", () => {
    expect(canonical('customsecurityattribute.Sec_level -IN ["high"]', "customSecurityAttribute")).toBe(
      'CustomSecurityAttribute.Sec_level -in ["high"]',
    );
  });

  it("round-trips: parsing the printed rule gives back the same tree and the same decisions", () => {
    fc.assert(
      fc.property(expressionArbitrary, deviceAttributesArbitrary, (expression, attributes) => {
        const text = formatFilterRule(expression, "device");
        fc.pre(text.length <= 3072);
        const parsed = reparse(text);
        expect(parsed).toEqual(expression);
        expect(compileFilterExpression(parsed, "device")(attributes)).toBe(compileFilterExpression(expression, "device")(attributes));
      }),
      { numRuns: 500 },
    );
  });

  it("is insensitive to the case of keywords, operators, properties and literals", () => {
    fc.assert(
      fc.property(expressionArbitrary, fc.array(fc.boolean(), { minLength: 1, maxLength: 17 }), (expression, flips) => {
        const text = formatFilterRule(expression, "device");
        fc.pre(text.length <= 3072);
        expect(reparse(recase(text, flips))).toEqual(expression);
      }),
      { numRuns: 300 },
    );
  });
});
