import fc from "fast-check";
import { describe, expect, it } from "vitest";
import { DEVICE_FILTER_PROPERTIES, FILTER_OPERATORS } from "./device-filter-properties.js";
import type { FilterExpression, FilterSubject } from "./filter-expression.js";
import { FILTER_RULE_MAX_LENGTH, FILTER_RULE_MAX_NESTING, type FilterRuleError, parseFilterRule } from "./parse-filter-rule.js";

function parse(rule: string, subject: FilterSubject = "device"): FilterExpression {
  const result = parseFilterRule(rule, { subject });
  if (!result.ok) throw new Error(`expected ${rule} to parse: ${JSON.stringify(result.errors)}`);
  return result.rule.expression;
}

function errors(rule: string, subject: FilterSubject = "device"): FilterRuleError[] {
  const result = parseFilterRule(rule, { subject });
  if (result.ok) throw new Error(`expected ${rule} to be rejected`);
  return result.errors;
}

const cmp = (property: string, operator: string, value: unknown): Record<string, unknown> => ({
  kind: "comparison",
  property,
  operator,
  value,
});
const str = (value: string) => ({ kind: "string", value });
const A = cmp("displayName", "eq", str("a"));
const B = cmp("model", "eq", str("b"));
const C = cmp("manufacturer", "eq", str("c"));
const a = 'device.displayName -eq "a"';
const b = 'device.model -eq "b"';
const c = 'device.manufacturer -eq "c"';

