import type { Command } from "commander";
import { CliError, ExitCode } from "../cli-error.js";
import type { CliIo } from "../cli-io.js";
import type { CommandRegistrar } from "../main.js";

const NUMERIC = ["users", "seed", "iterations", "policies", "namedLocations", "ranges", "requests", "warmup"] as const;

function integer(name: string, value: unknown): number | undefined {
  if (value === undefined) return undefined;
  const text = String(value).replace(/_/g, "");
  if (!/^\d+$/.test(text)) throw new CliError(`--${name} needs a non-negative integer, got "${String(value)}"`, ExitCode.usage);
  return Number(text);
}

/**
 * `gatehouse bench`: the engine benchmark of `npm run bench` (synthetic tenant of 100,000
 * users; decision latency p50/p99, throughput, compile time, heap). Loaded on demand.
 */
export const registerBenchCommand: CommandRegistrar = (program: Command, _io: CliIo, setExitCode) => {
  program
    .command("bench")
    .description("measure decision latency on a synthetic tenant (100,000 users, 195 policies, 195 named locations)")
    .option("--json", "print one JSON document: { decision: { p50Us, p99Us, perSecond }, whatIf, compileMs, heapMB, ... }")
    .option("--users <n>", "users in the synthetic tenant")
    .option("--seed <n>", "seed of the synthetic tenant")
    .option("--iterations <n>", "timed decisions per series")
    .option("--policies <n>", "policies in the synthetic tenant")
    .option("--named-locations <n>", "named locations in the synthetic tenant")
    .option("--ranges <n>", "IP ranges per named location")
    .option("--requests <n>", "distinct sign-in requests")
    .option("--warmup <n>", "decisions run before timing")
    .action(async (options: Record<string, unknown>) => {
      const parsed: Record<string, number | boolean | undefined> = { json: options.json === true };
      for (const name of NUMERIC) {
        const value = integer(name, options[name]);
        if (value !== undefined) parsed[name === "ranges" ? "rangesPerLocation" : name] = value;
      }
      const { runBenchmark } = await import("@gatehouse/bench");
      await runBenchmark(parsed);
      setExitCode(ExitCode.ok);
    });
};
