/**
 * The impact-replay section of `npm run bench`: an NDJSON sign-in log of N records (default
 * one million) is generated to a temporary file from the synthetic tenant's requests, as
 * Graph `signIn` records (the fields an Entra export carries, without the per-policy
 * array), then read twice in the same run:
 *
 * 1. parse only: `readSignInRecords` (line split + `JSON.parse`), counting records;
 * 2. impact replay: the same reader feeding `ImpactReplay` (current set vs a proposal that
 *    switches report-only policies on and adds a policy).
 *
 * Reported: records/s on one core for both, their ratio (aim >= 0.8), and memory sampled every
 * 100,000 records (RSS and heap; flat means the peak does not grow with the record count).
 */
import { createReadStream, createWriteStream } from "node:fs";
import { mkdtemp, rm, stat } from "node:fs/promises";
import { tmpdir } from "node:os";
import { join } from "node:path";
import type { ConditionalAccessPolicy, TenantSnapshot, WhatIfRequest } from "@gatehouse/engine";
import { applyProposal, blockAllPolicy, ImpactReplay, readSignInRecordBatches } from "@gatehouse/insight";

export interface ImpactReplayBenchOptions {
  records: number;
  /** Alternating parse-only / replay rounds; the best of each is reported (default 2). */
  rounds?: number;
  /** Report-only policies switched on by the proposal (default 1). */
  switchOn?: number;
  progress?: (message: string) => void;
}

export interface MemorySample {
  records: number;
  rssMB: number;
  heapUsedMB: number;
}

export interface ImpactReplayBenchReport {
  records: number;
  fileMB: number;
  generateMs: number;
  parseOnly: { ms: number; perSecond: number; peakRssMB: number; peakHeapMB: number; runsMs: number[] };
  replay: { ms: number; perSecond: number; peakRssMB: number; peakHeapMB: number; compileMs: number; runsMs: number[] };
  /** replay.perSecond / parseOnly.perSecond (aim >= 0.8). */
  ratio: number;
  /** Heap growth between the first and the last sample of the replay, MB (flat ≈ 0). */
  heapGrowthMB: number;
  samples: MemorySample[];
  proposal: { switchedOn: string[]; added: string };
  /** Sign-ins some differing policy may apply to (decided under both sets). */
  affected: number;
  changedSignIns: number;
  changedUsers: number;
  transitions: { from: string; to: string; signIns: number; users: number }[];
}

const MB = 1024 * 1024;
const round = (n: number, digits = 1): number => Math.round(n * 10 ** digits) / 10 ** digits;

const CLIENT_APP_USED: Readonly<Record<string, string>> = {
  browser: "Browser",
  mobileAppsAndDesktopClients: "Mobile Apps and Desktop clients",
  exchangeActiveSync: "Exchange ActiveSync",
  other: "Other clients",
};
const OS: Readonly<Record<string, string>> = {
  windows: "Windows",
  iOS: "Ios",
  android: "Android",
  macOS: "MacOs",
  linux: "Linux",
  windowsPhone: "WindowsPhone",
};
const METHOD: Readonly<Record<string, string>> = {
  password: "Password",
  microsoftAuthenticatorPush: "Authenticator App",
  fido2: "FIDO",
  windowsHelloForBusiness: "Windows Hello for Business",
  sms: "SMS",
  softwareOath: "App Verification code",
};

/** One Graph signIn record (compact) for a synthetic request. */
export function signInRecord(request: WhatIfRequest, n: number, upn: string): Record<string, unknown> {
  const c = request.signInConditions ?? {};
  const identity = request.signInIdentity as { userId?: string; servicePrincipalId?: string };
  const context = request.signInContext as { includeApplications?: string[] };
  const resource = context.includeApplications?.[0] ?? null;
  const record: Record<string, unknown> = {
    id: `00000000-0000-4000-8000-${n.toString(16).padStart(12, "0")}`,
    createdDateTime: new Date(Date.UTC(2026, 9, 1) + n * 2000).toISOString(),
    correlationId: `c-${n}`,
    appId: resource,
    appDisplayName: null,
    resourceId: resource,
    resourceDisplayName: null,
    ipAddress: c.ipAddress ?? "",
    clientAppUsed: CLIENT_APP_USED[String(c.clientAppType)] ?? null,
    conditionalAccessStatus: "success",
    isInteractive: true,
    riskLevelDuringSignIn: c.signInRiskLevel ?? "none",
    status: { errorCode: 0, failureReason: null, additionalDetails: null },
    deviceDetail: {
      deviceId: c.deviceInfo?.deviceId ?? "",
      displayName: "",
      operatingSystem: OS[String(c.devicePlatform)] ?? "",
      isCompliant: c.deviceInfo?.isCompliant === true,
      trustType:
        c.deviceInfo?.trustType === "AzureAD" ? "Azure AD joined" : c.deviceInfo?.trustType === "ServerAD" ? "Hybrid Azure AD joined" : "",
    },
    location: { countryOrRegion: c.country ?? "" },
    authenticationRequirement: "singleFactorAuthentication",
    originalTransferMethod: c.authenticationFlow?.transferMethod ?? c.originalTransferMethod ?? "none",
  };
  if (identity.userId !== undefined) {
    record.userId = identity.userId;
    record.userPrincipalName = upn;
    record.authenticationMethodsUsed = (request.satisfied?.authenticationMethods ?? ["password"]).map((m) => METHOD[m] ?? m);
    record.signInEventTypes = ["interactiveUser"];
  } else {
    record.servicePrincipalId = identity.servicePrincipalId ?? null;
    record.signInEventTypes = ["servicePrincipal"];
  }
  return record;
}

