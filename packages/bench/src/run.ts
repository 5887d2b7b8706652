#!/usr/bin/env node
/**
 * Entry point: `node packages/bench/dist/run.js [--json] [--users N] [--seed N] [--iterations N]
 * [--policies N] [--named-locations N] [--ranges N] [--requests N] [--warmup N]`.
 * For exact heap numbers run node with `--expose-gc`; otherwise GC is enabled at run time.
 */
import { type BenchmarkOptions, runBenchmark } from "./run-benchmark.js";

const USAGE = `usage: node packages/bench/dist/run.js [--json] [--users N] [--seed N] [--iterations N]
       [--policies N] [--named-locations N] [--ranges N] [--requests N] [--warmup N]
       [--no-http] [--no-token] [--http-seconds N] [--impact-records N]`;

const NUMERIC: Readonly<Record<string, keyof BenchmarkOptions>> = {
  "--users": "users",
  "--seed": "seed",
  "--iterations": "iterations",
  "--policies": "policies",
  "--named-locations": "namedLocations",
  "--ranges": "rangesPerLocation",
  "--requests": "requests",
  "--warmup": "warmup",
  "--http-seconds": "httpSeconds",
  "--impact-records": "impactRecords",
};

function parseArguments(argv: readonly string[]): BenchmarkOptions {
  const options: BenchmarkOptions = {};
  for (let i = 0; i < argv.length; i++) {
    const raw = argv[i] as string;
    const [flag, inline] = raw.includes("=") ? [raw.slice(0, raw.indexOf("=")), raw.slice(raw.indexOf("=") + 1)] : [raw, undefined];
    if (flag === "--json") options.json = true;
    else if (flag === "--no-http") options.http = false;
    else if (flag === "--no-token") options.token = false;
    else if (flag === "--help" || flag === "-h") {
      process.stdout.write(`${USAGE}\n`);
      process.exit(0);
    } else {
      const key = NUMERIC[flag];
      const value = inline ?? argv[++i];
      if (key === undefined || value === undefined || !/^\d+$/.test(value.replace(/_/g, ""))) {
        throw new TypeError(key === undefined ? `unknown option ${flag}` : `${flag} needs a non-negative integer`);
      }
      (options as Record<string, number>)[key] = Number(value.replace(/_/g, ""));
    }
  }
  return options;
}

let options: BenchmarkOptions;
try {
  options = parseArguments(process.argv.slice(2));
} catch (error) {
  process.stderr.write(`${(error as Error).message}\n${USAGE}\n`);
  process.exit(2);
}
await runBenchmark(options);
