import fc from "fast-check";
import { describe, expect, it } from "vitest";
import { compileFilterExpression } from "./compile-filter-expression.js";
import { deviceFilterAttributes, UNREGISTERED_DEVICE_ATTRIBUTES } from "./device-filter-attributes.js";
import type { FilterAttributes, FilterExpression, FilterSubject } from "./filter-expression.js";
import { parseFilterRule } from "./parse-filter-rule.js";
import { comparisonArbitrary, deviceAttributesArbitrary, expressionArbitrary, POSITIVE_OF, sampleText } from "./test-filter-arbitraries.js";

function rule(text: string, subject: FilterSubject = "device") {
  const result = parseFilterRule(text, { subject });
  if (!result.ok) throw new Error(`expected ${text} to parse: ${JSON.stringify(result.errors)}`);
  return result.rule;
}

function holds(text: string, attributes: FilterAttributes, subject: FilterSubject = "device") {
  return rule(text, subject).evaluate(attributes);
}

describe("evaluation: string operators are case-insensitive (§3.7)", () => {
  const device = { displayName: "Contoso-LAPTOP-42" };
  it.each<[string, boolean]>([
    ['device.displayName -eq "contoso-laptop-42"', true],
    ['device.displayName -eq "Contoso-LAPTOP-4"', false],
    ['device.displayName -ne "CONTOSO-laptop-42"', false],
    ['device.displayName -ne "other"', true],
    ['device.displayName -startsWith "contoso-"', true],
    ['device.displayName -startsWith "laptop"', false],
    ['device.displayName -notStartsWith "CONTOSO"', false],
    ['device.displayName -notStartsWith "fabrikam"', true],
    ['device.displayName -endsWith "-42"', true],
    ['device.displayName -endsWith "-4"', false],
    ['device.displayName -notEndsWith "LAPTOP-42"', false],
    ['device.displayName -notEndsWith "x"', true],
    ['device.displayName -contains "laptop"', true],
    ['device.displayName -contains "desktop"', false],
    ['device.displayName -notContains "LaPtOp"', false],
    ['device.displayName -notContains "desktop"', true],
    ['device.displayName -in ["a", "CONTOSO-laptop-42"]', true],
    ['device.displayName -in ["a", "contoso"]', false],
    ['device.displayName -notIn ["contoso-laptop-42"]', false],
    ['device.displayName -notIn ["a", "b"]', true],
    ['device.displayName -startsWith ""', true],
    ['device.displayName -eq ""', false],
  ])("%s is %s for displayName Contoso-LAPTOP-42", (text, expected) => {
    expect(holds(text, device)).toBe(expected);
  });
});

