import { describe, expect, it } from "vitest";
import { applyProposal, formatImpactHtml, formatImpactMarkdown, formatImpactText, readSignInRecords, replayImpact } from "../index.js";
import { APP_Y, currentTenant, generateHistory, proposedPolicies, toLogEntries, toPortalCsv, user } from "./test-history.js";

function expected(history: ReturnType<typeof generateHistory>) {
  const transitions = new Map<string, { signIns: number; users: Set<number> }>();
  const users = new Set<number>();
  let changed = 0;
  for (const h of history) {
    if (h.expectedCurrent === h.expectedProposed) continue;
    changed++;
    users.add(h.userNumber);
    const key = `${h.expectedCurrent}->${h.expectedProposed}`;
    const t = transitions.get(key) ?? { signIns: 0, users: new Set() };
    t.signIns++;
    t.users.add(h.userNumber);
    transitions.set(key, t);
  }
  return { changed, users: users.size, transitions };
}

function proposedTenant() {
  const current = currentTenant();
  const { policies, changes } = applyProposal(current.policies, { policies: proposedPolicies(), states: { p3: "enabled" } });
  return { current, proposed: { ...current, policies }, changes };
}

async function* chunks(text: string, size: number) {
  for (let i = 0; i < text.length; i += size) yield new TextEncoder().encode(text.slice(i, i + size));
}

describe("replayImpact", () => {
  const history = generateHistory(600);
  const { current, proposed, changes } = proposedTenant();
  const entries = toLogEntries(current, history);
  const want = expected(history);

  it("describes the proposal as one added policy and one state change", () => {
    expect(changes.map((c) => [c.policyId, c.change])).toEqual([
      ["p3", "stateChanged"],
      ["p2", "added"],
    ]);
  });

  it("gives the same answer for every repeat of a sign-in (decisions are remembered per request)", async () => {
    // Each record three times, interleaved: the second and third are answered from the memo.
    const thrice = [...entries, ...entries, ...entries];
    const once = await replayImpact(entries, { current, proposed });
    const report = await replayImpact(thrice, { current, proposed });
    expect(report.records.affected).toBe(3 * once.records.affected);
    expect(report.summary.changedSignIns).toBe(3 * want.changed);
    expect(report.summary.changedUsers).toBe(want.users);
    for (const outcome of ["grant", "challenge", "block"] as const) {
      expect(report.outcomes.current[outcome]).toBe(3 * once.outcomes.current[outcome]);
      expect(report.outcomes.proposed[outcome]).toBe(3 * once.outcomes.proposed[outcome]);
    }
    expect(report.byPolicy.map((b) => [b.key, b.signIns])).toEqual(once.byPolicy.map((b) => [b.key, 3 * b.signIns]));
  });

  it("counts exactly the sign-ins and users whose outcome changes, per transition, from our own sign-in log (NDJSON)", async () => {
    expect(want.changed).toBeGreaterThan(50);
    const ndjson = entries.map((e) => JSON.stringify(e)).join("\n");
    const report = await replayImpact(readSignInRecords(chunks(ndjson, 4096)), { current, proposed });
    expect(report.records.evaluated).toBe(history.length);
    expect(report.summary.changedSignIns).toBe(want.changed);
    expect(report.summary.changedUsers).toBe(want.users);
    for (const t of report.summary.transitions) {
      const w = want.transitions.get(`${t.from}->${t.to}`);
      expect(w, `${t.from}->${t.to}`).toBeDefined();
      expect(t.signIns).toBe(w?.signIns);
      expect(t.users).toBe(w?.users.size);
    }
    expect(report.summary.transitions.length).toBe(want.transitions.size);
    // Affected: the sign-ins a differing policy applies to (legacy clients: P2; app Y: P3),
    // with their outcomes under each set.
    const affected = history.filter((h) => h.client === "exchangeActiveSync" || h.client === "other" || h.app === APP_Y);
    expect(report.records.affected).toBe(affected.length);
    const before = { grant: 0, challenge: 0, block: 0 };
    const after = { grant: 0, challenge: 0, block: 0 };
    for (const h of affected) {
      before[h.expectedCurrent]++;
      after[h.expectedProposed]++;
    }
    expect(report.outcomes).toEqual({ current: before, proposed: after });
  });

  it("attributes changes to the policies that cause them", async () => {
    const report = await replayImpact(entries, { current, proposed });
    const byPolicy = new Map(report.byPolicy.map((b) => [b.key, b.signIns]));
    const legacyChanged = history.filter(
      (h) => (h.client === "exchangeActiveSync" || h.client === "other") && h.expectedCurrent !== h.expectedProposed,
    ).length;
    expect(byPolicy.get("p2")).toBe(legacyChanged);
    const yChanged = history.filter((h) => h.app === APP_Y && h.expectedCurrent !== h.expectedProposed).length;
    expect(byPolicy.get("p3")).toBe(yChanged);
    const app = report.byApplication.find((b) => b.key === APP_Y);
    expect(app?.signIns).toBe(yChanged);
    expect(report.examples.length).toBeGreaterThan(0);
    for (const e of report.examples) expect(e.from).not.toBe(e.to);
  });

  it("gives the same answer from a JSON array, a Graph collection in pages, and the portal's CSV, whatever the chunking", async () => {
    const base = await replayImpact(entries, { current, proposed });
    const pages = [entries.slice(0, 250), entries.slice(250)].map((value, i) =>
      JSON.stringify(
        {
          "@odata.context": "https://graph.microsoft.com/beta/$metadata#auditLogs/signIns",
          value,
          ...(i === 0 ? { "@odata.nextLink": "https://graph.microsoft.com/next" } : {}),
        },
        null,
        2,
      ),
    );
    for (const [text, size] of [
      [JSON.stringify(entries, null, 1), 7],
      [pages.join("\n"), 333],
      [toPortalCsv(entries), 101],
    ] as const) {
      const report = await replayImpact(readSignInRecords(chunks(text, size)), { current, proposed });
      expect(report.records.read).toBe(entries.length);
      expect(report.summary).toEqual(base.summary);
    }
  });

  it("counts nothing when the proposal changes nothing, and skips sign-ins outside the period or of unknown users", async () => {
    const report = await replayImpact(entries, { current, proposed: current, from: "2026-11-01T01:00:00Z", to: "2026-11-01T02:00:00Z" });
    expect(report.summary.changedSignIns).toBe(0);
    expect(report.records.evaluated).toBe(60);
    expect(report.records.outsidePeriod).toBe(entries.length - 60);
    const stranger = { ...entries[0], userId: user(999) };
    const r2 = await replayImpact([stranger], { current, proposed });
    expect(r2.records.unknownPrincipal).toBe(1);
  });

  it("renders text, Markdown and self-contained HTML with inline SVG", async () => {
    const report = await replayImpact(entries, { current, proposed });
    expect(formatImpactText(report)).toContain(`${want.changed} sign-in(s) of ${want.users} user(s)`);
    expect(formatImpactMarkdown(report)).toContain("| Block legacy |");
    const html = formatImpactHtml(report);
    expect(html).toContain("<svg");
    expect(html).not.toMatch(/<(script|link|img)\b|https?:\/\/(?!www\.w3\.org)/);
  });
});
