/**
 * The engine benchmark (`npm run bench`): compile time, heap of the compiled tenant, and
 * single-core latency/throughput of `decide` (the token-issuance hot path) and `whatIf`
 * (every policy with reasons) over a synthetic tenant at Entra's limits.
 *
 * Timing method. `process.hrtime.bigint()` costs tens of nanoseconds, which is not
 * negligible against a decision of a few microseconds, so two series are taken:
 * - per-call samples: one timer pair around each call. Used for p99 / p99.9 (tail events
 *   such as GC pauses are only visible per call). They include the timer overhead, which
 *   is reported separately as `timerOverheadNs`.
 * - batch means: one timer pair around `batchSize` consecutive calls, divided by
 *   `batchSize`. Used for p50 (the overhead is amortised away). Each batch covers
 *   different requests, so this is the median of short-run means.
 * `perSecond` comes from a tight loop without any per-call timing.
 */
import { cpus } from "node:os";
import { setFlagsFromString } from "node:v8";
import { runInNewContext } from "node:vm";
import {
  type CompiledTenant,
  compileTenant,
  type Decision,
  decide,
  type WhatIfRequest,
  type WhatIfResponse,
  whatIf,
} from "@gatehouse/engine";
import { type HttpThroughputResult, measureHttpThroughput } from "./http-throughput.js";
import { formatImpactReplayReport, type ImpactReplayBenchReport, measureImpactReplay } from "./impact-replay.js";
import {
  createSyntheticTenant,
  DEFAULT_SYNTHETIC_TENANT_OPTIONS,
  describeSyntheticTenant,
  type SyntheticTenantShape,
} from "./synthetic-tenant.js";
import { measureTokenThroughput, type TokenThroughputResult } from "./token-throughput.js";

export interface BenchmarkOptions {
  /** Print one JSON document instead of the table. */
  json?: boolean;
  users?: number;
  seed?: number;
  /** Timed `decide` calls per series (default 200,000); `whatIf` uses a tenth, at least 20,000. */
  iterations?: number;
  policies?: number;
  namedLocations?: number;
  rangesPerLocation?: number;
  requests?: number;
  /** Decisions run before timing (default 200,000). */
  warmup?: number;
  /** Don't print anything (the report is still returned). */
  quiet?: boolean;
  /** Run the `evaluate-throughput` HTTP section (default true; skipped with a reason when the server is not built). */
  http?: boolean;
  /** Timed seconds per route of the HTTP section (default 3). */
  httpSeconds?: number;
  /** Run the `token-throughput` section (token endpoint with and without Conditional Access; default true). */
  token?: boolean;
  /** Sign-ins of the impact-replay section (default 1,000,000; 0 skips it). */
  impactRecords?: number;
}

export interface LatencyReport {
  /** Median of batch means, µs (timer overhead amortised over `batchSize` calls). */
  p50Us: number;
  /** 99th percentile of per-call samples, µs (includes one timer pair, see `timerOverheadNs`). */
  p99Us: number;
  /** 99.9th percentile of per-call samples, µs. */
  p999Us: number;
  /** Median of per-call samples, µs (for comparison with `p50Us`; includes the timer overhead). */
  perCallP50Us: number;
  /** 99th percentile of batch means, µs. */
  batchP99Us: number;
  /** Mean over the throughput loop, µs. */
  meanUs: number;
  /** Calls per second on one core, tight loop without per-call timing. */
  perSecond: number;
  perCallSamples: number;
  batches: number;
  batchSize: number;
  throughputCalls: number;
  throughputMs: number;
}

