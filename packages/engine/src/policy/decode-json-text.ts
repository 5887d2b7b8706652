/**
 * Bytes of a JSON file "as real users have it" -> text -> value.
 *
 * Real exports come as UTF-8 with or without a BOM, UTF-16 LE with a BOM (Windows PowerShell
 * `Out-File`, IntuneManagement), UTF-16 BE with a BOM, and occasionally BOM-less UTF-16 LE.
 * A JSON document starts with ASCII (`{`, `[`, whitespace), so BOM-less UTF-16 shows as NUL
 * bytes at every other position. Decoding uses the standard `TextDecoder` (no Node APIs);
 * invalid sequences become U+FFFD instead of throwing.
 */

interface TextDecoderLike {
  decode(input: Uint8Array): string;
}
type TextDecoderConstructor = new (label?: string, options?: { fatal?: boolean; ignoreBOM?: boolean }) => TextDecoderLike;

/** The runtime's `TextDecoder` (ES lib typings do not declare it; every JS runtime has it). */
const Decoder = (globalThis as unknown as { TextDecoder: TextDecoderConstructor }).TextDecoder;

const utf8 = new Decoder("utf-8", { ignoreBOM: true });
const utf16le = new Decoder("utf-16le", { ignoreBOM: true });

/** How many leading bytes are inspected for the NUL pattern of BOM-less UTF-16. */
const SNIFF_BYTES = 64;

type Encoding = "utf-8" | "utf-16le" | "utf-16be";

function sniff(bytes: Uint8Array): { encoding: Encoding; skip: number } {
  if (bytes[0] === 0xef && bytes[1] === 0xbb && bytes[2] === 0xbf) return { encoding: "utf-8", skip: 3 };
  if (bytes[0] === 0xff && bytes[1] === 0xfe) return { encoding: "utf-16le", skip: 2 };
  if (bytes[0] === 0xfe && bytes[1] === 0xff) return { encoding: "utf-16be", skip: 2 };
  const pairs = Math.min(bytes.length, SNIFF_BYTES) >> 1;
  let evenNuls = 0;
  let oddNuls = 0;
  for (let i = 0; i < pairs * 2; i += 2) {
    if (bytes[i] === 0) evenNuls++;
    if (bytes[i + 1] === 0) oddNuls++;
  }
  if (pairs > 0 && evenNuls === 0 && oddNuls * 2 >= pairs) return { encoding: "utf-16le", skip: 0 };
  if (pairs > 0 && oddNuls === 0 && evenNuls * 2 >= pairs) return { encoding: "utf-16be", skip: 0 };
  return { encoding: "utf-8", skip: 0 };
}

function swapBytes(bytes: Uint8Array): Uint8Array {
  const out = new Uint8Array(bytes.length - (bytes.length % 2));
  for (let i = 0; i + 1 < bytes.length; i += 2) {
    out[i] = bytes[i + 1] ?? 0;
    out[i + 1] = bytes[i] ?? 0;
  }
  return out;
}

/** Decodes JSON file bytes (UTF-8 ± BOM, UTF-16 LE/BE with BOM, BOM-less UTF-16 LE/BE). */
export function decodeJsonText(bytes: Uint8Array): string {
  const { encoding, skip } = sniff(bytes);
  const body = bytes.subarray(skip);
  let text: string;
  if (encoding === "utf-8") text = utf8.decode(body);
  else if (encoding === "utf-16le") text = utf16le.decode(body);
  else text = utf16le.decode(swapBytes(body));
  return text.charCodeAt(0) === 0xfeff ? text.slice(1) : text;
}

export type ParseJsonDocumentResult = { ok: true; value: unknown } | { ok: false; message: string };

/** 1-based line and column of a character offset (CRLF, LF and CR all end a line). */
function lineAndColumn(text: string, offset: number): { line: number; column: number } {
  let line = 1;
  let lineStart = 0;
  const end = Math.min(Math.max(offset, 0), text.length);
  for (let i = 0; i < end; i++) {
    const ch = text.charCodeAt(i);
    if (ch === 0x0a || (ch === 0x0d && text.charCodeAt(i + 1) !== 0x0a)) {
      line++;
      lineStart = i + 1;
    }
  }
  return { line, column: end - lineStart + 1 };
}

