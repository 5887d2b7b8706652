import {
  Dropdown,
  Field,
  makeStyles,
  Option,
  Table,
  TableBody,
  TableCell,
  TableHeader,
  TableHeaderCell,
  TableRow,
  Text,
  Title3,
} from "@fluentui/react-components";
import { useMemo, useState } from "react";
import { RouteLink } from "../App";
import { get, list, PATHS } from "../api";
import { ErrorBar, Loading, PageHeader, RESULT_LABELS, StateBadge } from "../components/common";
import { type ChartDataset, StackedChart } from "../components/OutcomeChart";
import { useAsync } from "../hooks";
import type { ConditionalAccessPolicy, SignInLogEntry } from "../types";

const useStyles = makeStyles({
  filters: { display: "flex", flexWrap: "wrap", gap: "12px", marginBottom: "12px", alignItems: "end" },
  columns: { display: "grid", gridTemplateColumns: "repeat(auto-fit, minmax(320px, 1fr))", gap: "20px", marginTop: "16px" },
  scroll: { overflowX: "auto" },
});

const HOUR = 3600_000;
const PERIODS: [string, string, number][] = [
  ["24h", "Last 24 hours", 24],
  ["7d", "Last 7 days", 24 * 7],
  ["30d", "Last 30 days", 24 * 30],
];
const COLORS: Record<string, string> = {
  success: "#107c10",
  failure: "#c50f1f",
  reportOnlySuccess: "#5ec75e",
  reportOnlyFailure: "#e37d80",
  reportOnlyInterrupted: "#f7b955",
};
/** Results that mean the policy did not apply to the sign-in. */
const NOT_APPLIED = new Set(["notApplied", "notEnabled", "reportOnlyNotApplied", "unknown", "unknownFutureValue"]);

interface Row {
  key: string;
  name: string;
  counts: Record<string, number>;
  total: number;
}

function group(entries: { entry: SignInLogEntry; result: string }[], keyOf: (e: SignInLogEntry) => [string, string]): Row[] {
  const rows = new Map<string, Row>();
  for (const { entry, result } of entries) {
    const [key, name] = keyOf(entry);
    const row = rows.get(key) ?? { key, name, counts: {}, total: 0 };
    row.counts[result] = (row.counts[result] ?? 0) + 1;
    row.total += 1;
    rows.set(key, row);
  }
  return [...rows.values()].sort((a, b) => b.total - a.total);
}

function ResultTable(props: { title: string; rows: Row[]; results: string[] }) {
  const styles = useStyles();
  return (
    <section aria-label={props.title}>
      <Title3 as="h2">{props.title}</Title3>
      <div className={styles.scroll}>
        <Table size="small" aria-label={props.title}>
          <TableHeader>
            <TableRow>
              <TableHeaderCell>Name</TableHeaderCell>
              {props.results.map((r) => (
                <TableHeaderCell key={r}>{RESULT_LABELS[r] ?? r}</TableHeaderCell>
              ))}
              <TableHeaderCell>Total</TableHeaderCell>
            </TableRow>
          </TableHeader>
          <TableBody>
            {props.rows.map((row) => (
              <TableRow key={row.key}>
                <TableCell>{row.name}</TableCell>
                {props.results.map((r) => (
                  <TableCell key={r}>{row.counts[r] ?? 0}</TableCell>
                ))}
                <TableCell>{row.total}</TableCell>
              </TableRow>
            ))}
          </TableBody>
        </Table>
      </div>
    </section>
  );
}