describe("parseFilterRule: values and operators (R31, §3.7)", () => {
  it.each([
    ["eq", 'device.displayName -eq "x"'],
    ["ne", 'device.displayName -ne "x"'],
    ["startsWith", 'device.displayName -startsWith "x"'],
    ["notStartsWith", 'device.displayName -notStartsWith "x"'],
    ["endsWith", 'device.displayName -endsWith "x"'],
    ["notEndsWith", 'device.displayName -notEndsWith "x"'],
    ["contains", 'device.displayName -contains "x"'],
    ["notContains", 'device.displayName -notContains "x"'],
  ])("parses the -%s operator with a string", (operator, rule) => {
    expect(parse(rule)).toEqual(cmp("displayName", operator, str("x")));
  });

  it.each([
    ["in", 'device.deviceId -in ["a", "b"]'],
    ["notIn", 'device.deviceId -notIn ["a","b"]'],
  ])("parses the -%s operator with a list", (operator, rule) => {
    expect(parse(rule)).toEqual(cmp("deviceId", operator, { kind: "list", values: ["a", "b"] }));
  });

  it("parses a one-element list", () => {
    expect(parse('device.model -in ["x"]')).toEqual(cmp("model", "in", { kind: "list", values: ["x"] }));
  });

  it.each(["-EQ", "-Eq", "-eQ"])("accepts the operator spelled %s (case-insensitive)", (operator) => {
    expect(parse(`device.model ${operator} "x"`)).toEqual(cmp("model", "eq", str("x")));
  });

  it("accepts camelCase operators in any case (-STARTSWITH, -notin)", () => {
    expect(parse('device.model -STARTSWITH "x"')).toEqual(cmp("model", "startsWith", str("x")));
    expect(parse('device.model -notin ["x"]')).toEqual(cmp("model", "notIn", { kind: "list", values: ["x"] }));
  });

  it.each(["device.deviceid", "DEVICE.DEVICEID", "Device.DeviceId", "device.deviceId"])(
    "canonicalizes the property name %s to deviceId",
    (property) => {
      expect(parse(`${property} -eq "x"`)).toEqual(cmp("deviceId", "eq", str("x")));
    },
  );

  it.each([
    ["True", true],
    ["true", true],
    ["TRUE", true],
    ["False", false],
    ["fAlSe", false],
  ])("reads the bare boolean %s", (text, value) => {
    expect(parse(`device.isCompliant -eq ${text}`)).toEqual(cmp("isCompliant", "eq", { kind: "boolean", value }));
  });

  it.each([
    ['"True"', true],
    ['"false"', false],
    ["'TRUE'", true],
  ])("reads the quoted boolean %s on isCompliant as a boolean (§3.7)", (text, value) => {
    expect(parse(`device.isCompliant -ne ${text}`)).toEqual(cmp("isCompliant", "ne", { kind: "boolean", value }));
  });

  it('keeps a quoted "True" on a string property as a string', () => {
    expect(parse('device.displayName -eq "True"')).toEqual(cmp("displayName", "eq", str("True")));
  });

  it.each(["null", "NULL", "Null"])("reads %s as the null literal with -eq and -ne", (text) => {
    expect(parse(`device.model -eq ${text}`)).toEqual(cmp("model", "eq", { kind: "null" }));
    expect(parse(`device.isCompliant -ne ${text}`)).toEqual(cmp("isCompliant", "ne", { kind: "null" }));
  });

  it('keeps a quoted "null" as a string', () => {
    expect(parse('device.model -eq "null"')).toEqual(cmp("model", "eq", str("null")));
  });

  it("accepts single-quoted strings, as in Graph examples and real exports", () => {
    expect(parse("device.trustType -ne 'AzureAD'")).toEqual(cmp("trustType", "ne", str("AzureAD")));
    expect(parse("device.model -in ['a', \"b\"]")).toEqual(cmp("model", "in", { kind: "list", values: ["a", "b"] }));
  });

  it("unescapes \\\" and \\\\ inside double quotes and \\' inside single quotes", () => {
    expect(parse('device.model -eq "say \\"hi\\""')).toEqual(cmp("model", "eq", str('say "hi"')));
    expect(parse('device.model -eq "a\\\\b"')).toEqual(cmp("model", "eq", str("a\\b")));
    expect(parse("device.model -eq 'it\\'s'")).toEqual(cmp("model", "eq", str("it's")));
  });

  it("keeps a backslash that escapes nothing (CORP\\laptop)", () => {
    expect(parse('device.displayName -eq "CORP\\laptop"')).toEqual(cmp("displayName", "eq", str("CORP\\laptop")));
  });

  it("keeps the other quote character and spaces inside a string", () => {
    expect(parse(`device.model -eq "it's  a 'test'"`)).toEqual(cmp("model", "eq", str("it's  a 'test'")));
  });

  it("accepts the empty string", () => {
    expect(parse('device.model -eq ""')).toEqual(cmp("model", "eq", str("")));
  });

  it("tolerates tabs, newlines, no-break spaces and no spaces around parentheses", () => {
    expect(parse(`(${a})\t-and\n(${b})\u00a0-or(${c})`)).toEqual({
      kind: "or",
      operands: [{ kind: "and", operands: [A, B] }, C],
    });
  });

  it("accepts the documented template rule (§1.15 template 11)", () => {
    expect(parse('device.trustType -ne "ServerAD" -or device.isCompliant -ne True')).toEqual({
      kind: "or",
      operands: [cmp("trustType", "ne", str("ServerAD")), cmp("isCompliant", "ne", { kind: "boolean", value: true })],
    });
  });

  it("accepts every extensionAttribute1..15 with all string operators", () => {
    for (let n = 1; n <= 15; n++) {
      expect(parse(`device.extensionAttribute${n} -endsWith "x"`)).toEqual(cmp(`extensionAttribute${n}`, "endsWith", str("x")));
    }
  });

  it("accepts a rule of exactly FILTER_RULE_MAX_LENGTH characters", () => {
    const prefix = 'device.displayName -eq "';
    const rule = `${prefix}${"x".repeat(FILTER_RULE_MAX_LENGTH - prefix.length - 1)}"`;
    expect(rule).toHaveLength(3072);
    expect(parseFilterRule(rule, { subject: "device" }).ok).toBe(true);
  });

  it("lists the properties a rule reads once each, in order of appearance", () => {
    const result = parseFilterRule('device.trustType -eq "a" -or device.isCompliant -eq True -or device.TRUSTTYPE -eq "b"', {
      subject: "device",
    });
    expect(result.ok && result.rule.properties).toEqual(["trustType", "isCompliant"]);
  });

  it("keeps the source text and subject on the compiled rule", () => {
    const result = parseFilterRule(` ${a} `, { subject: "device" });
    expect(result.ok && result.rule.source).toBe(` ${a} `);
    expect(result.ok && result.rule.subject).toBe("device");
  });
});