async function writeLog(file: string, tenant: TenantSnapshot, requests: readonly WhatIfRequest[], count: number): Promise<void> {
  const upn = new Map(tenant.users.map((u) => [u.id, u.userPrincipalName ?? u.id]));
  const out = createWriteStream(file, { highWaterMark: 1 << 20 });
  let buffer: string[] = [];
  for (let n = 0; n < count; n++) {
    const request = requests[n % requests.length] as WhatIfRequest;
    const userId = (request.signInIdentity as { userId?: string }).userId ?? "";
    buffer.push(JSON.stringify(signInRecord(request, n, upn.get(userId) ?? userId)));
    if (buffer.length === 2000 || n === count - 1) {
      if (!out.write(`${buffer.join("\n")}\n`)) await new Promise<void>((resolve) => out.once("drain", () => resolve()));
      buffer = [];
    }
  }
  await new Promise<void>((resolve, reject) => out.end((error?: Error | null) => (error ? reject(error) : resolve())));
}

function sampler(samples: MemorySample[] | null): { sample: (records: number) => void; peakRss: () => number; peakHeap: () => number } {
  let rss = 0;
  let heap = 0;
  return {
    sample(records) {
      const m = process.memoryUsage();
      rss = Math.max(rss, m.rss);
      heap = Math.max(heap, m.heapUsed);
      samples?.push({ records, rssMB: round(m.rss / MB), heapUsedMB: round(m.heapUsed / MB) });
    },
    peakRss: () => round(rss / MB),
    peakHeap: () => round(heap / MB),
  };
}

/** The proposal: the first `switchOn` report-only policies on, plus a legacy-client block for all users. */
export function benchProposal(
  tenant: TenantSnapshot,
  switchOn: number,
): { policies: ConditionalAccessPolicy[]; switchedOn: string[]; added: string } {
  const reportOnly = tenant.policies.filter((p) => p.state === "enabledForReportingButNotEnforced").slice(0, switchOn);
  const added = blockAllPolicy("bench-proposed-block-legacy", "Proposed - Block legacy authentication for everyone", {
    clientAppTypes: ["exchangeActiveSync", "other"],
  });
  const { policies } = applyProposal(tenant.policies, {
    policies: [added],
    states: Object.fromEntries(reportOnly.map((p) => [p.id, "enabled"])),
  });
  return { policies, switchedOn: reportOnly.map((p) => p.displayName), added: added.displayName };
}

