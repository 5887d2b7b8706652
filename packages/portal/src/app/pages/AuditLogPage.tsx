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
  Text,
  Title3,
  tokens,
} from "@fluentui/react-components";
import { useMemo, useState } from "react";
import { list, PATHS } from "../api";
import { ErrorBar, formatDateTime, ListTable, Loading, PageHeader } from "../components/common";
import { sideBySide } from "../diff";
import { useAsync } from "../hooks";
import type { DirectoryAudit, ModifiedProperty } from "../types";

const useStyles = makeStyles({
  filters: { display: "flex", flexWrap: "wrap", gap: "12px", marginBottom: "12px", alignItems: "end" },
  scroll: { overflowX: "auto" },
  diff: {
    width: "100%",
    tableLayout: "fixed",
    borderCollapse: "collapse",
    fontFamily: tokens.fontFamilyMonospace,
    fontSize: "12px",
    margin: "8px 0 16px",
  },
  head: { fontWeight: 600, fontFamily: tokens.fontFamilyBase, padding: "4px", textAlign: "start" },
  line: { whiteSpace: "pre-wrap", overflowWrap: "anywhere", padding: "0 4px", verticalAlign: "top" },
  removed: { backgroundColor: tokens.colorPaletteRedBackground2 },
  added: { backgroundColor: tokens.colorPaletteGreenBackground2 },
});

/** JSON values pretty-printed (the audit stores them as JSON text), others as they are. */
function pretty(value: string | null): string[] {
  if (value === null || value === "") return [];
  try {
    return JSON.stringify(JSON.parse(value), null, 2).split("\n");
  } catch {
    return value.split("\n");
  }
}

function PropertyDiff(props: { property: ModifiedProperty }) {
  const styles = useStyles();
  const rows = sideBySide(pretty(props.property.oldValue), pretty(props.property.newValue));
  return (
    <div>
      <Title3 as="h3">{props.property.displayName}</Title3>
      <table className={styles.diff} aria-label={`${props.property.displayName}: old and new values`}>
        <thead>
          <tr>
            <th className={styles.head}>Old value</th>
            <th className={styles.head}>New value</th>
          </tr>
        </thead>
        <tbody>
          {rows.map((r, index) => (
            // biome-ignore lint/suspicious/noArrayIndexKey: rows are positions in the diff
            <tr key={index}>
              <td className={`${styles.line} ${r.changed && r.left !== null ? styles.removed : ""}`}>{r.left ?? ""}</td>
              <td className={`${styles.line} ${r.changed && r.right !== null ? styles.added : ""}`}>{r.right ?? ""}</td>
            </tr>
          ))}
        </tbody>
      </table>
    </div>
  );
}

const initiator = (a: DirectoryAudit) =>
  a.initiatedBy.user?.userPrincipalName ?? a.initiatedBy.user?.displayName ?? a.initiatedBy.app?.displayName ?? "—";

export function AuditLogPage() {
  const styles = useStyles();
  const audits = useAsync(() => list<DirectoryAudit>(`${PATHS.directoryAudits}?$top=999`, 2000), []);
  const [category, setCategory] = useState("");
  const [search, setSearch] = useState("");
  const [selected, setSelected] = useState<DirectoryAudit | null>(null);
  const categories = useMemo(() => [...new Set((audits.data ?? []).map((a) => a.category))].sort(), [audits.data]);
  const shown = useMemo(() => {
    const q = search.trim().toLowerCase();
    return (audits.data ?? [])
      .filter((a) => category === "" || a.category === category)
      .filter(
        (a) =>
          q === "" ||
          [a.activityDisplayName, initiator(a), ...a.targetResources.map((t) => t.displayName ?? t.id)].some((v) =>
            v.toLowerCase().includes(q),
          ),
      )
      .sort((a, b) => b.activityDateTime.localeCompare(a.activityDateTime));
  }, [audits.data, category, search]);
  return (
    <div>
      <PageHeader title="Audit log" description="Who changed what, with the old and new values side by side." />
      <div className={styles.filters}>
        <Field label="Category">
          <Dropdown value={category || "All"} selectedOptions={[category]} onOptionSelect={(_e, d) => setCategory(d.optionValue ?? "")}>
            <Option value="">All</Option>
            {categories.map((c) => (
              <Option key={c} value={c}>
                {c}
              </Option>
            ))}
          </Dropdown>
        </Field>
        <Field label="Search">
          <Input value={search} onChange={(_e, d) => setSearch(d.value)} placeholder="Activity, actor or target" />
        </Field>
        <Button onClick={audits.reload}>Refresh</Button>
      </div>
      <ErrorBar error={audits.error} />
      {audits.loading && audits.data === undefined ? <Loading /> : null}
      <Text role="status">{shown.length} records</Text>
      <div className={styles.scroll}>
        <ListTable
          label="Audit records"
          columns={["Date", "Activity", "Category", "Initiated by", "Target", "Result"]}
          items={shown}
          rowKey={(a) => a.id}
          cells={(a) => [
            <Button
              key="date"
              appearance="transparent"
              size="small"
              onClick={() => setSelected(a)}
              aria-label={`Details of ${a.activityDisplayName} at ${formatDateTime(a.activityDateTime)}`}
            >
              {formatDateTime(a.activityDateTime)}
            </Button>,
            a.activityDisplayName,
            a.category,
            initiator(a),
            a.targetResources.map((t) => t.displayName ?? t.id).join(", "),
            a.result,
          ]}
        />
      </div>
      {selected ? (
        <OverlayDrawer open position="end" size="large" onOpenChange={(_e, d) => !d.open && setSelected(null)}>
          <DrawerHeader>
            <DrawerHeaderTitle
              action={
                <Button appearance="subtle" onClick={() => setSelected(null)}>
                  Close
                </Button>
              }
            >
              {selected.activityDisplayName}
            </DrawerHeaderTitle>
          </DrawerHeader>
          <DrawerBody>
            <Text block>
              {formatDateTime(selected.activityDateTime)} by {initiator(selected)} · {selected.category} · {selected.result} · correlation{" "}
              {selected.correlationId}
            </Text>
            {selected.targetResources.map((t) => (
              <section key={t.id} aria-label={`Target ${t.displayName ?? t.id}`}>
                <Title3 as="h2">
                  {t.type}: {t.displayName ?? t.id}
                </Title3>
                {(t.modifiedProperties ?? []).length === 0 ? <Text block>No property changes recorded.</Text> : null}
                {(t.modifiedProperties ?? []).map((p) => (
                  <PropertyDiff key={p.displayName} property={p} />
                ))}
              </section>
            ))}
            {(selected.additionalDetails ?? []).length > 0 ? (
              <ul>
                {(selected.additionalDetails ?? []).map((d) => (
                  <li key={d.key}>
                    {d.key}: {d.value}
                  </li>
                ))}
              </ul>
            ) : null}
          </DrawerBody>
        </OverlayDrawer>
      ) : null}
    </div>
  );
}
