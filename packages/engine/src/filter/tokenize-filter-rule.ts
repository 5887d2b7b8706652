/**
 * Lexer of the filter rule language (spec §3.7). Internal to the filter folder.
 *
 * Tokens: `(` `)` `[` `]` `,`, quoted strings, dash words (`-eq`, `-and`, `-not`...) and bare
 * words (`device.trustType`, `True`, `null`). Strings use double quotes as in the Entra docs;
 * single quotes are accepted too because Graph's own examples and real exports use them
 * (`device.trustType -ne 'AzureAD'`). Inside a string a backslash escapes the enclosing
 * quote or a backslash; any other backslash is literal (so `"CORP\laptop"` needs no escape).
 */

export type FilterTokenKind = "(" | ")" | "[" | "]" | "," | "string" | "dashWord" | "word" | "end";

export interface FilterToken {
  readonly kind: FilterTokenKind;
  /** The token as written in the rule (for strings: including quotes). */
  readonly text: string;
  /** Unescaped content for strings; lower-cased name without the dash for dash words. */
  readonly value: string;
  /** Character index of the token's first character. */
  readonly offset: number;
}

export type TokenizeFilterRuleResult =
  | { readonly ok: true; readonly tokens: readonly FilterToken[] }
  | { readonly ok: false; readonly message: string; readonly offset: number };

const BACKSLASH = 92;
const DASH = 45;

function isWhitespace(code: number): boolean {
  return (
    code === 32 || // space
    code === 9 || // tab
    code === 10 || // line feed
    code === 13 || // carriage return
    code === 11 ||
    code === 12 ||
    code === 0xa0 || // no-break space (rules pasted from web pages)
    code === 0xfeff // byte order mark
  );
}

function isLetter(code: number): boolean {
  return (code >= 65 && code <= 90) || (code >= 97 && code <= 122);
}

function isWordChar(code: number): boolean {
  return (
    isLetter(code) ||
    (code >= 48 && code <= 57) || // digits
    code === 95 || // _
    code === 46 // .
  );
}

function describeCharacter(char: string): string {
  if (char === "\u201c" || char === "\u201d" || char === "\u2018" || char === "\u2019") {
    return ` (use straight quotes " instead of typographic quotes)`;
  }
  if (char === "\u2013" || char === "\u2014") {
    return ` (use a plain "-" before operators)`;
  }
  return "";
}

export function tokenizeFilterRule(rule: string): TokenizeFilterRuleResult {
  const tokens: FilterToken[] = [];
  const length = rule.length;
  let i = 0;
  while (i < length) {
    const code = rule.charCodeAt(i);
    if (isWhitespace(code)) {
      i++;
      continue;
    }
    const start = i;
    const char = rule[i] as string;
    if (char === "(" || char === ")" || char === "[" || char === "]" || char === ",") {
      tokens.push({ kind: char, text: char, value: char, offset: start });
      i++;
      continue;
    }
    if (char === '"' || char === "'") {
      const quote = code;
      let value = "";
      let segmentStart = i + 1;
      let j = i + 1;
      let closed = false;
      while (j < length) {
        const c = rule.charCodeAt(j);
        if (c === quote) {
          closed = true;
          break;
        }
        if (c === BACKSLASH && j + 1 < length) {
          const next = rule.charCodeAt(j + 1);
          if (next === quote || next === BACKSLASH) {
            value += rule.slice(segmentStart, j);
            segmentStart = j + 1; // keep the escaped character, drop the backslash
            j += 2;
            continue;
          }
        }
        j++;
      }
      if (!closed) {
        return { ok: false, message: `Unterminated string starting at ${start}`, offset: start };
      }
      value += rule.slice(segmentStart, j);
      tokens.push({ kind: "string", text: rule.slice(start, j + 1), value, offset: start });
      i = j + 1;
      continue;
    }
    if (code === DASH) {
      let j = i + 1;
      while (j < length && isLetter(rule.charCodeAt(j))) j++;
      if (j === i + 1) {
        return {
          ok: false,
          message: `Expected an operator name after "-" at ${start}`,
          offset: start,
        };
      }
      const text = rule.slice(start, j);
      tokens.push({ kind: "dashWord", text, value: text.slice(1).toLowerCase(), offset: start });
      i = j;
      continue;
    }
    if (isWordChar(code)) {
      let j = i + 1;
      while (j < length && isWordChar(rule.charCodeAt(j))) j++;
      const text = rule.slice(start, j);
      tokens.push({ kind: "word", text, value: text, offset: start });
      i = j;
      continue;
    }
    const codePoint = rule.codePointAt(i) as number;
    const shown = String.fromCodePoint(codePoint);
    return {
      ok: false,
      message: `Unexpected character "${shown}" at ${start}${describeCharacter(shown)}`,
      offset: start,
    };
  }
  tokens.push({ kind: "end", text: "", value: "", offset: length });
  return { ok: true, tokens };
}