/** What a policy did (or, in report-only, would have done) to the sign-ins of a period, from the sign-in log. */
export function PolicyImpactPage(props: { id: string }) {
  const styles = useStyles();
  const [period, setPeriod] = useState("7d");
  const hours = PERIODS.find(([v]) => v === period)?.[2] ?? 24 * 7;
  const data = useAsync(async () => {
    const since = new Date(Date.now() - hours * HOUR).toISOString().replace(/\.\d+Z$/, "Z");
    const [policy, signIns] = await Promise.all([
      get<ConditionalAccessPolicy>(`${PATHS.policies}/${encodeURIComponent(props.id)}`),
      list<SignInLogEntry>(`${PATHS.signIns}?$top=999&$filter=${encodeURIComponent(`createdDateTime ge ${since}`)}`, 20_000),
    ]);
    return { policy, signIns, now: Date.now() };
  }, [props.id, hours]);

  const view = useMemo(() => {
    if (!data.data) return null;
    const { signIns, now } = data.data;
    const applied: { entry: SignInLogEntry; result: string }[] = [];
    let evaluated = 0;
    for (const entry of signIns) {
      const result = entry.appliedConditionalAccessPolicies.find((p) => p.id === props.id)?.result;
      if (result === undefined) continue;
      evaluated += 1;
      if (!NOT_APPLIED.has(result)) applied.push({ entry, result });
    }
    const results = [...new Set(applied.map((a) => a.result))].sort();
    const bucket = hours <= 24 ? HOUR : 24 * HOUR;
    const buckets = Math.ceil((hours * HOUR) / bucket);
    const start = now - buckets * bucket;
    const labels = Array.from({ length: buckets }, (_v, i) => {
      const d = new Date(start + (i + 1) * bucket);
      return bucket === HOUR
        ? d.toLocaleTimeString(undefined, { hour: "2-digit", minute: "2-digit" })
        : d.toLocaleDateString(undefined, { month: "short", day: "numeric" });
    });
    const datasets: ChartDataset[] = results.map((r) => {
      const counts = Array<number>(buckets).fill(0);
      for (const a of applied) {
        if (a.result !== r) continue;
        const i = Math.floor((Date.parse(a.entry.createdDateTime) - start) / bucket);
        if (i >= 0 && i < buckets) counts[i] = (counts[i] ?? 0) + 1;
      }
      return { label: RESULT_LABELS[r] ?? r, data: counts, color: COLORS[r] ?? "#8a8886" };
    });
    const users = group(applied, (e) => [e.userId ?? e.servicePrincipalId ?? "", e.userPrincipalName ?? e.servicePrincipalName ?? "—"]);
    const apps = group(applied, (e) => [e.resourceId ?? e.appId ?? "", e.resourceDisplayName ?? e.appDisplayName ?? "—"]);
    return { applied, evaluated, results, labels, datasets, users, apps };
  }, [data.data, props.id, hours]);

  return (
    <div>
      <PageHeader
        title={data.data ? `Policy impact: ${data.data.policy.displayName}` : "Policy impact"}
        description="The results this policy produced (or, in report-only, would have produced) for the sign-ins of the period."
        actions={data.data ? <StateBadge state={data.data.policy.state} /> : undefined}
      />
      <div className={styles.filters}>
        <Field label="Period">
          <Dropdown
            value={PERIODS.find(([v]) => v === period)?.[1]}
            selectedOptions={[period]}
            onOptionSelect={(_e, d) => setPeriod(d.optionValue ?? "7d")}
          >
            {PERIODS.map(([v, l]) => (
              <Option key={v} value={v}>
                {l}
              </Option>
            ))}
          </Dropdown>
        </Field>
        <RouteLink to={`/policies/${encodeURIComponent(props.id)}`}>Edit the policy</RouteLink>
        <RouteLink to={`/signins?policy=${encodeURIComponent(props.id)}`}>Sign-ins where it applied</RouteLink>
      </div>
      <ErrorBar error={data.error} />
      {data.loading && !view ? <Loading /> : null}
      {view ? (
        <>
          <Text role="status" block>
            Applied to {view.applied.length} of the {view.evaluated} sign-ins evaluated with this policy in the period.
          </Text>
          <StackedChart labels={view.labels} datasets={view.datasets} label={`Results of the policy per ${hours <= 24 ? "hour" : "day"}`} />
          <div className={styles.columns}>
            <ResultTable title="Users" rows={view.users} results={view.results} />
            <ResultTable title="Applications" rows={view.apps} results={view.results} />
          </div>
        </>
      ) : null}
    </div>
  );
}
