import { Button, Dropdown, Field, Input, makeStyles, Option, Text } from "@fluentui/react-components";
import { useMemo, useState } from "react";
import { RouteLink } from "../App";
import { list, PATHS } from "../api";
import { ErrorBar, formatDateTime, ListTable, Loading, PageHeader, STATE_LABELS, StateBadge } from "../components/common";
import { useAsync } from "../hooks";
import { navigate } from "../router";
import type { ConditionalAccessPolicy } from "../types";

const useStyles = makeStyles({
  filters: { display: "flex", flexWrap: "wrap", gap: "12px", marginBottom: "12px", alignItems: "end" },
  scroll: { overflowX: "auto" },
  count: { display: "block", margin: "8px 0" },
});

export function PoliciesPage() {
  const styles = useStyles();
  const policies = useAsync(() => list<ConditionalAccessPolicy>(`${PATHS.policies}?$top=999`), []);
  const [search, setSearch] = useState("");
  const [state, setState] = useState("all");
  const shown = useMemo(() => {
    const q = search.trim().toLowerCase();
    return (policies.data ?? [])
      .filter((p) => state === "all" || p.state === state)
      .filter((p) => q === "" || p.displayName.toLowerCase().includes(q) || p.id.toLowerCase() === q)
      .sort((a, b) => a.displayName.localeCompare(b.displayName));
  }, [policies.data, search, state]);
  return (
    <div>
      <PageHeader
        title="Policies"
        description="Conditional Access policies of this tenant."
        actions={
          <div style={{ display: "flex", gap: "8px" }}>
            <Button appearance="primary" onClick={() => navigate("/policies/new")}>
              New policy
            </Button>
            <Button onClick={() => navigate("/templates")}>New policy from template</Button>
          </div>
        }
      />
      <div className={styles.filters}>
        <Field label="Search">
          <Input value={search} onChange={(_e, d) => setSearch(d.value)} placeholder="Policy name or id" />
        </Field>
        <Field label="State">
          <Dropdown
            value={state === "all" ? "All states" : (STATE_LABELS[state] ?? state)}
            selectedOptions={[state]}
            onOptionSelect={(_e, d) => setState(d.optionValue ?? "all")}
          >
            <Option value="all">All states</Option>
            <Option value="enabled">On</Option>
            <Option value="enabledForReportingButNotEnforced">Report-only</Option>
            <Option value="disabled">Off</Option>
          </Dropdown>
        </Field>
      </div>
      <ErrorBar error={policies.error} />
      {policies.loading && policies.data === undefined ? <Loading /> : null}
      {policies.data ? (
        <>
          <Text className={styles.count} role="status">
            {shown.length} of {policies.data.length} policies
          </Text>
          <div className={styles.scroll}>
            <ListTable
              label="Policies"
              columns={["Policy name", "State", "Last modified", "Impact"]}
              items={shown}
              rowKey={(p) => p.id}
              cells={(p) => [
                <RouteLink key="policy" to={`/policies/${p.id}`}>
                  {p.displayName}
                </RouteLink>,
                <StateBadge key="state" state={p.state} />,
                formatDateTime(p.modifiedDateTime ?? p.createdDateTime),
                <RouteLink key="impact" to={`/policies/${p.id}/impact`} label={`Impact of ${p.displayName}`}>
                  Impact
                </RouteLink>,
              ]}
            />
          </div>
        </>
      ) : null}
    </div>
  );
}
