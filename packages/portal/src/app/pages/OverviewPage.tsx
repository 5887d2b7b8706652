import { Card, makeStyles, Tab, TabList, Text, Title3, tokens } from "@fluentui/react-components";
import { useMemo, useState } from "react";
import { RouteLink } from "../App";
import { get, list, PATHS } from "../api";
import { ErrorBar, formatDateTime, Loading, PageHeader, StateBadge } from "../components/common";
import { EMERGENCY_ACCESS_PATH, type EmergencyAccessView, ExposedPolicyList } from "../components/EmergencyAccess";
import { OutcomeChart, type OutcomeSeries } from "../components/OutcomeChart";
import { type Directory, loadDirectory } from "../directory";
import { useAsync } from "../hooks";
import type { ConditionalAccessPolicy, DirectoryAudit, SignInLogEntry } from "../types";

const useStyles = makeStyles({
  cards: { display: "grid", gridTemplateColumns: "repeat(auto-fill, minmax(180px, 1fr))", gap: "12px", marginBottom: "20px" },
  number: { fontSize: tokens.fontSizeHero800, fontWeight: tokens.fontWeightSemibold, display: "block" },
  columns: { display: "grid", gridTemplateColumns: "repeat(auto-fit, minmax(320px, 1fr))", gap: "20px" },
  list: { margin: "8px 0", paddingLeft: "20px" },
});

/** Report-only for longer than this is worth a look: turn it on or remove it. */
const LONG_REPORT_ONLY_DAYS = 14;
const DAY = 24 * 3600_000;

function bucketize(signIns: SignInLogEntry[], now: number, buckets: number, size: number, label: (d: Date) => string): OutcomeSeries {
  const start = now - buckets * size;
  const series: OutcomeSeries = {
    labels: [],
    success: Array(buckets).fill(0),
    failure: Array(buckets).fill(0),
    notApplied: Array(buckets).fill(0),
  };
  for (let i = 0; i < buckets; i++) series.labels.push(label(new Date(start + (i + 1) * size)));
  for (const s of signIns) {
    const t = Date.parse(s.createdDateTime);
    const index = Math.floor((t - start) / size);
    if (index < 0 || index >= buckets) continue;
    const key = s.conditionalAccessStatus === "success" ? "success" : s.conditionalAccessStatus === "failure" ? "failure" : "notApplied";
    series[key][index] = (series[key][index] ?? 0) + 1;
  }
  return series;
}

/** Ids a policy references that no longer exist in the directory. */
export function missingReferences(policy: ConditionalAccessPolicy, directory: Directory): string[] {
  const has = (items: { id: string }[], id: string) => items.some((x) => x.id.toLowerCase() === id.toLowerCase());
  const out: string[] = [];
  const u = policy.conditions.users;
  const special = new Set(["All", "None", "GuestsOrExternalUsers", "AllTrusted"]);
  for (const id of [...(u?.includeUsers ?? []), ...(u?.excludeUsers ?? [])])
    if (!special.has(id) && !has(directory.users, id)) out.push(`user ${id}`);
  for (const id of [...(u?.includeGroups ?? []), ...(u?.excludeGroups ?? [])]) if (!has(directory.groups, id)) out.push(`group ${id}`);
  const l = policy.conditions.locations;
  for (const id of [...(l?.includeLocations ?? []), ...(l?.excludeLocations ?? [])])
    if (!special.has(id) && !has(directory.namedLocations, id) && id !== "00000000-0000-0000-0000-000000000000")
      out.push(`named location ${id}`);
  const strength = policy.grantControls?.authenticationStrength?.id;
  if (strength && !has(directory.strengths, strength)) out.push(`authentication strength ${strength}`);
  return out;
}

/**
 * True when the policy's latest change was saved with `Prefer: allow-unsafe-policy`: an
 * administrator acknowledged the server's lockout or emergency-access refusal.
 */
export function lastChangeOverrodeGuardRail(policyId: string, audits: DirectoryAudit[]): boolean {
  const latest = audits
    .filter((a) => a.targetResources.some((t) => t.id === policyId))
    .sort((a, b) => b.activityDateTime.localeCompare(a.activityDateTime))[0];
  return latest?.additionalDetails?.some((d) => d.key === "Prefer" && d.value.includes("allow-unsafe-policy")) ?? false;
}

