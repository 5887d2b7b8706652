/**
 * Every filter rule found in the real-world policy corpus (/work/shared/corpus, read in place)
 * must parse (R31, §3.7, §1.6). Files may be UTF-8 or UTF-16 LE with or without BOM; keys
 * may be camelCase or PascalCase (`DeviceFilter.Rule`).
 */
import { existsSync, readdirSync, readFileSync } from "node:fs";
import { join } from "node:path";
import { fileURLToPath } from "node:url";
import { describe, expect, it } from "vitest";
import { deviceFilterAttributes } from "./device-filter-attributes.js";
import type { FilterSubject } from "./filter-expression.js";
import { formatFilterRule } from "./format-filter-rule.js";
import { parseFilterRule } from "./parse-filter-rule.js";

const CORPUS = fileURLToPath(new URL("../../../../../shared/corpus/", import.meta.url));

const FILTER_SUBJECTS: Readonly<Record<string, FilterSubject>> = {
  devicefilter: "device",
  applicationfilter: "customSecurityAttribute",
  serviceprincipalfilter: "customSecurityAttribute",
  agentidserviceprincipalfilter: "customSecurityAttribute",
};

interface FoundRule {
  file: string;
  key: string;
  subject: FilterSubject;
  rule: string;
}

function decode(bytes: Buffer): string {
  if (bytes[0] === 0xff && bytes[1] === 0xfe) return new TextDecoder("utf-16le").decode(bytes.subarray(2));
  if (bytes[0] === 0xfe && bytes[1] === 0xff) return new TextDecoder("utf-16be").decode(bytes.subarray(2));
  if (bytes[0] === 0xef && bytes[1] === 0xbb && bytes[2] === 0xbf) return new TextDecoder().decode(bytes.subarray(3));
  if (bytes.length > 1 && bytes[0] !== 0 && bytes[1] === 0) return new TextDecoder("utf-16le").decode(bytes);
  return new TextDecoder().decode(bytes);
}

function* jsonFiles(directory: string): Generator<string> {
  for (const entry of readdirSync(directory, { withFileTypes: true })) {
    const path = join(directory, entry.name);
    if (entry.isDirectory()) yield* jsonFiles(path);
    else if (entry.name.toLowerCase().endsWith(".json")) yield path;
  }
}

function collect(value: unknown, file: string, found: FoundRule[], unreadable: { count: number }): void {
  if (Array.isArray(value)) {
    for (const item of value) collect(item, file, found, unreadable);
    return;
  }
  if (typeof value !== "object" || value === null) return;
  for (const [key, child] of Object.entries(value)) {
    const subject = FILTER_SUBJECTS[key.toLowerCase()];
    if (subject !== undefined && typeof child === "object" && child !== null && !Array.isArray(child)) {
      for (const [childKey, rule] of Object.entries(child)) {
        if (childKey.toLowerCase() !== "rule") continue;
        if (typeof rule === "string") found.push({ file, key, subject, rule });
        else if (rule !== null) unreadable.count++;
      }
    }
    collect(child, file, found, unreadable);
  }
}

function corpusRules(): { rules: FoundRule[]; badFiles: string[]; nonStringRules: number } {
  const rules: FoundRule[] = [];
  const badFiles: string[] = [];
  const unreadable = { count: 0 };
  for (const file of jsonFiles(CORPUS)) {
    let json: unknown;
    try {
      json = JSON.parse(decode(readFileSync(file)));
    } catch {
      badFiles.push(file.slice(CORPUS.length));
      continue;
    }
    collect(json, file.slice(CORPUS.length), rules, unreadable);
  }
  return { rules, badFiles, nonStringRules: unreadable.count };
}

describe.skipIf(!existsSync(CORPUS))("filter rules of the real-world corpus", () => {
  it("parses every deviceFilter / applicationFilter / servicePrincipalFilter rule found", () => {
    const { rules, nonStringRules } = corpusRules();
    expect(nonStringRules).toBe(0);
    expect(rules.length).toBeGreaterThan(0);

    const failures: string[] = [];
    const seen = new Set<string>();
    for (const found of rules) {
      const result = parseFilterRule(found.rule, { subject: found.subject });
      const id = `${found.subject}|${found.rule}`;
      if (result.ok) {
        // A parsed rule evaluates without throwing for an unregistered and a registered device.
        expect(typeof result.rule.evaluate(deviceFilterAttributes(null))).toBe("boolean");
        expect(typeof result.rule.evaluate(deviceFilterAttributes({ trustType: "ServerAD", isCompliant: true }))).toBe("boolean");
        if (!seen.has(id)) {
          seen.add(id);
          console.info(
            `parsed  ${found.key}: ${found.rule}  =>  ${formatFilterRule(result.rule.expression, found.subject)}  (${found.file})`,
          );
        }
      } else {
        for (const error of result.errors) {
          expect(error.message).toMatch(/\S/);
          expect(error.offset).toBeGreaterThanOrEqual(0);
          expect(error.offset).toBeLessThanOrEqual(found.rule.length);
        }
        const messages = result.errors.map((error) => error.message).join("; ");
        console.info(`REJECTED ${found.key}: ${found.rule}  =>  ${messages}  (${found.file})`);
        failures.push(`${found.file}: ${found.rule} => ${messages}`);
      }
    }
    expect(failures).toEqual([]);
  });

  it("reads every JSON file of the corpus, UTF-16 LE and BOM-prefixed ones included", () => {
    expect(corpusRules().badFiles).toEqual([]);
  });

  it("finds rules under PascalCase keys (DeviceFilter.Rule) as well as camelCase ones", () => {
    const { rules } = corpusRules();
    expect(rules.some((found) => found.key === "DeviceFilter")).toBe(true);
    expect(rules.some((found) => found.key === "deviceFilter")).toBe(true);
  });
});
