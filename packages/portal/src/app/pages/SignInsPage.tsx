import {
  Button,
  DrawerBody,
  DrawerHeader,
  DrawerHeaderTitle,
  Dropdown,
  Field,
  Input,
  makeStyles,
  Option,
  OverlayDrawer,
  Tab,
  TabList,
  Table,
  TableBody,
  TableCell,
  TableHeader,
  TableHeaderCell,
  TableRow,
  Text,
} from "@fluentui/react-components";
import { useMemo, useState } from "react";
import { RouteLink } from "../App";
import { list, odataString, PATHS } from "../api";
import { CellButton, ErrorBar, formatDateTime, ListTable, Loading, PageHeader, ResultBadge } from "../components/common";
import { useAsync } from "../hooks";
import type { SignInLogEntry } from "../types";

const useStyles = makeStyles({
  filters: { display: "flex", flexWrap: "wrap", gap: "12px", marginBottom: "12px", alignItems: "end" },
  scroll: { overflowX: "auto" },
  row: { cursor: "pointer" },
  dl: { display: "grid", gridTemplateColumns: "minmax(120px, 40%) 1fr", gap: "6px 12px", margin: "12px 0" },
  dt: { fontWeight: 600 },
  dd: { margin: 0, overflowWrap: "anywhere" },
});

const PERIODS: [string, string, number][] = [
  ["24h", "Last 24 hours", 24],
  ["7d", "Last 7 days", 24 * 7],
  ["30d", "Last 30 days", 24 * 30],
];
const CA_STATUS: [string, string][] = [
  ["", "Any"],
  ["success", "Success"],
  ["failure", "Failure"],
  ["notApplied", "Not applied"],
];

export function statusText(s: SignInLogEntry): string {
  return s.status.errorCode === 0 ? "Success" : s.conditionalAccessStatus === "failure" ? "Failure (Conditional Access)" : "Failure";
}

function Details(props: { entry: SignInLogEntry; onClose: () => void }) {
  const styles = useStyles();
  const [tab, setTab] = useState("basic");
  const e = props.entry;
  const rows: [string, string][] =
    tab === "basic"
      ? [
          ["Date", formatDateTime(e.createdDateTime)],
          ["Request ID", e.id],
          ["Correlation ID", e.correlationId],
          ["User", e.userPrincipalName ? `${e.userDisplayName ?? ""} (${e.userPrincipalName})` : (e.servicePrincipalName ?? "—")],
          ["Application", `${e.appDisplayName ?? "—"} (${e.appId ?? "—"})`],
          ["Resource", `${e.resourceDisplayName ?? "—"} (${e.resourceId ?? "—"})`],
          ["Status", statusText(e)],
          ["Error code", String(e.status.errorCode)],
          ["Failure reason", e.status.failureReason ?? "—"],
          ["Client app", e.clientAppUsed ?? "—"],
          ["Authentication requirement", e.authenticationRequirement],
          ["Conditional Access", e.conditionalAccessStatus],
        ]
      : [
          ["IP address", e.ipAddress || "—"],
          ["Country or region", e.location.countryOrRegion || "—"],
          ["Operating system", e.deviceDetail.operatingSystem || "—"],
          ["Browser", e.deviceDetail.browser || "—"],
          ["Compliant", e.deviceDetail.isCompliant ? "Yes" : "No"],
          ["Join type", e.deviceDetail.trustType || "—"],
        ];
  return (
    <OverlayDrawer open position="end" size="large" onOpenChange={(_ev, d) => !d.open && props.onClose()}>
      <DrawerHeader>
        <DrawerHeaderTitle
          action={
            <Button appearance="subtle" aria-label="Close" onClick={props.onClose}>
              Close
            </Button>
          }
        >
          Activity details: sign-in
        </DrawerHeaderTitle>
      </DrawerHeader>
      <DrawerBody>
        <TabList selectedValue={tab} onTabSelect={(_ev, d) => setTab(String(d.value))} aria-label="Details">
          <Tab value="basic">Basic info</Tab>
          <Tab value="device">Location and device</Tab>
          <Tab value="ca">Conditional Access</Tab>
        </TabList>
        {tab === "ca" ? (
          <ListTable
            label="Conditional Access policies for this sign-in"
            columns={["Policy", "Grant controls", "Result"]}
            items={e.appliedConditionalAccessPolicies}
            rowKey={(p) => p.id}
            cells={(p) => [
              <RouteLink key="policy" to={`/policies/${p.id}`}>
                {p.displayName}
              </RouteLink>,
              [...p.enforcedGrantControls, ...p.enforcedSessionControls].join(", ") || "—",
              <ResultBadge key="result" result={p.result} />,
            ]}
          />
        ) : (
          <dl className={styles.dl}>
            {rows.map(([k, v]) => (
              <div key={k} style={{ display: "contents" }}>
                <dt className={styles.dt}>{k}</dt>
                <dd className={styles.dd}>{v}</dd>
              </div>
            ))}
          </dl>
        )}
      </DrawerBody>
    </OverlayDrawer>
  );
}