export interface BenchmarkReport {
  decision: LatencyReport;
  whatIf: LatencyReport;
  /** `compileTenant` wall time, median of 3 runs. */
  compileMs: number;
  compileRunsMs: number[];
  /** Heap retained by the compiled tenant (heapUsed after compile minus before, both after a full GC). */
  heapMB: number;
  /** Total heapUsed with the tenant snapshot, requests and compiled tenant alive (after GC). */
  heapUsedMB: number;
  /** Heap of the generated snapshot and requests (after GC). */
  snapshotHeapMB: number;
  rssMB: number;
  /** Time to build the synthetic tenant (not part of compile). */
  generateMs: number;
  tenant: SyntheticTenantShape & { compileIssues: number };
  /** Decisions of `decide` over every request once. */
  outcomes: { grant: number; challenge: number; block: number };
  /** Why blocked decisions block (a decision may carry several reasons). */
  blockReasonCodes: Record<string, number>;
  /** Controls prompted in challenge decisions. */
  requiredControls: Record<string, number>;
  /** Per-policy results of `whatIf` over every request (sign-in-log vocabulary, R42). */
  policyResults: Record<string, number>;
  /** Average policies (enabled or report-only) that apply to a request. */
  applyingPoliciesPerRequest: number;
  /** Requests where `decide` and `whatIf` disagree (must be 0). */
  decideWhatIfMismatches: number;
  timerOverheadNs: number;
  gc: "exposed" | "runtime" | "unavailable";
  options: {
    users: number;
    seed: number;
    iterations: number;
    whatIfIterations: number;
    warmup: number;
    policies: number;
    namedLocations: number;
    rangesPerLocation: number;
    requests: number;
  };
  /** `evaluate-throughput`: POST /evaluate vs a trivial Fastify route on loopback; null when not run. */
  http: HttpThroughputResult | null;
  /** `token-throughput`: the token endpoint with Conditional Access vs the same flow with it off; null when not run. */
  token: TokenThroughputResult | null;
  /** Impact replay of an NDJSON sign-in log vs parse-only (null when skipped). */
  impact: ImpactReplayBenchReport | null;
  node: string;
  platform: string;
  cpu: string;
}

const MB = 1024 * 1024;
const round = (value: number, digits: number): number => {
  const f = 10 ** digits;
  return Math.round(value * f) / f;
};

function obtainGc(): { gc: () => void; kind: BenchmarkReport["gc"] } {
  const exposed = (globalThis as { gc?: unknown }).gc;
  if (typeof exposed === "function") return { gc: exposed as () => void, kind: "exposed" };
  try {
    setFlagsFromString("--expose-gc");
    const gc: unknown = runInNewContext("gc");
    if (typeof gc === "function") return { gc: gc as () => void, kind: "runtime" };
  } catch {
    // fall through
  }
  return { gc: () => {}, kind: "unavailable" };
}

/** Nearest-rank percentile of an ascending-sorted array. */
function percentile(sorted: Float64Array, p: number): number {
  if (sorted.length === 0) return Number.NaN;
  const rank = Math.min(sorted.length, Math.max(1, Math.ceil(p * sorted.length)));
  return sorted[rank - 1] as number;
}

function median(values: readonly number[]): number {
  const sorted = [...values].sort((a, b) => a - b);
  return sorted[Math.floor(sorted.length / 2)] as number;
}

const yieldToEventLoop = (): Promise<void> => new Promise((resolve) => setImmediate(resolve));

/** Median cost of one `hrtime.bigint()` pair, ns. */
function measureTimerOverhead(): number {
  const n = 200_000;
  const samples = new Float64Array(n);
  for (let i = 0; i < n; i++) {
    const t0 = process.hrtime.bigint();
    const t1 = process.hrtime.bigint();
    samples[i] = Number(t1 - t0);
  }
  samples.sort();
  return percentile(samples, 0.5);
}

type Call = (request: WhatIfRequest) => number;

/**
 * Per-call samples, batch means and a tight throughput loop for one function. `call`
 * returns a number folded into a checksum so no call can be optimised away.
 */
