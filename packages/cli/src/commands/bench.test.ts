import { describe, expect, it } from "vitest";
import { createBufferedIo } from "../cli-io.js";
import { runCli } from "../main.js";
import { registerBenchCommand } from "./bench.js";

describe("gatehouse bench", () => {
  it("is listed by --help", async () => {
    const io = createBufferedIo();
    expect(await runCli(["--help"], io, [registerBenchCommand])).toBe(0);
    expect(io.stdoutText()).toMatch(/\bbench\b.*synthetic tenant/);
  });

  it("rejects a non-numeric size with one line and exit 2", async () => {
    const io = createBufferedIo();
    expect(await runCli(["bench", "--users", "many"], io, [registerBenchCommand])).toBe(2);
    expect(io.stderrText()).toBe('gatehouse: --users needs a non-negative integer, got "many"\n');
  });
});