describe("parseFilterRule: allowed operators per device property (§3.7 table)", () => {
  // The §3.7 table, written out independently of the implementation.
  const ALL = "eq ne startsWith notStartsWith endsWith notEndsWith contains notContains in notIn";
  const expected: Record<string, string> = {
    deviceId: "eq ne in notIn",
    displayName: ALL,
    deviceOwnership: "eq ne",
    enrollmentProfileName: ALL,
    isCompliant: "eq ne",
    manufacturer: ALL,
    mdmAppId: "eq ne in notIn",
    model: ALL,
    operatingSystem: ALL,
    operatingSystemVersion: ALL,
    physicalIds: "contains notContains",
    profileType: "eq ne",
    systemLabels: "contains notContains",
    trustType: "eq ne",
  };
  for (let n = 1; n <= 15; n++) expected[`extensionAttribute${n}`] = ALL;

  it("knows exactly the documented properties", () => {
    expect(DEVICE_FILTER_PROPERTIES.map((property) => property.name).sort()).toEqual(Object.keys(expected).sort());
  });

  it("accepts exactly the documented operators on every property", () => {
    for (const [property, allowedText] of Object.entries(expected)) {
      const allowed = allowedText.split(" ");
      for (const operator of FILTER_OPERATORS) {
        const value = operator === "in" || operator === "notIn" ? '["x"]' : property === "isCompliant" ? "True" : '"x"';
        const result = parseFilterRule(`device.${property} -${operator} ${value}`, {
          subject: "device",
        });
        expect({ property, operator, ok: result.ok }).toEqual({
          property,
          operator,
          ok: allowed.includes(operator),
        });
      }
    }
  });

  it("names the allowed operators when one is not allowed", () => {
    expect(errors('device.deviceOwnership -startsWith "C"')).toEqual([
      {
        message: "Operator -startsWith is not allowed on deviceOwnership (allowed: -eq, -ne) at 23",
        offset: 23,
      },
    ]);
    expect(errors('device.physicalIds -eq "x"')).toEqual([
      {
        message: "Operator -eq is not allowed on physicalIds (allowed: -contains, -notContains) at 19",
        offset: 19,
      },
    ]);
  });
});

describe("parseFilterRule: precedence and grouping (§3.7)", () => {
  it("binds -and tighter than -or: a -or b -and c = a -or (b -and c)", () => {
    expect(parse(`${a} -or ${b} -and ${c}`)).toEqual({
      kind: "or",
      operands: [A, { kind: "and", operands: [B, C] }],
    });
  });

  it("binds -and tighter than -or on the left too: a -and b -or c = (a -and b) -or c", () => {
    expect(parse(`${a} -and ${b} -or ${c}`)).toEqual({
      kind: "or",
      operands: [{ kind: "and", operands: [A, B] }, C],
    });
  });

  it("binds -not tighter than -and: -not a -and b = (-not a) -and b", () => {
    expect(parse(`-not ${a} -and ${b}`)).toEqual({
      kind: "and",
      operands: [{ kind: "not", operand: A }, B],
    });
  });

  it("applies -not to a parenthesized group as a whole", () => {
    expect(parse(`-not (${a} -or ${b})`)).toEqual({
      kind: "not",
      operand: { kind: "or", operands: [A, B] },
    });
  });

  it("lets parentheses override precedence: (a -or b) -and c", () => {
    expect(parse(`(${a} -or ${b}) -and ${c}`)).toEqual({
      kind: "and",
      operands: [{ kind: "or", operands: [A, B] }, C],
    });
  });

  it("flattens chains of the same connective", () => {
    expect(parse(`${a} -or ${b} -or ${c}`)).toEqual({ kind: "or", operands: [A, B, C] });
    expect(parse(`${a} -and ${b} -and ${c}`)).toEqual({ kind: "and", operands: [A, B, C] });
  });

  it("keeps a parenthesized chain as its own node", () => {
    expect(parse(`(${a} -or ${b}) -or ${c}`)).toEqual({
      kind: "or",
      operands: [{ kind: "or", operands: [A, B] }, C],
    });
  });

  it("drops redundant parentheses", () => {
    expect(parse(`((${a}))`)).toEqual(A);
  });

  it("nests -not -not", () => {
    expect(parse(`-not -not ${a}`)).toEqual({
      kind: "not",
      operand: { kind: "not", operand: A },
    });
  });

  it.each(["-AND", "-And", "-OR", "-Or", "-NOT", "-Not"])("accepts the keyword %s", (keyword) => {
    const rule = keyword.toLowerCase() === "-not" ? `${keyword} ${a}` : `${a} ${keyword} ${b}`;
    expect(parseFilterRule(rule, { subject: "device" }).ok).toBe(true);
  });

  it(`rejects nesting deeper than ${FILTER_RULE_MAX_NESTING} levels without overflowing the stack`, () => {
    const ok = `${"(".repeat(FILTER_RULE_MAX_NESTING)}${a}${")".repeat(FILTER_RULE_MAX_NESTING)}`;
    expect(parseFilterRule(ok, { subject: "device" }).ok).toBe(true);
    const deep = `${"(".repeat(1400)}${a}${")".repeat(1400)}`;
    expect(errors(deep)).toEqual([
      {
        message: `Rule is nested too deeply at ${FILTER_RULE_MAX_NESTING} (more than ${FILTER_RULE_MAX_NESTING} levels of parentheses and -not)`,
        offset: FILTER_RULE_MAX_NESTING,
      },
    ]);
  });
});