describe("evaluation: missing values (§3.7 null semantics)", () => {
  const positive = [
    'device.displayName -eq "x"',
    'device.displayName -startsWith "x"',
    'device.displayName -endsWith "x"',
    'device.displayName -contains "x"',
    'device.displayName -in ["x"]',
    'device.physicalIds -contains "x"',
    "device.isCompliant -eq True",
    "device.isCompliant -eq False",
  ];
  const negative = [
    'device.displayName -ne "x"',
    'device.displayName -notStartsWith "x"',
    'device.displayName -notEndsWith "x"',
    'device.displayName -notContains "x"',
    'device.displayName -notIn ["x"]',
    'device.physicalIds -notContains "x"',
    "device.isCompliant -ne True",
    "device.isCompliant -ne False",
  ];
  const missing: [string, FilterAttributes][] = [
    ["null", { displayName: null, physicalIds: null, isCompliant: null }],
    ["undefined", { displayName: undefined, physicalIds: undefined, isCompliant: undefined }],
    ["absent", {}],
    ["an empty collection", { physicalIds: [] }],
    ["the unregistered device", UNREGISTERED_DEVICE_ATTRIBUTES],
  ];

  for (const [label, attributes] of missing) {
    it.each(positive)(`positive operator %s is false when the value is ${label}`, (text) => {
      expect(holds(text, attributes)).toBe(false);
    });
    it.each(negative)(`negative operator %s is true when the value is ${label}`, (text) => {
      expect(holds(text, attributes)).toBe(true);
    });
  }

  it("-eq null holds iff the value is missing", () => {
    const eqNull = rule("device.model -eq null");
    expect(eqNull.evaluate({})).toBe(true);
    expect(eqNull.evaluate({ model: null })).toBe(true);
    expect(eqNull.evaluate({ model: "x" })).toBe(false);
    expect(eqNull.evaluate({ model: "" })).toBe(false);
    const csaEqNull = rule("CustomSecurityAttribute.Sec_tags -eq null", "customSecurityAttribute");
    expect(csaEqNull.evaluate({ Sec_tags: [] })).toBe(true);
    expect(csaEqNull.evaluate({ Sec_tags: ["x"] })).toBe(false);
  });

  it("-ne null holds iff the value is present, including a false boolean", () => {
    const neNull = rule("device.isCompliant -ne null");
    expect(neNull.evaluate({ isCompliant: false })).toBe(true);
    expect(neNull.evaluate({ isCompliant: true })).toBe(true);
    expect(neNull.evaluate({ isCompliant: null })).toBe(false);
    expect(neNull.evaluate({})).toBe(false);
  });

  it('-eq "null" compares with the text null, not with a missing value', () => {
    expect(holds('device.model -eq "null"', {})).toBe(false);
    expect(holds('device.model -eq "null"', { model: "NULL" })).toBe(true);
  });

  it("an unregistered device never satisfies a positive-only rule and always satisfies a negative-only rule", () => {
    expect(
      holds(
        'device.trustType -eq "AzureAD" -or device.isCompliant -eq True -or device.physicalIds -contains "x"',
        UNREGISTERED_DEVICE_ATTRIBUTES,
      ),
    ).toBe(false);
    expect(
      holds(
        'device.trustType -ne "AzureAD" -and device.isCompliant -ne True -and device.displayName -notIn ["x"]',
        UNREGISTERED_DEVICE_ATTRIBUTES,
      ),
    ).toBe(true);
  });
});

describe("evaluation: booleans (§3.7)", () => {
  it.each<[string, FilterAttributes, boolean]>([
    ["device.isCompliant -eq True", { isCompliant: true }, true],
    ["device.isCompliant -eq True", { isCompliant: false }, false],
    ["device.isCompliant -eq False", { isCompliant: false }, true],
    ['device.isCompliant -eq "True"', { isCompliant: true }, true],
    ["device.isCompliant -eq TRUE", { isCompliant: true }, true],
    ["device.isCompliant -eq True", { isCompliant: "true" }, true],
    ["device.isCompliant -eq True", { isCompliant: "TRUE" }, true],
    ["device.isCompliant -eq False", { isCompliant: "False" }, true],
    ["device.isCompliant -ne True", { isCompliant: false }, true],
    ["device.isCompliant -ne True", { isCompliant: true }, false],
    ["device.isCompliant -ne False", { isCompliant: true }, true],
    ["device.displayName -eq True", { displayName: "true" }, true],
    ['device.displayName -eq "false"', { displayName: false }, true],
  ])("%s with %j is %s", (text, attributes, expected) => {
    expect(holds(text, attributes)).toBe(expected);
  });
});

