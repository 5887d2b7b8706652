import fc from "fast-check";
import { describe, expect, it } from "vitest";
import { decodeJsonText, findJsonSyntaxError, parseJsonDocument } from "./decode-json-text.js";

const utf8 = (text: string): Uint8Array => new TextEncoder().encode(text);

function utf16(text: string, endian: "le" | "be"): Uint8Array {
  const out = new Uint8Array(text.length * 2);
  for (let i = 0; i < text.length; i++) {
    const unit = text.charCodeAt(i);
    out[endian === "le" ? i * 2 : i * 2 + 1] = unit & 0xff;
    out[endian === "le" ? i * 2 + 1 : i * 2] = unit >> 8;
  }
  return out;
}

const concat = (...parts: Uint8Array[]): Uint8Array => {
  const out = new Uint8Array(parts.reduce((n, p) => n + p.length, 0));
  let offset = 0;
  for (const part of parts) {
    out.set(part, offset);
    offset += part.length;
  }
  return out;
};

const TEXT = '{ "displayName": "Zugriff für Gäste – 🔐", "state": "enabled" }';

const ENCODINGS: readonly [string, (text: string) => Uint8Array][] = [
  ["UTF-8 without BOM", (t) => utf8(t)],
  ["UTF-8 with BOM", (t) => concat(new Uint8Array([0xef, 0xbb, 0xbf]), utf8(t))],
  ["UTF-16 LE with BOM", (t) => concat(new Uint8Array([0xff, 0xfe]), utf16(t, "le"))],
  ["UTF-16 BE with BOM", (t) => concat(new Uint8Array([0xfe, 0xff]), utf16(t, "be"))],
  ["UTF-16 LE without BOM", (t) => utf16(t, "le")],
  ["UTF-16 BE without BOM", (t) => utf16(t, "be")],
];

describe("decodeJsonText", () => {
  it.each(ENCODINGS)("decodes %s, non-ASCII text included, without a leading BOM", (_name, encode) => {
    expect(decodeJsonText(encode(TEXT))).toBe(TEXT);
  });

  it("decodes an empty file and a one-byte file", () => {
    expect(decodeJsonText(new Uint8Array())).toBe("");
    expect(decodeJsonText(utf8("1"))).toBe("1");
  });

  it("replaces invalid UTF-8 with U+FFFD instead of throwing", () => {
    expect(decodeJsonText(new Uint8Array([0x22, 0xc3, 0x22]))).toBe('"\uFFFD"');
  });

  it("round-trips any JSON value through every supported encoding (property)", () => {
    fc.assert(
      fc.property(fc.jsonValue(), fc.integer({ min: 0, max: ENCODINGS.length - 1 }), (value, which) => {
        const text = JSON.stringify(value, null, 2);
        const [, encode] = ENCODINGS[which] ?? ENCODINGS[0]!;
        expect(JSON.parse(decodeJsonText(encode(text)))).toEqual(JSON.parse(text));
      }),
    );
  });

  it("never throws on arbitrary bytes (property)", () => {
    fc.assert(fc.property(fc.uint8Array({ maxLength: 200 }), (bytes) => typeof decodeJsonText(bytes) === "string"));
  });
});

describe("parseJsonDocument", () => {
  it("parses bytes and text, ignoring a BOM character in text", () => {
    expect(parseJsonDocument(utf8('{"a":1}'))).toEqual({ ok: true, value: { a: 1 } });
    expect(parseJsonDocument("\uFEFF[1,2]")).toEqual({ ok: true, value: [1, 2] });
    expect(parseJsonDocument(concat(new Uint8Array([0xff, 0xfe]), utf16('{"b":true}', "le")))).toEqual({ ok: true, value: { b: true } });
  });

  it("reports the line and column of a syntax error instead of throwing", () => {
    const result = parseJsonDocument('{\n  "a": 1,\n  "b": ]\n}');
    expect(result.ok).toBe(false);
    if (!result.ok) expect(result.message).toMatch(/^invalid JSON at line 3, column 8: /);
  });

  it("counts CRLF line ends as one line", () => {
    const result = parseJsonDocument('{\r\n"a": 1,\r\n"b" 2\r\n}');
    expect(result.ok).toBe(false);
    if (!result.ok) expect(result.message).toMatch(/line 3, column 5/);
  });

  it("reports a truncated document at its end and an empty document as empty", () => {
    const truncated = parseJsonDocument('{"a": [1, 2');
    expect(truncated.ok).toBe(false);
    if (!truncated.ok) expect(truncated.message).toMatch(/^invalid JSON at line 1, column 12/);
    expect(parseJsonDocument("  \n ")).toEqual({ ok: false, message: "the document is empty" });
    expect(parseJsonDocument(new Uint8Array())).toEqual({ ok: false, message: "the document is empty" });
  });

  it("never throws on arbitrary text (property)", () => {
    fc.assert(
      fc.property(fc.string({ maxLength: 100 }), (text) => {
        const result = parseJsonDocument(text);
        return result.ok || /^(invalid JSON at line \d+, column \d+: |the document is empty)/.test(result.message);
      }),
    );
  });
});

describe("findJsonSyntaxError", () => {
  const parses = (text: string): boolean => {
    try {
      JSON.parse(text);
      return true;
    } catch {
      return false;
    }
  };

  it("points at the first offending character", () => {
    expect(findJsonSyntaxError('{"a": 1,}')).toBe(8);
    expect(findJsonSyntaxError("[1 2]")).toBe(3);
    expect(findJsonSyntaxError('{"a" 1}')).toBe(5);
    expect(findJsonSyntaxError('"\\x"')).toBe(2);
    expect(findJsonSyntaxError("[01]")).toBe(2);
    expect(findJsonSyntaxError('{"a": tru}')).toBe(6);
    expect(findJsonSyntaxError("{} x")).toBe(3);
    expect(findJsonSyntaxError('{"a": [true, null, -1.5e3, "\\u00e9"]}')).toBe(-1);
  });

  it("agrees with JSON.parse on valid documents and their truncations (property)", () => {
    fc.assert(
      fc.property(fc.jsonValue(), fc.nat(), (value, cut) => {
        const text = JSON.stringify(value, null, 1);
        expect(findJsonSyntaxError(text)).toBe(-1);
        const truncated = text.slice(0, cut % (text.length + 1));
        expect(findJsonSyntaxError(truncated) === -1).toBe(parses(truncated));
      }),
    );
  });

  it("agrees with JSON.parse on arbitrary short texts (property)", () => {
    fc.assert(
      fc.property(fc.string({ unit: fc.constantFrom(...'{}[],:" 0123456789-.eEtruefalsn\\u'), maxLength: 20 }), (text) => {
        expect(findJsonSyntaxError(text) === -1).toBe(parses(text));
      }),
    );
  });
});