describe("parseFilterRule: custom security attributes (§1.6)", () => {
  const subject = "customSecurityAttribute";

  it("parses the documented application filter example", () => {
    expect(parse('CustomSecurityAttribute.ConditionalAccessTest_policyRequirement -contains "requireMFA"', subject)).toEqual(
      cmp("ConditionalAccessTest_policyRequirement", "contains", str("requireMFA")),
    );
  });

  it("keeps the attribute name as written and accepts the prefix in any case", () => {
    expect(parse('customsecurityattribute.Engineering_Project -eq "x"', subject)).toEqual(cmp("Engineering_Project", "eq", str("x")));
  });

  it("splits set and attribute at the first underscore, so attributes may contain underscores", () => {
    expect(parse('CustomSecurityAttribute.Set1_attr_name_2 -in ["x"]', subject)).toEqual(
      cmp("Set1_attr_name_2", "in", { kind: "list", values: ["x"] }),
    );
  });

  it("accepts every string operator", () => {
    for (const operator of FILTER_OPERATORS) {
      const value = operator === "in" || operator === "notIn" ? '["x"]' : '"x"';
      expect(parse(`CustomSecurityAttribute.S_a -${operator} ${value}`, subject)).toMatchObject({
        operator,
      });
    }
  });

  it("combines attributes with -or and -and as real policies do", () => {
    const rule =
      'CustomSecurityAttribute.Sec_level -eq "high" -or CustomSecurityAttribute.Sec_tags -contains "pci" -and CustomSecurityAttribute.Sec_env -in ["prod", "dr"]';
    const result = parseFilterRule(rule, { subject });
    expect(result.ok && result.rule.properties).toEqual(["Sec_level", "Sec_tags", "Sec_env"]);
  });

  it.each([
    ["CustomSecurityAttribute.Foo", "Foo"],
    ["CustomSecurityAttribute._Foo", "_Foo"],
    ["CustomSecurityAttribute.Foo_", "Foo_"],
    ["CustomSecurityAttribute.Foo.Bar_x", "Foo.Bar_x"],
  ])("rejects the malformed attribute %s", (property, name) => {
    expect(errors(`${property} -eq "x"`, subject)).toEqual([
      {
        message: `Invalid custom security attribute "${name}" at 24 (expected CustomSecurityAttribute.<AttributeSet>_<AttributeName>)`,
        offset: 24,
      },
    ]);
  });

  it("rejects device properties in an application filter", () => {
    expect(errors('device.trustType -eq "x"', subject)[0]?.message).toBe(
      "Device properties can't be used in this filter at 0 (use CustomSecurityAttribute.<AttributeSet>_<AttributeName>)",
    );
  });

  it("rejects custom security attributes in a device filter", () => {
    expect(errors('CustomSecurityAttribute.A_b -eq "x"')[0]?.message).toBe(
      "Custom security attributes can't be used in a device filter at 0 (use device.<property>)",
    );
  });

  it("rejects a property without the CustomSecurityAttribute prefix", () => {
    expect(errors('Set_attr -eq "x"', subject)).toEqual([
      {
        message: 'Expected a property like CustomSecurityAttribute.<AttributeSet>_<AttributeName> at 0 but found "Set_attr"',
        offset: 0,
      },
    ]);
  });
});