function measure(
  call: Call,
  requests: readonly WhatIfRequest[],
  iterations: number,
  batchSize: number,
  throughputMs: number,
): LatencyReport & { checksum: number } {
  const n = requests.length;
  let checksum = 0;

  const perCall = new Float64Array(iterations);
  for (let i = 0; i < iterations; i++) {
    const request = requests[i % n] as WhatIfRequest;
    const t0 = process.hrtime.bigint();
    checksum = (checksum + call(request)) | 0;
    const t1 = process.hrtime.bigint();
    perCall[i] = Number(t1 - t0);
  }

  const batches = Math.max(1, Math.floor(iterations / batchSize));
  const batchMeans = new Float64Array(batches);
  let cursor = 0;
  for (let b = 0; b < batches; b++) {
    const t0 = process.hrtime.bigint();
    for (let j = 0; j < batchSize; j++) {
      checksum = (checksum + call(requests[cursor] as WhatIfRequest)) | 0;
      cursor = cursor + 1 === n ? 0 : cursor + 1;
    }
    const t1 = process.hrtime.bigint();
    batchMeans[b] = Number(t1 - t0) / batchSize;
  }

  // Check the clock about every 0.2 ms so slow calls don't overshoot the budget.
  const chunk = Math.max(1, Math.min(1000, Math.round(200_000 / Math.max(1, percentile(Float64Array.from(batchMeans).sort(), 0.5)))));
  let calls = 0;
  cursor = 0;
  const budget = BigInt(Math.round(throughputMs * 1e6));
  const start = process.hrtime.bigint();
  let elapsed = 0n;
  while (elapsed < budget) {
    for (let j = 0; j < chunk; j++) {
      checksum = (checksum + call(requests[cursor] as WhatIfRequest)) | 0;
      cursor = cursor + 1 === n ? 0 : cursor + 1;
    }
    calls += chunk;
    elapsed = process.hrtime.bigint() - start;
  }
  const seconds = Number(elapsed) / 1e9;

  perCall.sort();
  batchMeans.sort();
  return {
    p50Us: round(percentile(batchMeans, 0.5) / 1000, 3),
    p99Us: round(percentile(perCall, 0.99) / 1000, 3),
    p999Us: round(percentile(perCall, 0.999) / 1000, 3),
    perCallP50Us: round(percentile(perCall, 0.5) / 1000, 3),
    batchP99Us: round(percentile(batchMeans, 0.99) / 1000, 3),
    meanUs: round((seconds * 1e6) / calls, 3),
    perSecond: Math.round(calls / seconds),
    perCallSamples: iterations,
    batches,
    batchSize,
    throughputCalls: calls,
    throughputMs: round(seconds * 1000, 1),
    checksum,
  };
}

const OUTCOME_CODE: Readonly<Record<string, number>> = { grant: 1, challenge: 2, block: 3 };
const decisionCode = (d: Decision): number => OUTCOME_CODE[d.outcome] ?? 0;
const whatIfCode = (w: WhatIfResponse): number => w.value.length * 4 + decisionCode(w.decision);

