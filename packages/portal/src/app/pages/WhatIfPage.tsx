import { Button, Dropdown, Field, Input, makeStyles, Option, Radio, RadioGroup, Text, Title3 } from "@fluentui/react-components";
import { useMemo, useState } from "react";
import { RouteLink } from "../App";
import { PATHS, request } from "../api";
import { ErrorBar, ListTable, Loading, PageHeader, ResultBadge, StateBadge } from "../components/common";
import { ObjectPicker } from "../components/ObjectPicker";
import { useDirectory } from "../directory";
import type { WhatIfResponse } from "../types";

const useStyles = makeStyles({
  form: { display: "grid", gridTemplateColumns: "repeat(auto-fill, minmax(260px, 1fr))", gap: "12px", alignItems: "start" },
  actions: { margin: "16px 0", display: "flex", gap: "8px" },
  scroll: { overflowX: "auto", marginBottom: "20px" },
  outcome: { display: "block", margin: "12px 0", fontSize: "16px" },
});

/** Why a policy does not apply, in the words of Entra's What If (Graph's `analysisReasons` as a tooltip). */
const REASON_LABELS: Record<string, string> = {
  users: "Users and groups",
  workloadIdentities: "Workload identities",
  application: "Target resources",
  userActions: "User actions",
  authenticationContext: "Authentication context",
  devicePlatform: "Device platforms",
  devices: "Filter for devices",
  clientApps: "Client apps",
  location: "Locations",
  signInRisk: "Sign-in risk",
  userRisk: "User risk",
  insiderRisk: "Insider risk",
  authenticationFlow: "Authentication flows",
  policyNotEnabled: "The policy is off",
  emptyPolicy: "The policy has no conditions",
  invalidPolicy: "The policy is not valid",
  invalidCondition: "A condition could not be evaluated",
  notEnoughInformation: "Not enough information in the request",
  time: "Time",
};

const reasonLabel = (reasons: string): string =>
  reasons
    .split(",")
    .map((r) => REASON_LABELS[r.trim()] ?? r.trim())
    .join(", ");

const CONTROL_LABELS: Record<string, string> = {
  mfa: "Require multifactor authentication",
  block: "Block access",
  compliantDevice: "Require compliant device",
  domainJoinedDevice: "Require hybrid joined device",
  approvedApplication: "Require approved client app",
  compliantApplication: "Require app protection policy",
  passwordChange: "Require password change",
};

function Choice(props: { label: string; value: string; onChange: (v: string) => void; items: [string, string][] }) {
  return (
    <Field label={props.label}>
      <Dropdown
        value={props.items.find(([v]) => v === props.value)?.[1] ?? "Any"}
        selectedOptions={[props.value]}
        onOptionSelect={(_e, d) => props.onChange(d.optionValue ?? "")}
      >
        {props.items.map(([v, l]) => (
          <Option key={v} value={v}>
            {l}
          </Option>
        ))}
      </Dropdown>
    </Field>
  );
}

function controlsOf(p: WhatIfResponse["value"][number]): string {
  const g = p.grantControls;
  const parts = (g?.builtInControls ?? []).map((c) => CONTROL_LABELS[c] ?? c);
  if (g?.authenticationStrength)
    parts.push(`Authentication strength: ${g.authenticationStrength.displayName ?? g.authenticationStrength.id}`);
  const session = Object.keys(p.sessionControls ?? {});
  return [parts.join(g?.operator === "AND" ? " and " : " or "), ...session].filter((s) => s !== "").join("; ") || "—";
}

