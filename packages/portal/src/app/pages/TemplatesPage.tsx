import { Button, Card, CardHeader, makeStyles, Tab, TabList, Text } from "@fluentui/react-components";
import { useMemo, useState } from "react";
import { list, PATHS } from "../api";
import { ErrorBar, Loading, PageHeader } from "../components/common";
import { useAsync } from "../hooks";
import { navigate } from "../router";
import type { Template } from "../types";

const SCENARIOS: [string, string][] = [
  ["all", "All"],
  ["secureFoundation", "Secure foundation"],
  ["zeroTrust", "Zero Trust"],
  ["remoteWork", "Remote work"],
  ["protectAdmins", "Protect administrators"],
  ["emergingThreats", "Emerging threats"],
];

const useStyles = makeStyles({
  grid: { display: "grid", gridTemplateColumns: "repeat(auto-fill, minmax(300px, 1fr))", gap: "12px", marginTop: "12px" },
  card: { display: "flex", flexDirection: "column", gap: "8px" },
  scenarios: { color: "inherit", opacity: 0.8 },
});

export function TemplatesPage() {
  const styles = useStyles();
  const templates = useAsync(() => list<Template>(`${PATHS.templates}?$top=999`), []);
  const [scenario, setScenario] = useState("all");
  const shown = useMemo(
    () =>
      (templates.data ?? []).filter(
        (t) =>
          scenario === "all" ||
          t.scenarios
            .split(",")
            .map((s) => s.trim())
            .includes(scenario),
      ),
    [templates.data, scenario],
  );
  const label = (s: string) => SCENARIOS.find(([v]) => v === s)?.[1] ?? s;
  return (
    <div>
      <PageHeader
        title="Templates"
        description="Microsoft's Conditional Access templates and Gatehouse's own. A policy created from a template starts in report-only mode."
      />
      <TabList selectedValue={scenario} onTabSelect={(_e, d) => setScenario(String(d.value))} aria-label="Scenario">
        {SCENARIOS.map(([value, text]) => (
          <Tab key={value} value={value}>
            {text}
          </Tab>
        ))}
      </TabList>
      <ErrorBar error={templates.error} />
      {templates.loading && templates.data === undefined ? <Loading /> : null}
      <div className={styles.grid}>
        {shown.map((t) => (
          <Card key={t.id} className={styles.card} role="article" aria-label={t.name}>
            <CardHeader
              header={<Text weight="semibold">{t.name}</Text>}
              description={
                <Text size={200} className={styles.scenarios}>
                  {t.scenarios
                    .split(",")
                    .map((s) => label(s.trim()))
                    .join(" · ")}
                </Text>
              }
            />
            <Text>{t.description}</Text>
            <div>
              <Button
                appearance="primary"
                onClick={() => navigate(`/policies/new?template=${encodeURIComponent(t.id)}`)}
                aria-label={`Create policy from ${t.name}`}
              >
                Create policy
              </Button>
            </div>
          </Card>
        ))}
      </div>
    </div>
  );
}
