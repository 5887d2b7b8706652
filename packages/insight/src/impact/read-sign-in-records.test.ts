import { describe, expect, it } from "vitest";
import { detectFormat, isUnparsable, readSignInRecords, type SignInRecord } from "../index.js";

async function all(chunks: Iterable<Uint8Array | string> | AsyncIterable<Uint8Array | string>): Promise<SignInRecord[]> {
  const out: SignInRecord[] = [];
  for await (const r of readSignInRecords(chunks)) out.push(r);
  return out;
}

function* bytes(text: string, size: number, encoding: "utf8" | "utf16le" = "utf8"): Generator<Uint8Array> {
  const data = encoding === "utf8" ? new TextEncoder().encode(text) : new Uint8Array([0xff, 0xfe, ...Buffer.from(text, "utf16le")]);
  for (let i = 0; i < data.length; i += size) yield data.subarray(i, i + size);
}

const records = [
  { id: "a", userId: "u1", note: 'braces } ] { [ and "quotes" \\ in strings', nested: { value: [1, 2, { x: [] }] } },
  { id: "b", userId: "u2", value: "not a collection: value is a string" },
  { id: "c", userId: "u3" },
];

describe("readSignInRecords", () => {
  it("detects NDJSON, JSON and CSV from the first bytes", () => {
    expect(detectFormat('{"id":"a"}\n{"id":"b"}')).toBe("ndjson");
    expect(detectFormat('{\n  "value": [')).toBe("json");
    expect(detectFormat('{"value":[{"id":"a"}]}\n')).toBe("json");
    expect(detectFormat("[{")).toBe("json");
    expect(detectFormat("Date (UTC),Request ID\n")).toBe("csv");
  });

  it("splits a pretty-printed array, byte by byte, with strings full of brackets and escapes", async () => {
    const text = JSON.stringify(records, null, 2);
    for (const size of [1, 3, 64, 100_000]) expect(await all(bytes(text, size))).toEqual(records);
  });

  it("streams the value arrays of concatenated Graph pages, and reads UTF-16 with a BOM", async () => {
    const pages = `${JSON.stringify({ "@odata.context": "x", value: records.slice(0, 2), "@odata.nextLink": "n" })}${JSON.stringify({ value: records.slice(2) })}`;
    expect(await all(bytes(pages, 5))).toEqual(records);
    expect(await all(bytes(JSON.stringify(records), 7, "utf16le"))).toEqual(records);
  });

  it("reads NDJSON line by line (CRLF, blank lines, a Graph page on one line) and reports a bad line without stopping", async () => {
    const text = `${JSON.stringify(records[0])}\r\n\r\n{"id": broken\n${JSON.stringify({ value: records.slice(1) })}\n`;
    const out = await all(bytes(text, 9));
    expect(out).toHaveLength(4);
    expect(isUnparsable(out[1] as SignInRecord)).toBe(true);
    expect(out.filter((r) => !isUnparsable(r))).toEqual(records);
  });

  it("reads the portal's CSV with quoted commas, quotes and newlines", async () => {
    const csv = 'Request ID,User ID,Application\r\nr1,u1,"Contoso, ""HR"" app"\r\nr2,u2,"two\nlines"\r\n';
    expect(await all(bytes(csv, 4))).toEqual([
      { "Request ID": "r1", "User ID": "u1", Application: 'Contoso, "HR" app' },
      { "Request ID": "r2", "User ID": "u2", Application: "two\nlines" },
    ]);
  });

  it("reports a document cut in the middle of a record", async () => {
    const out = await all([JSON.stringify(records).slice(0, 40)]);
    expect(out.some((r) => isUnparsable(r))).toBe(true);
  });
});