describe("evaluation: collections (§3.7)", () => {
  const device = { physicalIds: ["[ZTDId]:abc-123", "[OrderId]:Contoso"], systemLabels: ["M365Managed"] };

  it("-contains on a collection compares whole elements, case-insensitively", () => {
    expect(holds('device.physicalIds -contains "[ztdid]:ABC-123"', device)).toBe(true);
    expect(holds('device.systemLabels -contains "m365managed"', device)).toBe(true);
  });

  it("-contains on a collection is not a substring test", () => {
    expect(holds('device.physicalIds -contains "[ZTDId]"', device)).toBe(false);
    expect(holds('device.systemLabels -contains "M365"', device)).toBe(false);
  });

  it("-notContains on a collection holds when no element equals the value", () => {
    expect(holds('device.physicalIds -notContains "[ZTDId]"', device)).toBe(true);
    expect(holds('device.physicalIds -notContains "[orderid]:contoso"', device)).toBe(false);
  });

  it("-contains on a string is a substring test", () => {
    expect(holds('device.model -contains "face"', { model: "Surface Pro" })).toBe(true);
  });

  it("an array value turns any attribute into a collection (multi-valued custom security attributes)", () => {
    const attributes = { Sec_tags: ["PCI", "HIPAA"] };
    const csa = "customSecurityAttribute" as const;
    expect(holds('CustomSecurityAttribute.Sec_tags -contains "pci"', attributes, csa)).toBe(true);
    expect(holds('CustomSecurityAttribute.Sec_tags -contains "PC"', attributes, csa)).toBe(false);
    expect(holds('CustomSecurityAttribute.Sec_tags -eq "hipaa"', attributes, csa)).toBe(true);
    expect(holds('CustomSecurityAttribute.Sec_tags -in ["x", "Hipaa"]', attributes, csa)).toBe(true);
    expect(holds('CustomSecurityAttribute.Sec_tags -startsWith "HI"', attributes, csa)).toBe(true);
    expect(holds('CustomSecurityAttribute.Sec_tags -notIn ["pci"]', attributes, csa)).toBe(false);
    expect(holds('CustomSecurityAttribute.Sec_tags -ne "sox"', attributes, csa)).toBe(true);
  });

  it("ignores non-string elements of a collection", () => {
    const attributes = { physicalIds: [42, null, "x"] as unknown as readonly string[] };
    expect(holds('device.physicalIds -contains "x"', attributes)).toBe(true);
    expect(holds('device.physicalIds -contains "42"', attributes)).toBe(false);
  });
});

describe("evaluation: connectives", () => {
  const device = { trustType: "AzureAD", model: "Surface", manufacturer: "Microsoft" };
  it.each<[string, boolean]>([
    ['device.trustType -eq "AzureAD" -and device.model -eq "Surface" -and device.manufacturer -eq "Microsoft"', true],
    ['device.trustType -eq "AzureAD" -and device.model -eq "Surface" -and device.manufacturer -eq "x"', false],
    ['device.trustType -eq "x" -or device.model -eq "x" -or device.manufacturer -eq "Microsoft"', true],
    ['device.trustType -eq "x" -or device.model -eq "x" -or device.manufacturer -eq "x"', false],
    ['-not device.trustType -eq "AzureAD"', false],
    ['-not -not device.trustType -eq "AzureAD"', true],
    ['device.trustType -eq "x" -or device.model -eq "Surface" -and device.manufacturer -eq "x"', false],
    ['(device.trustType -eq "x" -or device.model -eq "Surface") -and device.manufacturer -eq "Microsoft"', true],
  ])("%s is %s", (text, expected) => {
    expect(holds(text, device)).toBe(expected);
  });
});

describe('evaluation: the template rule `device.trustType -ne "ServerAD" -or device.isCompliant -ne True` (§1.15)', () => {
  const template = rule('device.trustType -ne "ServerAD" -or device.isCompliant -ne True');
  it.each<[string, Record<string, unknown> | null, boolean]>([
    ["an unregistered device", null, true],
    ["a hybrid joined compliant device", { trustType: "ServerAD", isCompliant: true }, false],
    ["a hybrid joined device spelled serverad", { trustType: "serverad", isCompliant: true }, false],
    ["a hybrid joined non-compliant device", { trustType: "ServerAD", isCompliant: false }, true],
    ["a hybrid joined device without compliance state", { trustType: "ServerAD" }, true],
    ["an Entra joined compliant device", { trustType: "AzureAD", isCompliant: true }, true],
    ["a registered device", { trustType: "Workplace", isCompliant: false }, true],
  ])("matches %s: %s", (_label, deviceInfo, expected) => {
    expect(template.evaluate(deviceFilterAttributes(deviceInfo))).toBe(expected);
  });
});