export function WhatIfPage() {
  const styles = useStyles();
  const { directory, error: directoryError } = useDirectory();
  const [identity, setIdentity] = useState<"user" | "servicePrincipal">("user");
  const [principal, setPrincipal] = useState<string[]>([]);
  const [target, setTarget] = useState<"apps" | "action" | "context">("apps");
  const [apps, setApps] = useState<string[]>([]);
  const [action, setAction] = useState("urn:user:registersecurityinfo");
  const [context, setContext] = useState("");
  const [ip, setIp] = useState("");
  const [country, setCountry] = useState("");
  const [platform, setPlatform] = useState("");
  const [clientApp, setClientApp] = useState("");
  const [signInRisk, setSignInRisk] = useState("");
  const [userRisk, setUserRisk] = useState("");
  const [insiderRisk, setInsiderRisk] = useState("");
  const [servicePrincipalRisk, setServicePrincipalRisk] = useState("");
  const [flow, setFlow] = useState("");
  const [result, setResult] = useState<WhatIfResponse | null>(null);
  const [error, setError] = useState<unknown>(undefined);
  const [running, setRunning] = useState(false);

  const userOptions = useMemo(
    () => (directory?.users ?? []).map((u) => ({ id: u.id, label: u.displayName, secondary: u.userPrincipalName })),
    [directory],
  );
  const spOptions = useMemo(
    () => (directory?.servicePrincipals ?? []).map((s) => ({ id: s.id, label: s.displayName, secondary: s.appId })),
    [directory],
  );
  const appOptions = useMemo(
    () => [
      { id: "Office365", label: "Office 365", secondary: "suite" },
      ...(directory?.servicePrincipals ?? []).map((s) => ({ id: s.appId, label: s.displayName, secondary: s.appId })),
    ],
    [directory],
  );

  const run = async () => {
    setRunning(true);
    setError(undefined);
    const id = principal[0];
    const conditions: Record<string, unknown> = {};
    if (ip.trim()) conditions.ipAddress = ip.trim();
    if (country.trim()) conditions.country = country.trim().toUpperCase();
    if (platform) conditions.devicePlatform = platform;
    if (clientApp) conditions.clientAppType = clientApp;
    if (signInRisk) conditions.signInRiskLevel = signInRisk;
    if (userRisk) conditions.userRiskLevel = userRisk;
    if (insiderRisk) conditions.insiderRiskLevel = insiderRisk;
    if (servicePrincipalRisk) conditions.servicePrincipalRiskLevel = servicePrincipalRisk;
    if (flow) conditions.authenticationFlow = { transferMethod: flow };
    const body = {
      signInIdentity:
        identity === "user"
          ? { "@odata.type": "#microsoft.graph.userSignIn", userId: id ?? "" }
          : { "@odata.type": "#microsoft.graph.servicePrincipalSignIn", servicePrincipalId: id ?? "" },
      signInContext:
        target === "apps"
          ? { "@odata.type": "#microsoft.graph.applicationContext", includeApplications: apps }
          : target === "action"
            ? {
                "@odata.type": "#microsoft.graph.userActionContext",
                userAction: action === "urn:user:registerdevice" ? "registerOrJoinDevices" : "registerSecurityInformation",
              }
            : { "@odata.type": "#microsoft.graph.authContext", authenticationContextValue: context },
      signInConditions: conditions,
      appliedPoliciesOnly: false,
    };
    try {
      setResult((await request<WhatIfResponse>(PATHS.evaluate, { method: "POST", body })).body);
    } catch (e) {
      setError(e);
      setResult(null);
    } finally {
      setRunning(false);
    }
  };

  const applies = result?.value.filter((p) => p.policyApplies) ?? [];
  const notApplies = result?.value.filter((p) => !p.policyApplies) ?? [];
  const risk: [string, string][] = [
    ["", "Any (not set)"],
    ["none", "None"],
    ["low", "Low"],
    ["medium", "Medium"],
    ["high", "High"],
  ];
  return (
    <div>
      <PageHeader
        title="What If"
        description="See which policies would apply to a sign-in, with their controls, and why the others would not."
      />
      <ErrorBar error={directoryError} />
      <div className={styles.form}>
        <Field label="Identity type">
          <RadioGroup
            value={identity}
            onChange={(_e, d) => {
              setIdentity(d.value as "user" | "servicePrincipal");
              setPrincipal([]);
            }}
          >
            <Radio value="user" label="User" />
            <Radio value="servicePrincipal" label="Service principal" />
          </RadioGroup>
        </Field>
        <ObjectPicker
          label={identity === "user" ? "User" : "Service principal"}
          options={identity === "user" ? userOptions : spOptions}
          selected={principal}
          onChange={(ids) => setPrincipal(ids.slice(-1))}
        />
        <Field label="Target">
          <RadioGroup value={target} onChange={(_e, d) => setTarget(d.value as "apps" | "action" | "context")}>
            <Radio value="apps" label="Resources (cloud apps)" />
            <Radio value="action" label="User action" />
            <Radio value="context" label="Authentication context" />
          </RadioGroup>
        </Field>
        {target === "apps" ? (
          <ObjectPicker label="Resources" options={appOptions} selected={apps} onChange={setApps} />
        ) : target === "action" ? (
          <Choice
            label="User action"
            value={action}
            onChange={setAction}
            items={[
              ["urn:user:registersecurityinfo", "Register security information"],
              ["urn:user:registerdevice", "Register or join devices"],
            ]}
          />
        ) : (
          <Choice
            label="Authentication context"
            value={context}
            onChange={setContext}
            items={(directory?.contexts ?? []).map((c) => [c.id, `${c.id}: ${c.displayName}`])}
          />
        )}
        <Field label="IP address">
          <Input value={ip} onChange={(_e, d) => setIp(d.value)} placeholder="203.0.113.10" />
        </Field>
        <Field label="Country (ISO code)">
          <Input value={country} onChange={(_e, d) => setCountry(d.value)} placeholder="US" maxLength={2} />
        </Field>
        <Choice
          label="Device platform"
          value={platform}
          onChange={setPlatform}
          items={[
            ["", "Any (not set)"],
            ["android", "Android"],
            ["iOS", "iOS"],
            ["windows", "Windows"],
            ["macOS", "macOS"],
            ["linux", "Linux"],
          ]}
        />
        <Choice
          label="Client app"
          value={clientApp}
          onChange={setClientApp}
          items={[
            ["", "Any (not set)"],
            ["browser", "Browser"],
            ["mobileAppsAndDesktopClients", "Mobile apps and desktop clients"],
            ["exchangeActiveSync", "Exchange ActiveSync"],
            ["other", "Other clients"],
          ]}
        />
        <Choice label="Sign-in risk" value={signInRisk} onChange={setSignInRisk} items={risk} />
        {identity === "user" ? (
          <>
            <Choice label="User risk" value={userRisk} onChange={setUserRisk} items={risk} />
            <Choice
              label="Insider risk"
              value={insiderRisk}
              onChange={setInsiderRisk}
              items={[
                ["", "Any (not set)"],
                ["minor", "Minor"],
                ["moderate", "Moderate"],
                ["elevated", "Elevated"],
              ]}
            />
            <Choice
              label="Authentication flow"
              value={flow}
              onChange={setFlow}
              items={[
                ["", "None"],
                ["deviceCodeFlow", "Device code flow"],
                ["authenticationTransfer", "Authentication transfer"],
              ]}
            />
          </>
        ) : (
          <Choice label="Service principal risk" value={servicePrincipalRisk} onChange={setServicePrincipalRisk} items={risk} />
        )}
      </div>
      <div className={styles.actions}>
        <Button appearance="primary" disabled={principal.length === 0 || running} onClick={() => void run()}>
          What If
        </Button>
        {running ? <Loading label="Evaluating…" /> : null}
      </div>
      <ErrorBar error={error} />
      {result ? (
        <section aria-label="What If result">
          <Text className={styles.outcome} role="status">
            Outcome:{" "}
            <strong>
              {result.decision.outcome === "grant"
                ? "Access granted"
                : result.decision.outcome === "block"
                  ? "Access blocked"
                  : "More is required"}
            </strong>
            {result.decision.requiredControls.length > 0
              ? ` (${result.decision.requiredControls
                  .map((c) =>
                    c.control === "authenticationStrength" ? "Require authentication strength" : (CONTROL_LABELS[c.control] ?? c.control),
                  )
                  .join(result.decision.requiredControls.length > 1 ? "; " : "")})`
              : ""}
          </Text>
          <Title3 as="h2">Policies that will apply ({applies.length})</Title3>
          <div className={styles.scroll}>
            <ListTable
              label="Policies that will apply"
              columns={["Policy", "State", "Controls", "Result"]}
              items={applies}
              rowKey={(p) => p.id}
              cells={(p) => [
                <RouteLink key="policy" to={`/policies/${p.id}`}>
                  {p.displayName}
                </RouteLink>,
                <StateBadge key="state" state={p.state} />,
                controlsOf(p),
                <ResultBadge key="result" result={p.result} />,
              ]}
            />
          </div>
          <Title3 as="h2">Policies that will not apply ({notApplies.length})</Title3>
          <div className={styles.scroll}>
            <ListTable
              label="Policies that will not apply"
              columns={["Policy", "State", "Reason"]}
              items={notApplies}
              rowKey={(p) => p.id}
              cells={(p) => [
                <RouteLink key="policy" to={`/policies/${p.id}`}>
                  {p.displayName}
                </RouteLink>,
                <StateBadge key="state" state={p.state} />,
                <span key="reason" title={p.analysisReasons}>
                  {reasonLabel(p.analysisReasons)}
                </span>,
              ]}
            />
          </div>
        </section>
      ) : null}
    </div>
  );
}