export async function runBenchmark(options: BenchmarkOptions = {}): Promise<BenchmarkReport> {
  const defaults = DEFAULT_SYNTHETIC_TENANT_OPTIONS;
  const settings = {
    users: options.users ?? defaults.users,
    seed: options.seed ?? defaults.seed,
    iterations: Math.max(1000, options.iterations ?? 200_000),
    whatIfIterations: 0,
    warmup: Math.max(0, options.warmup ?? 200_000),
    policies: options.policies ?? defaults.policies,
    namedLocations: options.namedLocations ?? defaults.namedLocations,
    rangesPerLocation: options.rangesPerLocation ?? defaults.rangesPerLocation,
    requests: options.requests ?? defaults.requests,
  };
  settings.whatIfIterations = Math.max(Math.min(20_000, settings.iterations), Math.round(settings.iterations / 10));
  const progress = (message: string): void => {
    if (!options.quiet && !options.json) process.stderr.write(`  ${message}\n`);
  };
  const { gc, kind: gcKind } = obtainGc();

  // 1. Synthetic tenant (timed on its own; not part of compile).
  progress(
    `generating tenant: ${settings.users.toLocaleString("en-US")} users, ${settings.policies} policies, ${settings.namedLocations} named locations`,
  );
  gc();
  const heapEmpty = process.memoryUsage().heapUsed;
  const generateStart = performance.now();
  const synthetic = createSyntheticTenant({
    users: settings.users,
    policies: settings.policies,
    namedLocations: settings.namedLocations,
    rangesPerLocation: settings.rangesPerLocation,
    seed: settings.seed,
    requests: settings.requests,
  });
  const generateMs = performance.now() - generateStart;
  const shape = describeSyntheticTenant(synthetic);
  const { tenant, requests } = synthetic;
  gc();
  const heapSnapshot = process.memoryUsage().heapUsed;
  await yieldToEventLoop();

  // 2. Compile: median of 3 timed runs, then one more between two full GCs for the heap.
  progress("compiling (3 runs)");
  const compileRunsMs: number[] = [];
  for (let run = 0; run < 3; run++) {
    gc();
    const t0 = performance.now();
    const result = compileTenant(tenant);
    compileRunsMs.push(performance.now() - t0);
    if (result.policies.length !== tenant.policies.length) throw new Error("compileTenant lost policies");
  }
  gc();
  const heapBefore = process.memoryUsage().heapUsed;
  const compiled: CompiledTenant = compileTenant(tenant);
  gc();
  const heapAfter = process.memoryUsage().heapUsed;
  const rss = process.memoryUsage().rss;
  await yieldToEventLoop();

  // 3. The work is real: outcome histogram, block reasons, per-policy results, and decide == whatIf.
  progress(`checking ${requests.length.toLocaleString("en-US")} requests`);
  const outcomes = { grant: 0, challenge: 0, block: 0 };
  const blockReasonCodes: Record<string, number> = {};
  const requiredControls: Record<string, number> = {};
  const policyResults: Record<string, number> = {};
  let applying = 0;
  let mismatches = 0;
  for (const request of requests) {
    const decision = decide(compiled, request);
    outcomes[decision.outcome]++;
    if (decision.outcome === "block")
      for (const reason of decision.blockReasons ?? []) blockReasonCodes[reason.code] = (blockReasonCodes[reason.code] ?? 0) + 1;
    if (decision.outcome === "challenge")
      for (const control of decision.requiredControls) requiredControls[control.control] = (requiredControls[control.control] ?? 0) + 1;
    const answer = whatIf(compiled, request);
    if (answer.decision.outcome !== decision.outcome) mismatches++;
    for (const entry of answer.value) {
      policyResults[entry.result] = (policyResults[entry.result] ?? 0) + 1;
      if (entry.policyApplies) applying++;
    }
  }
  await yieldToEventLoop();

  // 4. Warm-up, then the timed series.
  progress(`warming up (${settings.warmup.toLocaleString("en-US")} decisions)`);
  let sink = 0;
  for (let i = 0; i < settings.warmup; i++)
    sink = (sink + decisionCode(decide(compiled, requests[i % requests.length] as WhatIfRequest))) | 0;
  for (let i = 0; i < Math.max(1, Math.round(settings.warmup / 40)); i++)
    sink = (sink + whatIfCode(whatIf(compiled, requests[i % requests.length] as WhatIfRequest))) | 0;
  const timerOverheadNs = measureTimerOverhead();
  await yieldToEventLoop();

  progress(`timing decide (${settings.iterations.toLocaleString("en-US")} per-call samples, batches of 64, 2 s loop)`);
  const decision = measure((r) => decisionCode(decide(compiled, r)), requests, settings.iterations, 64, 2000);
  await yieldToEventLoop();
  progress(`timing whatIf (${settings.whatIfIterations.toLocaleString("en-US")} per-call samples, batches of 16, 2 s loop)`);
  const whatIfReport = measure((r) => whatIfCode(whatIf(compiled, r)), requests, settings.whatIfIterations, 16, 2000);
  sink = (sink + decision.checksum + whatIfReport.checksum) | 0;
  if (sink === 0x7fffffff) progress("checksum collision (harmless)");

  let http: HttpThroughputResult | null = null;
  if (options.http !== false) {
    await yieldToEventLoop();
    http = await measureHttpThroughput({ ...(options.httpSeconds === undefined ? {} : { seconds: options.httpSeconds }) }, progress);
    if ("skipped" in http) progress(`http: skipped (${http.skipped})`);
  }

  let token: TokenThroughputResult | null = null;
  if (options.token !== false) {
    await yieldToEventLoop();
    token = await measureTokenThroughput({}, progress);
    if ("skipped" in token) progress(`token: skipped (${token.skipped})`);
  }

  let impact: ImpactReplayBenchReport | null = null;
  if ((options.impactRecords ?? 1_000_000) > 0) {
    await yieldToEventLoop();
    impact = await measureImpactReplay(tenant, requests, { records: options.impactRecords ?? 1_000_000, progress });
  }

  const { checksum: _d, ...decisionLatency } = decision;
  const { checksum: _w, ...whatIfLatency } = whatIfReport;
  const report: BenchmarkReport = {
    decision: decisionLatency,
    whatIf: whatIfLatency,
    compileMs: round(median(compileRunsMs), 1),
    compileRunsMs: compileRunsMs.map((ms) => round(ms, 1)),
    heapMB: round((heapAfter - heapBefore) / MB, 1),
    heapUsedMB: round(heapAfter / MB, 1),
    snapshotHeapMB: round((heapSnapshot - heapEmpty) / MB, 1),
    rssMB: round(rss / MB, 1),
    generateMs: round(generateMs, 1),
    tenant: { ...shape, compileIssues: compiled.issues.length },
    outcomes,
    blockReasonCodes,
    requiredControls,
    policyResults,
    applyingPoliciesPerRequest: round(applying / Math.max(1, requests.length), 2),
    decideWhatIfMismatches: mismatches,
    timerOverheadNs,
    gc: gcKind,
    http,
    token,
    impact,
    options: settings,
    node: process.version,
    platform: `${process.platform}-${process.arch}`,
    cpu: cpus()[0]?.model.trim() ?? "unknown",
  };

  if (!options.quiet) {
    if (options.json) process.stdout.write(`${JSON.stringify(report, null, 2)}\n`);
    else process.stdout.write(`${formatBenchmarkReport(report)}\n`);
  }
  return report;
}