describe("parseFilterRule: errors with offsets", () => {
  it.each<[string, string, number]>([
    ["device.isCompliantt -eq True", 'Unknown device property "isCompliantt" at 7 (did you mean isCompliant?)', 7],
    ['device.fooBar -eq "x"', 'Unknown device property "fooBar" at 7', 7],
    [
      'device.extensionAttribute16 -eq "x"',
      'Unknown device property "extensionAttribute16" at 7 (extension attributes are extensionAttribute1 to extensionAttribute15)',
      7,
    ],
    ['device. -eq "x"', 'Expected a property name after "device." at 7', 7],
    ["isCompliant -eq True", 'Property "isCompliant" must be written device.isCompliant at 0', 0],
    ['user.department -eq "x"', 'Expected a property like device.trustType at 0 but found "user.department"', 0],
    ["device.trustType -eq", "Expected a value after -eq at 20", 20],
    ['device.trustType -eq -and device.model -eq "x"', 'Expected a value after -eq at 21 but found "-and"', 21],
    ['device.trustType "x"', 'Expected an operator after device.trustType at 17 but found "x"', 17],
    ["device.trustType", "Expected an operator after device.trustType at 16", 16],
    ['device.trustType -and "x"', 'Expected an operator after device.trustType at 17 but found "-and"', 17],
    [
      'device.trustType -eqq "x"',
      "Unknown operator -eqq at 17 (supported: -eq, -ne, -startsWith, -notStartsWith, -endsWith, -notEndsWith, -contains, -notContains, -in, -notIn)",
      17,
    ],
    [
      'device.displayName -ge "x"',
      "Unknown operator -ge at 19 (supported: -eq, -ne, -startsWith, -notStartsWith, -endsWith, -notEndsWith, -contains, -notContains, -in, -notIn)",
      19,
    ],
    ['device.model - eq "x"', 'Expected an operator name after "-" at 13', 13],
    [`(${a}`, "Unclosed parenthesis at 0", 0],
    [`(${a} -or (${b})`, "Unclosed parenthesis at 0", 0],
    [`${a})`, 'Unexpected ")" at 26 (no matching "(")', 26],
    [`(${a} ${b})`, 'Expected -and, -or or ")" at 28 but found "device.model"', 28],
    ["()", "Empty parentheses at 0", 0],
    [`${a} ${b}`, 'Expected -and or -or at 27 but found "device.model"', 27],
    [`${a} and ${b}`, 'Expected -and or -or at 27 but found "and"', 27],
    [`${a} -and`, "Expected a condition after -and at 31", 31],
    [`${a} -or -or ${b}`, 'Expected a condition after -or at 31 but found "-or"', 31],
    ["-not", "Expected a condition after -not at 4", 4],
    [`(-and ${a})`, 'Expected a condition after "(" at 1 but found "-and"', 1],
    ['-eq "x"', 'Expected a condition at 0 but found "-eq"', 0],
    ['device.model -eq "abc', "Unterminated string starting at 17", 17],
    ["device.model -eq 'abc\\'", "Unterminated string starting at 17", 17],
    ['device.model -eq "a" # comment', 'Unexpected character "#" at 21', 21],
    ["device.model -eq \u201cx\u201d", 'Unexpected character "\u201c" at 17 (use straight quotes " instead of typographic quotes)', 17],
    ['device.model -in ["a"', "Unclosed list starting at 17", 17],
    ['device.model -in ["a",]', 'Expected a quoted string in the list at 22 but found "]"', 22],
    ['device.model -in ["a" "b"]', 'Expected "," or "]" in the list at 22 but found "b"', 22],
    ["device.model -in [True]", 'Expected a quoted string in the list at 18 but found "True"', 18],
    ["device.model -in []", "The list after -in is empty at 17", 17],
    ['device.model -in "a"', 'Operator -in expects a list like ["a", "b"] at 17', 17],
    ["device.model -notIn null", 'Operator -notIn expects a list like ["a", "b"] at 20', 20],
    ['device.model -eq ["a"]', "Expected a single value after -eq at 17, not a list (use -in)", 17],
    ['device.model -ne ["a"]', "Expected a single value after -ne at 17, not a list (use -notIn)", 17],
    ['device.model -contains ["a"]', "Expected a single value after -contains at 23, not a list", 23],
    ["device.model -contains null", "null can only be compared with -eq or -ne at 23 (found -contains)", 23],
    ['device.isCompliant -eq "yes"', 'isCompliant takes True or False at 23, not "yes"', 23],
    ["device.model -eq Surface", 'Unquoted value "Surface" at 17 (put strings in double quotes)', 17],
    ["", "Rule is empty", 0],
    [" \t\n", "Rule is empty", 0],
  ])("reports %j as %j", (rule, message, offset) => {
    expect(errors(rule)).toEqual([{ message, offset }]);
  });

  it.each(["-match", "-notMatch", "-any", "-all", "-MATCH"])(
    "rejects the dynamic-group operator %s clearly (§3.7 treat as invalid)",
    (operator) => {
      const canonical = { "-match": "-match", "-notmatch": "-notMatch", "-any": "-any", "-all": "-all" }[operator.toLowerCase()];
      expect(errors(`device.displayName ${operator} "x"`)).toEqual([
        {
          message: `Operator ${canonical} is not supported in filter rules at 19 (supported: -eq, -ne, -startsWith, -notStartsWith, -endsWith, -notEndsWith, -contains, -notContains, -in, -notIn)`,
          offset: 19,
        },
      ]);
    },
  );

  it("rejects -any with a lambda body with one clear error", () => {
    const result = errors('device.physicalIds -any (_ -startsWith "[ZTDId]")');
    expect(result).toHaveLength(1);
    expect(result[0]?.message).toMatch(/^Operator -any is not supported in filter rules at 19/);
  });

  it("rejects a rule longer than 3072 characters without parsing it", () => {
    const rule = `device.displayName -eq "${"x".repeat(3100)}"`;
    expect(errors(rule)).toEqual([{ message: `Rule is longer than 3072 characters (it has ${rule.length})`, offset: 3072 }]);
  });

  it("reports every semantic error of a rule, in order", () => {
    expect(errors('device.isCompliantt -eq True -and device.deviceOwnership -contains "C" -or device.model -eq ["a"]')).toEqual([
      { message: 'Unknown device property "isCompliantt" at 7 (did you mean isCompliant?)', offset: 7 },
      {
        message: "Operator -contains is not allowed on deviceOwnership (allowed: -eq, -ne) at 57",
        offset: 57,
      },
      { message: "Expected a single value after -eq at 92, not a list (use -in)", offset: 92 },
    ]);
  });

  it("reports a semantic error and the syntax error that stopped the parse", () => {
    expect(errors(`device.nope -eq "x" -and (${b}`)).toEqual([
      { message: 'Unknown device property "nope" at 7', offset: 7 },
      { message: "Unclosed parenthesis at 25", offset: 25 },
    ]);
  });

  it("reports a word that is not a property only once", () => {
    expect(errors(`True -and ${a}`)).toEqual([{ message: 'Expected a property like device.trustType at 0 but found "True"', offset: 0 }]);
  });

  it("throws TypeError on caller bugs (non-string rule, unknown subject)", () => {
    expect(() => parseFilterRule(42 as unknown as string, { subject: "device" })).toThrow(TypeError);
    expect(() => parseFilterRule(a, { subject: "user" as unknown as FilterSubject })).toThrow(TypeError);
  });
});