describe('evaluation: spec §3.12 example 7 (exclude filter `device.extensionAttribute1 -eq "SAW"`)', () => {
  const saw = rule('device.extensionAttribute1 -eq "SAW"');
  it("an unregistered device does not match, so it is not excluded and stays blocked", () => {
    expect(saw.evaluate(deviceFilterAttributes(undefined))).toBe(false);
  });
  it("an Intune managed device with extensionAttribute1 SAW matches, so it is excluded (notApplied)", () => {
    const managed = { deviceId: "d1", mdmAppId: "0000000a-0000-0000-c000-000000000000", extensionAttribute1: "SAW" };
    expect(saw.evaluate(deviceFilterAttributes(managed))).toBe(true);
  });
  it("an unmanaged registered device with extensionAttribute1 SAW does not match (attribute unavailable)", () => {
    const unmanaged = { deviceId: "d1", trustType: "Workplace", extensionAttribute1: "SAW" };
    expect(saw.evaluate(deviceFilterAttributes(unmanaged))).toBe(false);
  });
});

describe("evaluation: custom security attributes (§1.6)", () => {
  const subject = "customSecurityAttribute" as const;
  const requireMfa = rule('CustomSecurityAttribute.ConditionalAccessTest_policyRequirement -contains "requireMFA"', subject);

  it("matches a string attribute by substring, case-insensitively", () => {
    expect(requireMfa.evaluate({ ConditionalAccessTest_policyRequirement: "REQUIREMFA" })).toBe(true);
    expect(requireMfa.evaluate({ ConditionalAccessTest_policyRequirement: "requireMFA,block" })).toBe(true);
    expect(requireMfa.evaluate({ ConditionalAccessTest_policyRequirement: "block" })).toBe(false);
  });

  it("finds the attribute when the key differs from the rule only in case", () => {
    expect(requireMfa.evaluate({ conditionalaccesstest_POLICYREQUIREMENT: "requireMFA" })).toBe(true);
  });

  it("prefers the key spelled as in the rule", () => {
    expect(
      requireMfa.evaluate({
        conditionalaccesstest_policyrequirement: "no",
        ConditionalAccessTest_policyRequirement: "requireMFA",
      }),
    ).toBe(true);
  });

  it("treats an application without the attribute as missing (negative operators hold)", () => {
    expect(requireMfa.evaluate({})).toBe(false);
    expect(rule('CustomSecurityAttribute.A_b -ne "x"', subject).evaluate({ Other_attr: "x" })).toBe(true);
  });

  it("does not read a similarly named attribute of another length", () => {
    expect(rule('CustomSecurityAttribute.A_b -eq "x"', subject).evaluate({ A_bc: "x" })).toBe(false);
  });
});

describe("evaluation: robustness", () => {
  it("treats values of the wrong runtime type as missing and never throws", () => {
    const odd = { model: 42, displayName: { a: 1 }, isCompliant: 1 } as unknown as FilterAttributes;
    expect(holds('device.model -eq "42"', odd)).toBe(false);
    expect(holds('device.displayName -ne "x"', odd)).toBe(true);
    expect(holds("device.isCompliant -eq null", odd)).toBe(true);
  });

  it("throws TypeError when asked to compile a malformed tree (caller bug)", () => {
    const bad: FilterExpression = {
      kind: "comparison",
      property: "model",
      operator: "in",
      value: { kind: "string", value: "x" },
    };
    expect(() => compileFilterExpression(bad, "device")).toThrow(TypeError);
  });
});