const int = (n: number): string => Math.round(n).toLocaleString("en-US");
const fixed = (n: number, digits = 2): string => n.toFixed(digits);

function table(rows: readonly (readonly string[])[]): string {
  const widths: number[] = [];
  for (const row of rows) {
    row.forEach((cell, i) => {
      widths[i] = Math.max(widths[i] ?? 0, cell.length);
    });
  }
  return rows
    .map((row) => row.map((cell, i) => (i === 0 ? cell.padEnd(widths[i] ?? 0) : cell.padStart(widths[i] ?? 0))).join("   "))
    .join("\n");
}

/** The human-readable report: a small aligned table plus the tenant's shape. */
export function formatBenchmarkReport(report: BenchmarkReport): string {
  const d = report.decision;
  const w = report.whatIf;
  const t = report.tenant;
  const o = report.outcomes;
  const total = Math.max(1, o.grant + o.challenge + o.block);
  const pct = (n: number): string => `${((100 * n) / total).toFixed(1)}%`;
  const states = t.policiesByState;
  return [
    `Gatehouse engine benchmark — node ${report.node}, ${report.platform}, ${report.cpu}`,
    "",
    table([
      ["", "decide", "whatIf"],
      ["p50 µs (median of batch means)", fixed(d.p50Us), fixed(w.p50Us)],
      ["p99 µs (per-call samples)", fixed(d.p99Us), fixed(w.p99Us)],
      ["p99.9 µs (per-call samples)", fixed(d.p999Us), fixed(w.p999Us)],
      ["p50 µs (per-call samples)", fixed(d.perCallP50Us), fixed(w.perCallP50Us)],
      ["mean µs (throughput loop)", fixed(d.meanUs), fixed(w.meanUs)],
      ["calls / second (1 core)", int(d.perSecond), int(w.perSecond)],
      [
        "samples (per call / batches × size)",
        `${int(d.perCallSamples)} / ${int(d.batches)}×${d.batchSize}`,
        `${int(w.perCallSamples)} / ${int(w.batches)}×${w.batchSize}`,
      ],
    ]),
    "",
    table([
      ["compileTenant ms (median of 3)", `${fixed(report.compileMs, 1)}  [${report.compileRunsMs.map((ms) => fixed(ms, 0)).join(", ")}]`],
      ["heap of compiled tenant MB", fixed(report.heapMB, 1)],
      [
        "heap used total MB",
        `${fixed(report.heapUsedMB, 1)}  (snapshot + requests ${fixed(report.snapshotHeapMB, 1)}, rss ${fixed(report.rssMB, 1)})`,
      ],
      ["tenant generation ms", fixed(report.generateMs, 1)],
      ["timer overhead ns (hrtime pair)", int(report.timerOverheadNs)],
      ["gc", report.gc],
    ]),
    "",
    table([
      ["users", `${int(t.users)} (${int(t.guests)} guests)`],
      ["groups", `${int(t.groups)} (nesting depth ${t.maxGroupDepth})`],
      ["role assignments / service principals", `${int(t.roleAssignments)} / ${int(t.servicePrincipals)}`],
      [
        "policies",
        `${t.policies} (${states.enabled ?? 0} enabled, ${states.enabledForReportingButNotEnforced ?? 0} report-only, ${states.disabled ?? 0} disabled)`,
      ],
      ["named locations", `${t.namedLocations} (${t.ipLocations} IP, ${t.trustedLocations} trusted, ${t.countryLocations} country)`],
      ["IP ranges", `${int(t.ranges)} (${int(t.ipv4Ranges)} IPv4, ${int(t.ipv6Ranges)} IPv6)`],
      ["requests", int(t.requests)],
      ["compile issues", int(t.compileIssues)],
    ]),
    "",
    table([
      [
        "outcomes",
        `grant ${int(o.grant)} (${pct(o.grant)})  challenge ${int(o.challenge)} (${pct(o.challenge)})  block ${int(o.block)} (${pct(o.block)})`,
      ],
      ["applying policies per request", fixed(report.applyingPoliciesPerRequest)],
      ["decide / whatIf mismatches", int(report.decideWhatIfMismatches)],
    ]),
    "",
    formatHttpSection(report.http),
    "",
    formatTokenSection(report.token),
    "",
    report.impact === null ? "impact replay: not run (--impact-records 0)" : formatImpactReplayReport(report.impact),
  ].join("\n");
}