describe("parseFilterRule: robustness (property)", () => {
  const tokenSoup = fc
    .array(
      fc.constantFrom(
        "device.model",
        "device.isCompliant",
        "device.physicalIds",
        "device.nope",
        "CustomSecurityAttribute.S_a",
        "-eq",
        "-in",
        "-contains",
        "-and",
        "-or",
        "-not",
        "-match",
        "(",
        ")",
        "[",
        "]",
        ",",
        '"x"',
        "'y'",
        '"',
        "True",
        "null",
        " ",
        "\\",
        "#",
      ),
      { maxLength: 25 },
    )
    .map((parts) => parts.join(" "));

  it("never throws and reports errors with offsets inside the rule", () => {
    fc.assert(
      fc.property(
        fc.oneof(fc.string({ maxLength: 60 }), tokenSoup),
        fc.constantFrom<FilterSubject>("device", "customSecurityAttribute"),
        (rule, subject) => {
          const result = parseFilterRule(rule, { subject });
          if (result.ok) {
            expect(typeof result.rule.evaluate({})).toBe("boolean");
            return;
          }
          expect(result.errors.length).toBeGreaterThan(0);
          for (const error of result.errors) {
            expect(error.message.length).toBeGreaterThan(0);
            expect(error.offset).toBeGreaterThanOrEqual(0);
            expect(error.offset).toBeLessThanOrEqual(rule.length);
          }
        },
      ),
      { numRuns: 2000 },
    );
  });
});