describe("evaluation: invariants (property)", () => {
  const evaluate = (expression: FilterExpression, attributes: FilterAttributes) =>
    compileFilterExpression(expression, "device")(attributes);

  it("-not flips the result for every rule and attribute set", () => {
    fc.assert(
      fc.property(expressionArbitrary, deviceAttributesArbitrary, (expression, attributes) => {
        expect(evaluate({ kind: "not", operand: expression }, attributes)).toBe(!evaluate(expression, attributes));
      }),
      { numRuns: 500 },
    );
  });

  it("obeys De Morgan's laws", () => {
    fc.assert(
      fc.property(expressionArbitrary, expressionArbitrary, deviceAttributesArbitrary, (left, right, attributes) => {
        const notLeft: FilterExpression = { kind: "not", operand: left };
        const notRight: FilterExpression = { kind: "not", operand: right };
        expect(evaluate({ kind: "not", operand: { kind: "and", operands: [left, right] } }, attributes)).toBe(
          evaluate({ kind: "or", operands: [notLeft, notRight] }, attributes),
        );
        expect(evaluate({ kind: "not", operand: { kind: "or", operands: [left, right] } }, attributes)).toBe(
          evaluate({ kind: "and", operands: [notLeft, notRight] }, attributes),
        );
      }),
      { numRuns: 500 },
    );
  });

  it("every negative operator is exactly the negation of its positive operator, null included", () => {
    fc.assert(
      fc.property(comparisonArbitrary, deviceAttributesArbitrary, (comparison, attributes) => {
        if (comparison.kind !== "comparison") return;
        const positive = POSITIVE_OF[comparison.operator];
        fc.pre(positive !== undefined);
        if (positive === undefined) return;
        expect(evaluate(comparison, attributes)).toBe(!evaluate({ ...comparison, operator: positive }, attributes));
      }),
      { numRuns: 500 },
    );
  });

  it("-in equals an -or of -eq over the list for a single-valued property", () => {
    fc.assert(
      fc.property(
        fc.array(sampleText, { minLength: 1, maxLength: 4 }),
        fc.oneof(sampleText, fc.constantFrom(null, undefined)),
        (values, model) => {
          const attributes = { model };
          const inList: FilterExpression = {
            kind: "comparison",
            property: "model",
            operator: "in",
            value: { kind: "list", values },
          };
          const expected = values.some((value) =>
            evaluate({ kind: "comparison", property: "model", operator: "eq", value: { kind: "string", value } }, attributes),
          );
          expect(evaluate(inList, attributes)).toBe(expected);
        },
      ),
    );
  });

  it("the case of attribute values never changes the result", () => {
    const upper = (attributes: FilterAttributes): FilterAttributes =>
      Object.fromEntries(
        Object.entries(attributes).map(([key, value]) => [
          key,
          typeof value === "string" ? value.toUpperCase() : Array.isArray(value) ? value.map((item: string) => item.toUpperCase()) : value,
        ]),
      );
    fc.assert(
      fc.property(expressionArbitrary, deviceAttributesArbitrary, (expression, attributes) => {
        expect(evaluate(expression, upper(attributes))).toBe(evaluate(expression, attributes));
      }),
      { numRuns: 500 },
    );
  });

  it("an unregistered device fails every rule built from positive comparisons with -and/-or", () => {
    const positiveComparison = comparisonArbitrary.filter(
      (expression) =>
        expression.kind === "comparison" && POSITIVE_OF[expression.operator] === undefined && expression.value.kind !== "null",
    );
    const positiveRule = fc.letrec<{ rule: FilterExpression }>((tie) => ({
      rule: fc.oneof(
        { depthSize: "small" },
        positiveComparison,
        fc.array(tie("rule"), { minLength: 2, maxLength: 3 }).map((operands): FilterExpression => ({ kind: "and", operands })),
        fc.array(tie("rule"), { minLength: 2, maxLength: 3 }).map((operands): FilterExpression => ({ kind: "or", operands })),
      ),
    })).rule;
    fc.assert(
      fc.property(positiveRule, (expression) => {
        expect(evaluate(expression, UNREGISTERED_DEVICE_ATTRIBUTES)).toBe(false);
        expect(evaluate({ kind: "not", operand: expression }, {})).toBe(true);
      }),
    );
  });
});