export async function measureImpactReplay(
  tenant: TenantSnapshot,
  requests: readonly WhatIfRequest[],
  options: ImpactReplayBenchOptions,
): Promise<ImpactReplayBenchReport> {
  const progress = options.progress ?? (() => {});
  const dir = await mkdtemp(join(tmpdir(), "gatehouse-impact-bench-"));
  const file = join(dir, "signins.ndjson");
  try {
    progress(`impact: writing ${options.records.toLocaleString("en-US")} sign-ins (NDJSON) to ${file}`);
    const g0 = performance.now();
    await writeLog(file, tenant, requests, options.records);
    const generateMs = performance.now() - g0;
    const fileMB = (await stat(file)).size / MB;

    // Parse-only and replay passes alternate (best of `rounds` each): on a shared machine a
    // burst of load then hits both measurements alike instead of one of them.
    const proposal = benchProposal(tenant, options.switchOn ?? 1);
    const parseMem = sampler(null);
    const samples: MemorySample[] = [];
    const replayMem = sampler(samples);
    const parseRuns: number[] = [];
    const replayRuns: number[] = [];
    let compileMs = 0;
    let replay: ImpactReplay | null = null;
    let parsed = 0;
    let replayed = 0;
    for (let round = 0; round < (options.rounds ?? 2); round++) {
      progress(`impact: parse only (round ${round + 1})`);
      parsed = 0;
      const p0 = performance.now();
      for await (const batch of readSignInRecordBatches(createReadStream(file, { highWaterMark: 1 << 20 }))) {
        const before = parsed;
        parsed += batch.length;
        if (Math.floor(parsed / 100_000) > Math.floor(before / 100_000)) parseMem.sample(parsed);
      }
      parseRuns.push(performance.now() - p0);

      progress(`impact: replay, current vs proposed (round ${round + 1})`);
      const c0 = performance.now();
      replay = new ImpactReplay({ current: tenant, proposed: { ...tenant, policies: proposal.policies } });
      compileMs = performance.now() - c0;
      if (round === 0) replayMem.sample(0);
      replayed = 0;
      const r0 = performance.now();
      for await (const batch of readSignInRecordBatches(createReadStream(file, { highWaterMark: 1 << 20 }))) {
        const before = replayed;
        for (const record of batch) replay.add(record);
        replayed += batch.length;
        if (round === 0 && Math.floor(replayed / 100_000) > Math.floor(before / 100_000)) replayMem.sample(replayed);
      }
      replayRuns.push(performance.now() - r0);
    }
    if (replay === null) throw new Error("impact bench ran no round");
    const parseMs = Math.min(...parseRuns);
    const replayMs = Math.min(...replayRuns);
    const report = replay.report();
    if (parsed !== options.records || replayed !== options.records)
      throw new Error(`impact bench read ${parsed}/${replayed} of ${options.records} records`);
    const parseRate = parsed / (parseMs / 1000);
    const replayRate = replayed / (replayMs / 1000);
    const first = samples[1] ?? samples[0];
    const last = samples[samples.length - 1];
    return {
      records: options.records,
      fileMB: round(fileMB),
      generateMs: round(generateMs),
      parseOnly: {
        ms: round(parseMs),
        perSecond: Math.round(parseRate),
        peakRssMB: parseMem.peakRss(),
        peakHeapMB: parseMem.peakHeap(),
        runsMs: parseRuns.map((ms) => round(ms)),
      },
      replay: {
        ms: round(replayMs),
        perSecond: Math.round(replayRate),
        peakRssMB: replayMem.peakRss(),
        peakHeapMB: replayMem.peakHeap(),
        compileMs: round(compileMs),
        runsMs: replayRuns.map((ms) => round(ms)),
      },
      ratio: round(replayRate / parseRate, 3),
      heapGrowthMB: first && last ? round(last.heapUsedMB - first.heapUsedMB) : 0,
      samples,
      proposal: { switchedOn: proposal.switchedOn, added: proposal.added },
      affected: report.records.affected,
      changedSignIns: report.summary.changedSignIns,
      changedUsers: report.summary.changedUsers,
      transitions: report.summary.transitions,
    };
  } finally {
    await rm(dir, { recursive: true, force: true });
  }
}

export function formatImpactReplayReport(r: ImpactReplayBenchReport): string {
  return [
    `impact replay: ${r.records.toLocaleString("en-US")} sign-ins, NDJSON ${r.fileMB} MB (written in ${r.generateMs} ms)`,
    `  parse only   ${r.parseOnly.perSecond.toLocaleString("en-US")} records/s on one core (best of ${r.parseOnly.runsMs.join(" / ")} ms), peak RSS ${r.parseOnly.peakRssMB} MB`,
    `  replay       ${r.replay.perSecond.toLocaleString("en-US")} records/s on one core (best of ${r.replay.runsMs.join(" / ")} ms; compile ${r.replay.compileMs} ms), peak RSS ${r.replay.peakRssMB} MB, peak heap ${r.replay.peakHeapMB} MB`,
    `  ratio        ${r.ratio} of parse-only (aim >= 0.8); heap growth over the replay ${r.heapGrowthMB} MB`,
    `  proposal     ${r.proposal.switchedOn.length} report-only policies on + "${r.proposal.added}": ${r.affected.toLocaleString("en-US")} sign-ins affected (decided twice), ${r.changedSignIns.toLocaleString("en-US")} of ${r.changedUsers.toLocaleString("en-US")} users change`,
  ].join("\n");
}