function formatTokenSection(token: TokenThroughputResult | null): string {
  if (token === null) return "token-throughput (OIDC): not run (--no-token)";
  if ("skipped" in token) return `token-throughput (OIDC): skipped: ${token.skipped}`;
  const row = (name: string, flow: { withConditionalAccess: number; baseline: number; ratio: number }) => [
    name,
    int(flow.withConditionalAccess),
    int(flow.baseline),
    `${fixed(flow.ratio)} (CA costs ${fixed((1 - flow.ratio) * 100, 1)}%)`,
  ];
  const errors = token.refreshToken.errors + token.clientCredentialsPrivateKeyJwt.errors + token.clientCredentialsSecret.errors;
  return [
    table([
      ["token-throughput (POST /oauth2/token, loopback)", "tokens/s with CA", "tokens/s CA off", "ratio (aim >= 0.90)"],
      row("refresh_token (CLI, device code session)", token.refreshToken),
      row("client_credentials (private_key_jwt)", token.clientCredentialsPrivateKeyJwt),
      row("client_credentials (client secret, argon2id)", token.clientCredentialsSecret),
    ]),
    `client: node:http keep-alive in a worker, ${token.concurrency} in flight, ${token.rounds} x ${token.seconds} s per flow and mode, ${errors} errors; ` +
      `${int(token.signInRecords)} sign-in records written; CA off is a benchmark-only baseline; demo tenant on SQLite ` +
      `(${token.tenant.users} users, ${token.tenant.policies} policies)`,
  ].join("\n");
}

function formatHttpSection(http: HttpThroughputResult | null): string {
  if (http === null) return "evaluate-throughput (HTTP): not run";
  if ("skipped" in http) return `evaluate-throughput (HTTP): skipped: ${http.skipped}`;
  return [
    table([
      ["evaluate-throughput (HTTP, loopback)", "requests / second"],
      ["POST /v1.0/identity/conditionalAccess/evaluate", int(http.evaluatePerSecond)],
      ["GET /bench/trivial (bare Fastify route)", int(http.trivialPerSecond)],
      ["ratio (goal >= 0.70)", fixed(http.ratio)],
    ]),
    `client: fetch with keep-alive, ${http.concurrency} in flight, ${http.seconds} s per route, ${http.errors} errors; ` +
      `demo tenant on SQLite (${http.tenant.users} users, ${http.tenant.policies} policies)`,
  ].join("\n");
}