export function SignInsPage(props: { initialPolicyId: string | null }) {
  const styles = useStyles();
  const [period, setPeriod] = useState("24h");
  const [caStatus, setCaStatus] = useState("");
  const [search, setSearch] = useState("");
  const [policyId, setPolicyId] = useState(props.initialPolicyId ?? "");
  const [selected, setSelected] = useState<SignInLogEntry | null>(null);
  const hours = PERIODS.find(([v]) => v === period)?.[2] ?? 24;
  const signIns = useAsync(() => {
    const since = new Date(Date.now() - hours * 3600_000).toISOString().replace(/\.\d+Z$/, "Z");
    const filter = [`createdDateTime ge ${since}`, ...(caStatus ? [`conditionalAccessStatus eq ${odataString(caStatus)}`] : [])].join(
      " and ",
    );
    return list<SignInLogEntry>(`${PATHS.signIns}?$top=999&$filter=${encodeURIComponent(filter)}`, 2000);
  }, [hours, caStatus]);
  const shown = useMemo(() => {
    const q = search.trim().toLowerCase();
    return (signIns.data ?? []).filter((s) => {
      if (
        policyId &&
        !s.appliedConditionalAccessPolicies.some(
          (p) => p.id === policyId && p.result !== "notApplied" && p.result !== "notEnabled" && p.result !== "reportOnlyNotApplied",
        )
      )
        return false;
      if (q === "") return true;
      return [
        s.userPrincipalName,
        s.userDisplayName,
        s.appDisplayName,
        s.resourceDisplayName,
        s.ipAddress,
        s.servicePrincipalName,
        s.correlationId,
      ].some((v) => (v ?? "").toLowerCase().includes(q));
    });
  }, [signIns.data, search, policyId]);
  const policyName = policyId
    ? signIns.data?.flatMap((s) => s.appliedConditionalAccessPolicies).find((p) => p.id === policyId)?.displayName
    : undefined;
  return (
    <div>
      <PageHeader title="Sign-in logs" description="Every sign-in Gatehouse evaluated, with each Conditional Access policy's result." />
      <div className={styles.filters}>
        <Field label="Date">
          <Dropdown
            value={PERIODS.find(([v]) => v === period)?.[1]}
            selectedOptions={[period]}
            onOptionSelect={(_e, d) => setPeriod(d.optionValue ?? "24h")}
          >
            {PERIODS.map(([v, l]) => (
              <Option key={v} value={v}>
                {l}
              </Option>
            ))}
          </Dropdown>
        </Field>
        <Field label="Conditional Access">
          <Dropdown
            value={CA_STATUS.find(([v]) => v === caStatus)?.[1]}
            selectedOptions={[caStatus]}
            onOptionSelect={(_e, d) => setCaStatus(d.optionValue ?? "")}
          >
            {CA_STATUS.map(([v, l]) => (
              <Option key={v} value={v}>
                {l}
              </Option>
            ))}
          </Dropdown>
        </Field>
        <Field label="Search">
          <Input value={search} onChange={(_e, d) => setSearch(d.value)} placeholder="User, application, IP address" />
        </Field>
        {policyId ? <Button onClick={() => setPolicyId("")}>Policy: {policyName ?? policyId} ✕</Button> : null}
        <Button onClick={signIns.reload}>Refresh</Button>
      </div>
      <ErrorBar error={signIns.error} />
      {signIns.loading && signIns.data === undefined ? <Loading /> : null}
      {signIns.data ? (
        <>
          <Text role="status">
            {shown.length} sign-ins{policyId ? " where the policy applied" : ""}
          </Text>
          <div className={styles.scroll}>
            <Table size="small" aria-label="Sign-ins">
              <TableHeader>
                <TableRow>
                  <TableHeaderCell>Date</TableHeaderCell>
                  <TableHeaderCell>User or service principal</TableHeaderCell>
                  <TableHeaderCell>Application</TableHeaderCell>
                  <TableHeaderCell>Status</TableHeaderCell>
                  <TableHeaderCell>IP address</TableHeaderCell>
                  <TableHeaderCell>Conditional Access</TableHeaderCell>
                </TableRow>
              </TableHeader>
              <TableBody>
                {shown.map((s) => (
                  <TableRow key={s.id} className={styles.row} onClick={() => setSelected(s)}>
                    <TableCell>
                      <CellButton onClick={() => setSelected(s)} label={`Details of the sign-in at ${formatDateTime(s.createdDateTime)}`}>
                        {formatDateTime(s.createdDateTime)}
                      </CellButton>
                    </TableCell>
                    <TableCell>{s.userPrincipalName ?? s.servicePrincipalName ?? "—"}</TableCell>
                    <TableCell>{s.appDisplayName ?? s.appId ?? "—"}</TableCell>
                    <TableCell>{statusText(s)}</TableCell>
                    <TableCell>{s.ipAddress}</TableCell>
                    <TableCell>
                      <ResultBadge result={s.conditionalAccessStatus} />
                    </TableCell>
                  </TableRow>
                ))}
              </TableBody>
            </Table>
          </div>
        </>
      ) : null}
      {selected ? <Details entry={selected} onClose={() => setSelected(null)} /> : null}
    </div>
  );
}