export function OverviewPage() {
  const styles = useStyles();
  const [range, setRange] = useState<"24h" | "7d">("24h");
  const data = useAsync(async () => {
    const since = new Date(Date.now() - 7 * DAY).toISOString().replace(/\.\d+Z$/, "Z");
    const [policies, signIns, directory, audits, emergencyAccess] = await Promise.all([
      list<ConditionalAccessPolicy>(`${PATHS.policies}?$top=999`),
      list<SignInLogEntry>(`${PATHS.signIns}?$top=999&$filter=${encodeURIComponent(`createdDateTime ge ${since}`)}`, 20_000),
      loadDirectory(),
      list<DirectoryAudit>(`${PATHS.directoryAudits}?$top=999`, 5000),
      get<EmergencyAccessView>(EMERGENCY_ACCESS_PATH),
    ]);
    return { policies, signIns, directory, audits, emergencyAccess, now: Date.now() };
  }, []);
  const series = useMemo(() => {
    if (!data.data) return null;
    const { signIns, now } = data.data;
    return range === "24h"
      ? bucketize(signIns, now, 24, 3600_000, (d) => d.toLocaleTimeString(undefined, { hour: "2-digit", minute: "2-digit" }))
      : bucketize(signIns, now, 7, DAY, (d) => d.toLocaleDateString(undefined, { weekday: "short", day: "numeric" }));
  }, [data.data, range]);
  if (data.error) return <ErrorBar error={data.error} />;
  if (!data.data || !series) return <Loading />;
  const { policies, directory, audits, emergencyAccess, now } = data.data;
  const exposed = emergencyAccess.exposedPolicies;
  const count = (state: string) => policies.filter((p) => p.state === state).length;
  const longReportOnly = policies.filter(
    (p) =>
      p.state === "enabledForReportingButNotEnforced" &&
      now - Date.parse(p.modifiedDateTime ?? p.createdDateTime ?? "") > LONG_REPORT_ONLY_DAYS * DAY,
  );
  const overridden = policies.filter((p) => lastChangeOverrodeGuardRail(p.id, audits));
  const broken = policies.map((p) => ({ policy: p, missing: missingReferences(p, directory) })).filter((x) => x.missing.length > 0);
  const total = series.success.length;
  const sum = (a: number[]) => a.reduce((x, y) => x + y, 0);
  return (
    <div>
      <PageHeader title="Overview" description="Conditional Access at a glance." />
      <div className={styles.cards}>
        {[
          ["Policies", policies.length],
          ["On", count("enabled")],
          ["Report-only", count("enabledForReportingButNotEnforced")],
          ["Off", count("disabled")],
        ].map(([label, value]) => (
          <Card key={String(label)}>
            <Text>{label}</Text>
            <span className={styles.number}>{value}</span>
          </Card>
        ))}
      </div>
      <div className={styles.columns}>
        <section aria-labelledby="chart-title">
          <Title3 as="h2" id="chart-title">
            Sign-ins by Conditional Access outcome
          </Title3>
          <TabList selectedValue={range} onTabSelect={(_e, d) => setRange(d.value as "24h" | "7d")} aria-label="Period">
            <Tab value="24h">Last 24 hours</Tab>
            <Tab value="7d">Last 7 days</Tab>
          </TabList>
          <OutcomeChart
            series={series}
            label={`Sign-ins per ${range === "24h" ? "hour" : "day"} by outcome over ${total} ${range === "24h" ? "hours" : "days"}`}
          />
          <Text role="status">
            {sum(series.success)} success, {sum(series.failure)} failure, {sum(series.notApplied)} not applied.
          </Text>
        </section>
        <section aria-labelledby="warnings-title">
          <Title3 as="h2" id="warnings-title">
            Warnings
          </Title3>
          {longReportOnly.length === 0 && broken.length === 0 && overridden.length === 0 && exposed.length === 0 ? (
            <Text block>No warnings.</Text>
          ) : null}
          {emergencyAccess.accounts.length === 0 ? (
            <Card appearance="outline" role="group" aria-label="No emergency-access accounts" style={{ marginBottom: "12px" }}>
              <Text weight="semibold">No emergency-access account is declared</Text>
              <Text>
                Declare break-glass accounts under <RouteLink to="/directory">Users and groups</RouteLink>.
              </Text>
            </Card>
          ) : null}
          {exposed.length > 0 ? (
            <Card
              appearance="outline"
              role="group"
              aria-label="Policies that apply to emergency-access accounts"
              style={{ marginBottom: "12px" }}
            >
              <Text weight="semibold">Policies that would apply to emergency-access accounts</Text>
              <ExposedPolicyList
                policies={exposed}
                link={(p) => <RouteLink to={`/policies/${encodeURIComponent(p.policyId)}`}>{p.policyDisplayName}</RouteLink>}
              />
            </Card>
          ) : null}
          {overridden.length > 0 ? (
            <>
              <Text weight="semibold">Saved over a lockout or emergency-access warning</Text>
              <ul className={styles.list}>
                {overridden.map((p) => (
                  <li key={p.id}>
                    <RouteLink to={`/policies/${p.id}`}>{p.displayName}</RouteLink> <StateBadge state={p.state} />
                  </li>
                ))}
              </ul>
            </>
          ) : null}
          {longReportOnly.length > 0 ? (
            <>
              <Text weight="semibold">In report-only for more than {LONG_REPORT_ONLY_DAYS} days</Text>
              <ul className={styles.list}>
                {longReportOnly.map((p) => (
                  <li key={p.id}>
                    <RouteLink to={`/policies/${p.id}`}>{p.displayName}</RouteLink> <StateBadge state={p.state} /> since{" "}
                    {formatDateTime(p.modifiedDateTime ?? p.createdDateTime)}
                  </li>
                ))}
              </ul>
            </>
          ) : null}
          {broken.length > 0 ? (
            <>
              <Text weight="semibold">Policies referencing deleted objects</Text>
              <ul className={styles.list}>
                {broken.map(({ policy, missing }) => (
                  <li key={policy.id}>
                    <RouteLink to={`/policies/${policy.id}`}>{policy.displayName}</RouteLink>: {missing.join(", ")}
                  </li>
                ))}
              </ul>
            </>
          ) : null}
        </section>
      </div>
    </div>
  );
}