const WHITESPACE = new Set([0x20, 0x09, 0x0a, 0x0d]);
const NUMBER = /-?(?:0|[1-9]\d*)(?:\.\d+)?(?:[eE][+-]?\d+)?/y;
const ESCAPES = new Set(['"', "\\", "/", "b", "f", "n", "r", "t"]);

/** End of the string literal starting at `start` (a `"`), or `-(error offset) - 1`. */
function scanString(text: string, start: number): number {
  let i = start + 1;
  while (i < text.length) {
    const ch = text.charAt(i);
    if (ch === '"') return i + 1;
    if (ch === "\\") {
      const next = text.charAt(i + 1);
      if (next === "u") {
        if (!/^[0-9a-fA-F]{4}$/.test(text.slice(i + 2, i + 6))) return -(i + 1) - 1;
        i += 6;
      } else if (ESCAPES.has(next)) i += 2;
      else return -(i + 1) - 1;
    } else if (text.charCodeAt(i) < 0x20) return -i - 1;
    else i++;
  }
  return -text.length - 1;
}

/**
 * Offset of the first JSON syntax error in `text` (where `JSON.parse` gives up), found by a
 * small iterative scanner so that any runtime's error message is enough. -1 if none.
 */
export function findJsonSyntaxError(text: string): number {
  type Expect = "value" | "valueOrEnd" | "key" | "keyOrEnd" | "colon" | "commaOrEnd" | "done";
  const stack: string[] = [];
  let expect: Expect = "value";
  let pos = 0;
  const afterValue = (): Expect => (stack.length > 0 ? "commaOrEnd" : "done");
  for (;;) {
    while (pos < text.length && WHITESPACE.has(text.charCodeAt(pos))) pos++;
    if (pos >= text.length) return expect === "done" ? -1 : pos;
    const c = text.charAt(pos);
    const top = stack[stack.length - 1];
    if (expect === "done") return pos;
    if (expect === "colon") {
      if (c !== ":") return pos;
      pos++;
      expect = "value";
    } else if (expect === "commaOrEnd") {
      if (c === ",") {
        pos++;
        expect = top === "{" ? "key" : "value";
      } else if ((c === "}" && top === "{") || (c === "]" && top === "[")) {
        stack.pop();
        pos++;
        expect = afterValue();
      } else return pos;
    } else if (expect === "key" || expect === "keyOrEnd") {
      if (c === "}" && expect === "keyOrEnd") {
        stack.pop();
        pos++;
        expect = afterValue();
      } else if (c === '"') {
        const end = scanString(text, pos);
        if (end < 0) return -end - 1;
        pos = end;
        expect = "colon";
      } else return pos;
    } else if (c === "]" && expect === "valueOrEnd") {
      stack.pop();
      pos++;
      expect = afterValue();
    } else if (c === "{" || c === "[") {
      stack.push(c);
      pos++;
      expect = c === "{" ? "keyOrEnd" : "valueOrEnd";
    } else if (c === '"') {
      const end = scanString(text, pos);
      if (end < 0) return -end - 1;
      pos = end;
      expect = afterValue();
    } else {
      const literal = ["true", "false", "null"].find((word) => text.startsWith(word, pos));
      NUMBER.lastIndex = pos;
      const number = literal === undefined ? NUMBER.exec(text) : null;
      if (literal !== undefined) pos += literal.length;
      else if (number !== null) pos = NUMBER.lastIndex;
      else return pos;
      expect = afterValue();
    }
  }
}

/** Parses a JSON document from bytes or text. Never throws; errors carry line and column. */
export function parseJsonDocument(input: Uint8Array | string): ParseJsonDocumentResult {
  const text = typeof input === "string" ? (input.charCodeAt(0) === 0xfeff ? input.slice(1) : input) : decodeJsonText(input);
  if (text.trim() === "") return { ok: false, message: "the document is empty" };
  try {
    return { ok: true, value: JSON.parse(text) as unknown };
  } catch (cause) {
    const detail = cause instanceof Error ? cause.message : String(cause);
    const found = findJsonSyntaxError(text);
    const { line, column } = lineAndColumn(text, found < 0 ? text.length : found);
    return { ok: false, message: `invalid JSON at line ${line}, column ${column}: ${detail}` };
  }
}
