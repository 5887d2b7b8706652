import {
  Button,
  Checkbox,
  Dropdown,
  Field,
  Input,
  MessageBar,
  MessageBarBody,
  MessageBarTitle,
  makeStyles,
  Option,
  Radio,
  RadioGroup,
  Switch,
  Tab,
  TabList,
  Text,
  Textarea,
  Title3,
  tokens,
} from "@fluentui/react-components";
import { parseFilterRule, validatePolicy } from "@gatehouse/engine";
import { type ReactNode, useEffect, useMemo, useRef, useState } from "react";
import { GraphError, type GraphErrorDetail, get, PATHS, request } from "../api";
import { accountOf, readTokens } from "../auth";
import { ErrorBar, Loading, PageHeader, RiskAcknowledgement, StateBadge } from "../components/common";
import { ObjectPicker, type PickerOption } from "../components/ObjectPicker";
import { type Directory, invalidateDirectory, ROLE_NAMES, useDirectory } from "../directory";
import { blankPolicy, fromGraph, fromTemplate, REPORT_ONLY, toGraph } from "../policy-model";
import { navigate } from "../router";
import type { ConditionalAccessPolicy, Template } from "../types";

const useStyles = makeStyles({
  form: { display: "flex", flexDirection: "column", gap: "16px", maxWidth: "960px" },
  section: {
    border: `1px solid ${tokens.colorNeutralStroke2}`,
    borderRadius: tokens.borderRadiusMedium,
    padding: "12px 16px",
    display: "flex",
    flexDirection: "column",
    gap: "10px",
  },
  row: { display: "flex", flexWrap: "wrap", gap: "8px 20px", alignItems: "center" },
  grid: { display: "grid", gridTemplateColumns: "repeat(auto-fill, minmax(260px, 1fr))", gap: "12px" },
  sub: { fontWeight: tokens.fontWeightSemibold },
  json: { fontFamily: tokens.fontFamilyMonospace, minHeight: "320px" },
  actions: {
    display: "flex",
    flexWrap: "wrap",
    gap: "8px",
    position: "sticky",
    bottom: 0,
    padding: "8px 0",
    backgroundColor: tokens.colorNeutralBackground1,
  },
  ok: { color: tokens.colorPaletteGreenForeground1 },
  bad: { color: tokens.colorPaletteRedForeground1 },
});

type Draft = ConditionalAccessPolicy;
type Users = NonNullable<Draft["conditions"]["users"]>;
type Apps = NonNullable<Draft["conditions"]["applications"]>;

const GUEST_TYPES: [string, string][] = [
  ["internalGuest", "Local guest users"],
  ["b2bCollaborationGuest", "B2B collaboration guest users"],
  ["b2bCollaborationMember", "B2B collaboration member users"],
  ["b2bDirectConnectUser", "B2B direct connect users"],
  ["otherExternalUser", "Other external users"],
  ["serviceProvider", "Service provider users"],
];
const PLATFORMS: [string, string][] = [
  ["android", "Android"],
  ["iOS", "iOS"],
  ["windows", "Windows"],
  ["macOS", "macOS"],
  ["linux", "Linux"],
  ["windowsPhone", "Windows Phone"],
];
const CLIENT_APPS: [string, string][] = [
  ["browser", "Browser"],
  ["mobileAppsAndDesktopClients", "Mobile apps and desktop clients"],
  ["exchangeActiveSync", "Exchange ActiveSync clients"],
  ["other", "Other clients"],
];
const RISK: [string, string][] = [
  ["high", "High"],
  ["medium", "Medium"],
  ["low", "Low"],
  ["none", "No risk"],
];
const INSIDER_RISK: [string, string][] = [
  ["elevated", "Elevated"],
  ["moderate", "Moderate"],
  ["minor", "Minor"],
];
const GRANTS: [string, string][] = [
  ["mfa", "Require multifactor authentication"],
  ["compliantDevice", "Require device to be marked as compliant"],
  ["domainJoinedDevice", "Require Microsoft Entra hybrid joined device"],
  ["approvedApplication", "Require approved client app"],
  ["compliantApplication", "Require app protection policy"],
  ["passwordChange", "Require password change"],
];
const USER_ACTIONS: [string, string][] = [
  ["urn:user:registersecurityinfo", "Register security information"],
  ["urn:user:registerdevice", "Register or join devices"],
];
const FLOWS: [string, string][] = [
  ["deviceCodeFlow", "Device code flow"],
  ["authenticationTransfer", "Authentication transfer"],
];

function Section(props: { title: string; children: ReactNode; summary?: string }) {
  const styles = useStyles();
  const id = `section-${props.title.toLowerCase().replace(/[^a-z]+/g, "-")}`;
  return (
    <section className={styles.section} aria-labelledby={id}>
      <Title3 as="h2" id={id}>
        {props.title}
      </Title3>
      {props.summary ? <Text>{props.summary}</Text> : null}
      {props.children}
    </section>
  );
}

function CheckList(props: { label: string; items: [string, string][]; values: string[]; onChange: (values: string[]) => void }) {
  const styles = useStyles();
  return (
    <fieldset style={{ border: "none", margin: 0, padding: 0 }}>
      <legend className={styles.sub}>{props.label}</legend>
      <div className={styles.row}>
        {props.items.map(([value, label]) => (
          <Checkbox
            key={value}
            label={label}
            checked={props.values.includes(value)}
            onChange={(_e, d) => props.onChange(d.checked ? [...props.values, value] : props.values.filter((v) => v !== value))}
          />
        ))}
      </div>
    </fieldset>
  );
}

function guestTypesOf(value: Users["includeGuestsOrExternalUsers"]): string[] {
  return value?.guestOrExternalUserTypes ?? [];
}
function withGuestTypes(types: string[]): Users["includeGuestsOrExternalUsers"] {
  return types.length === 0
    ? null
    : {
        guestOrExternalUserTypes: types,
        externalTenants: { "@odata.type": "#microsoft.graph.conditionalAccessAllExternalTenants", membershipKind: "all" },
      };
}

function options(directory: Directory | undefined) {
  const users: PickerOption[] = (directory?.users ?? []).map((u) => ({ id: u.id, label: u.displayName, secondary: u.userPrincipalName }));
  const groups: PickerOption[] = (directory?.groups ?? []).map((g) => ({ id: g.id, label: g.displayName, secondary: g.description ?? "" }));
  const roles: PickerOption[] = Object.entries(ROLE_NAMES).map(([id, label]) => ({ id, label }));
  const apps: PickerOption[] = [
    { id: "Office365", label: "Office 365", secondary: "suite" },
    { id: "MicrosoftAdminPortals", label: "Microsoft Admin Portals", secondary: "suite" },
    ...(directory?.servicePrincipals ?? []).map((s) => ({ id: s.appId, label: s.displayName, secondary: s.appId })),
  ];
  const workloads: PickerOption[] = (directory?.servicePrincipals ?? []).map((s) => ({
    id: s.id,
    label: s.displayName,
    secondary: s.appId,
  }));
  const locations: PickerOption[] = (directory?.namedLocations ?? []).map((l) => ({ id: l.id, label: l.displayName }));
  return { users, groups, roles, apps, workloads, locations };
}

/** The include choice of a list with the "All"/"None" keywords. */
function scopeOf(values: string[]): "none" | "all" | "select" {
  if (values.length === 1 && values[0] === "All") return "all";
  if (values.length === 1 && values[0] === "None") return "none";
  return values.length === 0 ? "none" : "select";
}

function UsersSection(props: { draft: Draft; set: (d: Draft) => void; directory: Directory | undefined }) {
  const { draft, set } = props;
  const styles = useStyles();
  const o = useMemo(() => options(props.directory), [props.directory]);
  const [tab, setTab] = useState<"include" | "exclude">("include");
  const workload = draft.conditions.clientApplications !== null && draft.conditions.users === null;
  const users = draft.conditions.users ?? blankPolicy().conditions.users!;
  const setUsers = (patch: Partial<Users>) => set({ ...draft, conditions: { ...draft.conditions, users: { ...users, ...patch } } });
  const client = draft.conditions.clientApplications ?? {
    includeServicePrincipals: [],
    excludeServicePrincipals: [],
    servicePrincipalFilter: null,
  };
  const [scopeChoice, setScopeChoice] = useState<"none" | "all" | "select" | null>(null);
  const derivedScope =
    scopeOf(users.includeUsers) === "select" ||
    users.includeGroups.length > 0 ||
    users.includeRoles.length > 0 ||
    users.includeGuestsOrExternalUsers
      ? "select"
      : scopeOf(users.includeUsers);
  const includeScope = scopeChoice ?? derivedScope;
  const specificUsers = users.includeUsers.filter((u) => u !== "All" && u !== "None" && u !== "GuestsOrExternalUsers");
  return (
    <Section title="Users or workload identities">
      <RadioGroup
        layout="horizontal"
        aria-label="What does this policy apply to?"
        value={workload ? "workload" : "users"}
        onChange={(_e, d) =>
          set({
            ...draft,
            conditions:
              d.value === "workload"
                ? { ...draft.conditions, users: null, clientApplications: client }
                : { ...draft.conditions, users, clientApplications: null },
          })
        }
      >
        <Radio value="users" label="Users and groups" />
        <Radio value="workload" label="Workload identities" />
      </RadioGroup>
      <TabList selectedValue={tab} onTabSelect={(_e, d) => setTab(d.value as "include" | "exclude")} aria-label="Include or exclude">
        <Tab value="include">Include</Tab>
        <Tab value="exclude">Exclude</Tab>
      </TabList>
      {workload ? (
        tab === "include" ? (
          <div className={styles.grid}>
            <ObjectPicker
              label="Service principals"
              options={[{ id: "ServicePrincipalsInMyTenant", label: "All owned service principals" }, ...o.workloads]}
              selected={client.includeServicePrincipals}
              onChange={(ids) =>
                set({ ...draft, conditions: { ...draft.conditions, clientApplications: { ...client, includeServicePrincipals: ids } } })
              }
            />
          </div>
        ) : (
          <ObjectPicker
            label="Excluded service principals"
            options={o.workloads}
            selected={client.excludeServicePrincipals}
            onChange={(ids) =>
              set({ ...draft, conditions: { ...draft.conditions, clientApplications: { ...client, excludeServicePrincipals: ids } } })
            }
          />
        )
      ) : tab === "include" ? (
        <>
          <RadioGroup
            layout="horizontal"
            aria-label="Included users"
            value={includeScope}
            onChange={(_e, d) => {
              setScopeChoice(d.value as "none" | "all" | "select");
              if (d.value === "all")
                setUsers({ includeUsers: ["All"], includeGroups: [], includeRoles: [], includeGuestsOrExternalUsers: null });
              else if (d.value === "none")
                setUsers({ includeUsers: ["None"], includeGroups: [], includeRoles: [], includeGuestsOrExternalUsers: null });
              else setUsers({ includeUsers: [] });
            }}
          >
            <Radio value="none" label="None" />
            <Radio value="all" label="All users" />
            <Radio value="select" label="Select users and groups" />
          </RadioGroup>
          {includeScope === "select" ? (
            <div className={styles.grid}>
              <ObjectPicker label="Users" options={o.users} selected={specificUsers} onChange={(ids) => setUsers({ includeUsers: ids })} />
              <ObjectPicker
                label="Groups"
                options={o.groups}
                selected={users.includeGroups}
                onChange={(ids) => setUsers({ includeGroups: ids })}
              />
              <ObjectPicker
                label="Directory roles"
                options={o.roles}
                selected={users.includeRoles}
                onChange={(ids) => setUsers({ includeRoles: ids })}
              />
              <CheckList
                label="Guest or external users"
                items={GUEST_TYPES}
                values={guestTypesOf(users.includeGuestsOrExternalUsers)}
                onChange={(v) => setUsers({ includeGuestsOrExternalUsers: withGuestTypes(v) })}
              />
            </div>
          ) : null}
        </>
      ) : (
        <div className={styles.grid}>
          <ObjectPicker
            label="Excluded users"
            options={o.users}
            selected={users.excludeUsers}
            onChange={(ids) => setUsers({ excludeUsers: ids })}
          />
          <ObjectPicker
            label="Excluded groups"
            options={o.groups}
            selected={users.excludeGroups}
            onChange={(ids) => setUsers({ excludeGroups: ids })}
          />
          <ObjectPicker
            label="Excluded directory roles"
            options={o.roles}
            selected={users.excludeRoles}
            onChange={(ids) => setUsers({ excludeRoles: ids })}
          />
          <CheckList
            label="Excluded guest or external users"
            items={GUEST_TYPES}
            values={guestTypesOf(users.excludeGuestsOrExternalUsers)}
            onChange={(v) => setUsers({ excludeGuestsOrExternalUsers: withGuestTypes(v) })}
          />
        </div>
      )}
      <Text size={200}>
        {workload
          ? `Includes ${client.includeServicePrincipals.length} and excludes ${client.excludeServicePrincipals.length} service principals.`
          : `Includes: ${summary(users.includeUsers, users.includeGroups, users.includeRoles)}. Excludes: ${summary(users.excludeUsers, users.excludeGroups, users.excludeRoles)}.`}
      </Text>
    </Section>
  );
}

function summary(u: string[], g: string[], r: string[]): string {
  if (u.includes("All")) return "all users";
  const parts = [`${u.filter((x) => x !== "None").length} users`, `${g.length} groups`, `${r.length} roles`];
  return parts.join(", ");
}

function TargetSection(props: { draft: Draft; set: (d: Draft) => void; directory: Directory | undefined }) {
  const { draft, set, directory } = props;
  const styles = useStyles();
  const o = useMemo(() => options(directory), [directory]);
  const apps = draft.conditions.applications ?? blankPolicy().conditions.applications!;
  const setApps = (patch: Partial<Apps>) => set({ ...draft, conditions: { ...draft.conditions, applications: { ...apps, ...patch } } });
  const kind =
    apps.includeUserActions.length > 0 ? "actions" : apps.includeAuthenticationContextClassReferences.length > 0 ? "contexts" : "apps";
  const [chosen, setChosen] = useState(kind);
  useEffect(() => setChosen(kind), [kind]);
  const [scopeChoice, setScopeChoice] = useState<"none" | "all" | "select" | null>(null);
  const scope = scopeChoice ?? scopeOf(apps.includeApplications);
  const [tab, setTab] = useState<"include" | "exclude">("include");
  return (
    <Section title="Target resources">
      <RadioGroup
        layout="horizontal"
        aria-label="Select what this policy applies to"
        value={chosen}
        onChange={(_e, d) => {
          setChosen(d.value);
          setApps({
            includeApplications: [],
            excludeApplications: [],
            includeUserActions: [],
            includeAuthenticationContextClassReferences: [],
          });
        }}
      >
        <Radio value="apps" label="Resources (cloud apps)" />
        <Radio value="actions" label="User actions" />
        <Radio value="contexts" label="Authentication context" />
      </RadioGroup>
      {chosen === "apps" ? (
        <>
          <TabList
            selectedValue={tab}
            onTabSelect={(_e, d) => setTab(d.value as "include" | "exclude")}
            aria-label="Include or exclude resources"
          >
            <Tab value="include">Include</Tab>
            <Tab value="exclude">Exclude</Tab>
          </TabList>
          {tab === "include" ? (
            <>
              <RadioGroup
                layout="horizontal"
                aria-label="Included resources"
                value={scope}
                onChange={(_e, d) => {
                  setScopeChoice(d.value as "none" | "all" | "select");
                  setApps({ includeApplications: d.value === "all" ? ["All"] : d.value === "none" ? ["None"] : [] });
                }}
              >
                <Radio value="none" label="None" />
                <Radio value="all" label="All resources" />
                <Radio value="select" label="Select resources" />
              </RadioGroup>
              {scope === "select" ? (
                <ObjectPicker
                  label="Resources"
                  placeholder="Search resources and suites"
                  options={o.apps}
                  selected={apps.includeApplications.filter((a) => a !== "None")}
                  onChange={(ids) => setApps({ includeApplications: ids })}
                />
              ) : null}
            </>
          ) : (
            <ObjectPicker
              label="Excluded resources"
              options={o.apps}
              selected={apps.excludeApplications}
              onChange={(ids) => setApps({ excludeApplications: ids })}
            />
          )}
        </>
      ) : chosen === "actions" ? (
        <CheckList
          label="User actions"
          items={USER_ACTIONS}
          values={apps.includeUserActions}
          onChange={(v) => setApps({ includeUserActions: v })}
        />
      ) : (
        <div className={styles.row}>
          {(directory?.contexts ?? []).length === 0 ? (
            <Text>No authentication contexts are defined; add them under Authentication contexts.</Text>
          ) : null}
          <CheckList
            label="Authentication contexts"
            items={(directory?.contexts ?? []).map((c) => [c.id, `${c.id}: ${c.displayName}`] as [string, string])}
            values={apps.includeAuthenticationContextClassReferences}
            onChange={(v) => setApps({ includeAuthenticationContextClassReferences: v })}
          />
        </div>
      )}
    </Section>
  );
}

function NetworkSection(props: { draft: Draft; set: (d: Draft) => void; directory: Directory | undefined }) {
  const { draft, set } = props;
  const styles = useStyles();
  const o = useMemo(() => options(props.directory), [props.directory]);
  const locations = draft.conditions.locations;
  const setLocations = (value: Draft["conditions"]["locations"]) =>
    set({ ...draft, conditions: { ...draft.conditions, locations: value } });
  const include = locations?.includeLocations ?? [];
  const includeScope =
    include.length === 1 && include[0] === "All" ? "all" : include.length === 1 && include[0] === "AllTrusted" ? "trusted" : "select";
  return (
    <Section title="Network">
      <Switch
        label="Configure network locations"
        checked={locations !== null}
        onChange={(_e, d) => setLocations(d.checked ? { includeLocations: ["All"], excludeLocations: [] } : null)}
      />
      {locations !== null ? (
        <div className={styles.grid}>
          <div>
            <RadioGroup
              aria-label="Included networks"
              value={includeScope}
              onChange={(_e, d) =>
                setLocations({ ...locations, includeLocations: d.value === "all" ? ["All"] : d.value === "trusted" ? ["AllTrusted"] : [] })
              }
            >
              <Radio value="all" label="Any network or location" />
              <Radio value="trusted" label="All trusted networks and locations" />
              <Radio value="select" label="Selected networks and locations" />
            </RadioGroup>
            {includeScope === "select" ? (
              <ObjectPicker
                label="Included locations"
                options={o.locations}
                selected={include}
                onChange={(ids) => setLocations({ ...locations, includeLocations: ids })}
              />
            ) : null}
          </div>
          <ObjectPicker
            label="Excluded locations"
            options={[{ id: "AllTrusted", label: "All trusted networks and locations" }, ...o.locations]}
            selected={locations.excludeLocations}
            onChange={(ids) => setLocations({ ...locations, excludeLocations: ids })}
          />
        </div>
      ) : null}
    </Section>
  );
}

/** The device filter rule, checked by the engine's parser as it is typed. */
function DeviceFilter(props: { draft: Draft; set: (d: Draft) => void }) {
  const { draft, set } = props;
  const styles = useStyles();
  const filter = draft.conditions.devices?.deviceFilter ?? null;
  const setFilter = (value: { mode: string; rule: string } | null) =>
    set({
      ...draft,
      conditions: { ...draft.conditions, devices: value === null ? null : { ...(draft.conditions.devices ?? {}), deviceFilter: value } },
    });
  const check = useMemo(
    () => (filter === null || filter.rule.trim() === "" ? null : parseFilterRule(filter.rule, { subject: "device" })),
    [filter],
  );
  return (
    <div>
      <Switch
        label="Filter for devices"
        checked={filter !== null}
        onChange={(_e, d) => setFilter(d.checked ? { mode: "exclude", rule: "" } : null)}
      />
      {filter !== null ? (
        <div className={styles.form}>
          <RadioGroup
            layout="horizontal"
            aria-label="Devices matching the rule are"
            value={filter.mode}
            onChange={(_e, d) => setFilter({ ...filter, mode: d.value })}
          >
            <Radio value="include" label="Include filtered devices" />
            <Radio value="exclude" label="Exclude filtered devices" />
          </RadioGroup>
          <Field
            label="Rule syntax"
            validationState={check === null ? "none" : check.ok ? "success" : "error"}
            validationMessage={
              check === null
                ? 'e.g. device.isCompliant -eq True -and device.operatingSystem -startsWith "Windows"'
                : check.ok
                  ? "The rule is valid."
                  : check.errors.map((e) => `${e.message} (at character ${e.offset + 1})`).join(" ")
            }
          >
            <Textarea value={filter.rule} onChange={(_e, d) => setFilter({ ...filter, rule: d.value })} resize="vertical" />
          </Field>
        </div>
      ) : null}
    </div>
  );
}

function ConditionsSection(props: { draft: Draft; set: (d: Draft) => void }) {
  const { draft, set } = props;
  const styles = useStyles();
  const c = draft.conditions;
  const setC = (patch: Partial<Draft["conditions"]>) => set({ ...draft, conditions: { ...c, ...patch } });
  const workload = c.users === null && c.clientApplications !== null;
  const clientApps = c.clientAppTypes.filter((t) => t !== "all");
  return (
    <Section title="Conditions">
      <div className={styles.grid}>
        {workload ? (
          <CheckList
            label="Service principal risk"
            items={RISK.slice(0, 3)}
            values={c.servicePrincipalRiskLevels}
            onChange={(v) => setC({ servicePrincipalRiskLevels: v })}
          />
        ) : (
          <>
            <CheckList label="User risk" items={RISK.slice(0, 3)} values={c.userRiskLevels} onChange={(v) => setC({ userRiskLevels: v })} />
            <CheckList label="Sign-in risk" items={RISK} values={c.signInRiskLevels} onChange={(v) => setC({ signInRiskLevels: v })} />
            <CheckList
              label="Insider risk"
              items={INSIDER_RISK}
              values={c.insiderRiskLevels}
              onChange={(v) => setC({ insiderRiskLevels: v })}
            />
          </>
        )}
        <CheckList
          label="Device platforms: include (none checked = any)"
          items={PLATFORMS}
          values={(c.platforms?.includePlatforms ?? []).filter((p) => p !== "all")}
          onChange={(v) =>
            setC({
              platforms:
                v.length === 0 && (c.platforms?.excludePlatforms ?? []).length === 0
                  ? null
                  : { includePlatforms: v.length === 0 ? ["all"] : v, excludePlatforms: c.platforms?.excludePlatforms ?? [] },
            })
          }
        />
        <CheckList
          label="Device platforms: exclude"
          items={PLATFORMS}
          values={c.platforms?.excludePlatforms ?? []}
          onChange={(v) => {
            const include = (c.platforms?.includePlatforms ?? []).filter((p) => p !== "all");
            setC({
              platforms:
                v.length === 0 && include.length === 0
                  ? null
                  : { includePlatforms: include.length === 0 ? ["all"] : include, excludePlatforms: v },
            });
          }}
        />
        <CheckList
          label="Client apps (none checked = any)"
          items={CLIENT_APPS}
          values={clientApps}
          onChange={(v) => setC({ clientAppTypes: v.length === 0 ? ["all"] : v })}
        />
        <CheckList
          label="Authentication flows"
          items={FLOWS}
          values={c.authenticationFlows?.transferMethods ?? []}
          onChange={(v) => setC({ authenticationFlows: v.length === 0 ? null : { transferMethods: v } })}
        />
      </div>
      <DeviceFilter draft={draft} set={set} />
    </Section>
  );
}

function GrantSection(props: { draft: Draft; set: (d: Draft) => void; directory: Directory | undefined }) {
  const { draft, set, directory } = props;
  const styles = useStyles();
  const grant = draft.grantControls;
  const blocked = grant?.builtInControls.includes("block") ?? false;
  const base = { operator: "OR", builtInControls: [], customAuthenticationFactors: [], termsOfUse: [], authenticationStrength: null };
  const g = grant ?? base;
  const strengths = directory?.strengths ?? [];
  const strengthId = g.authenticationStrength?.id ?? "";
  return (
    <Section title="Grant">
      <RadioGroup
        layout="horizontal"
        aria-label="Access"
        value={grant === null ? "none" : blocked ? "block" : "grant"}
        onChange={(_e, d) =>
          set({
            ...draft,
            grantControls:
              d.value === "none" ? null : d.value === "block" ? { ...base, builtInControls: ["block"] } : { ...base, builtInControls: [] },
          })
        }
      >
        <Radio value="none" label="Not configured" />
        <Radio value="block" label="Block access" />
        <Radio value="grant" label="Grant access" />
      </RadioGroup>
      {grant !== null && !blocked ? (
        <div className={styles.form}>
          <CheckList
            label="Controls"
            items={GRANTS}
            values={g.builtInControls}
            onChange={(v) => set({ ...draft, grantControls: { ...g, builtInControls: v } })}
          />
          <Field label="Require authentication strength">
            <Dropdown
              value={strengthId === "" ? "None" : (strengths.find((s) => s.id === strengthId)?.displayName ?? strengthId)}
              selectedOptions={[strengthId]}
              onOptionSelect={(_e, d) => {
                const chosen = strengths.find((s) => s.id === d.optionValue);
                set({
                  ...draft,
                  grantControls: { ...g, authenticationStrength: chosen ? { id: chosen.id, displayName: chosen.displayName } : null },
                });
              }}
            >
              <Option value="">None</Option>
              {strengths.map((s) => (
                <Option key={s.id} value={s.id}>
                  {s.displayName}
                </Option>
              ))}
            </Dropdown>
          </Field>
          <RadioGroup
            layout="horizontal"
            aria-label="For multiple controls"
            value={g.operator}
            onChange={(_e, d) => set({ ...draft, grantControls: { ...g, operator: d.value } })}
          >
            <Radio value="AND" label="Require all the selected controls" />
            <Radio value="OR" label="Require one of the selected controls" />
          </RadioGroup>
        </div>
      ) : null}
    </Section>
  );
}

function SessionSection(props: { draft: Draft; set: (d: Draft) => void }) {
  const { draft, set } = props;
  const styles = useStyles();
  const s = draft.sessionControls ?? {};
  const setS = (patch: Record<string, unknown>) => {
    const next: Record<string, unknown> = { ...s, ...patch };
    for (const [k, v] of Object.entries(next)) if (v === null || v === undefined) delete next[k];
    set({ ...draft, sessionControls: Object.keys(next).length === 0 ? null : next });
  };
  const frequency = s.signInFrequency ?? null;
  return (
    <Section title="Session">
      <div className={styles.form}>
        <Checkbox
          label="Use app enforced restrictions"
          checked={s.applicationEnforcedRestrictions?.isEnabled === true}
          onChange={(_e, d) => setS({ applicationEnforcedRestrictions: d.checked ? { isEnabled: true } : null })}
        />
        <Checkbox
          label="Sign-in frequency"
          checked={frequency?.isEnabled === true}
          onChange={(_e, d) =>
            setS({
              signInFrequency: d.checked
                ? {
                    isEnabled: true,
                    value: 1,
                    type: "hours",
                    frequencyInterval: "timeBased",
                    authenticationType: "primaryAndSecondaryAuthentication",
                  }
                : null,
            })
          }
        />
        {frequency?.isEnabled ? (
          <div className={styles.row}>
            <RadioGroup
              layout="horizontal"
              aria-label="Sign-in frequency"
              value={frequency.frequencyInterval === "everyTime" ? "everyTime" : "timeBased"}
              onChange={(_e, d) =>
                setS({
                  signInFrequency:
                    d.value === "everyTime"
                      ? {
                          isEnabled: true,
                          frequencyInterval: "everyTime",
                          authenticationType: "primaryAndSecondaryAuthentication",
                          value: null,
                          type: null,
                        }
                      : { ...frequency, frequencyInterval: "timeBased", value: frequency.value ?? 1, type: frequency.type ?? "hours" },
                })
              }
            >
              <Radio value="timeBased" label="Periodic reauthentication" />
              <Radio value="everyTime" label="Every time" />
            </RadioGroup>
            {frequency.frequencyInterval !== "everyTime" ? (
              <>
                <Field label="Value">
                  <Input
                    type="number"
                    min={1}
                    value={String(frequency.value ?? 1)}
                    onChange={(_e, d) => setS({ signInFrequency: { ...frequency, value: Math.max(1, Number(d.value) || 1) } })}
                  />
                </Field>
                <Field label="Unit">
                  <Dropdown
                    value={frequency.type === "days" ? "Days" : "Hours"}
                    selectedOptions={[frequency.type ?? "hours"]}
                    onOptionSelect={(_e, d) => setS({ signInFrequency: { ...frequency, type: d.optionValue ?? "hours" } })}
                  >
                    <Option value="hours">Hours</Option>
                    <Option value="days">Days</Option>
                  </Dropdown>
                </Field>
              </>
            ) : null}
          </div>
        ) : null}
        <Field label="Persistent browser session">
          <Dropdown
            value={
              s.persistentBrowser?.isEnabled
                ? s.persistentBrowser.mode === "always"
                  ? "Always persistent"
                  : "Never persistent"
                : "Not configured"
            }
            selectedOptions={[s.persistentBrowser?.isEnabled ? String(s.persistentBrowser.mode) : ""]}
            onOptionSelect={(_e, d) => setS({ persistentBrowser: d.optionValue ? { isEnabled: true, mode: d.optionValue } : null })}
          >
            <Option value="">Not configured</Option>
            <Option value="always">Always persistent</Option>
            <Option value="never">Never persistent</Option>
          </Dropdown>
        </Field>
        <Field label="Continuous access evaluation">
          <Dropdown
            value={
              s.continuousAccessEvaluation?.mode === "disabled"
                ? "Disable"
                : s.continuousAccessEvaluation?.mode === "strictEnforcement"
                  ? "Strictly enforce location policies"
                  : "Not configured"
            }
            selectedOptions={[s.continuousAccessEvaluation?.mode ?? ""]}
            onOptionSelect={(_e, d) => setS({ continuousAccessEvaluation: d.optionValue ? { mode: d.optionValue } : null })}
          >
            <Option value="">Not configured</Option>
            <Option value="disabled">Disable</Option>
            <Option value="strictEnforcement">Strictly enforce location policies</Option>
          </Dropdown>
        </Field>
        <Checkbox
          label="Disable resilience defaults"
          checked={s.disableResilienceDefaults === true}
          onChange={(_e, d) => setS({ disableResilienceDefaults: d.checked ? true : null })}
        />
      </div>
    </Section>
  );
}

const UNSAFE_CODES = new Set(["lockout", "emergencyAccessExposure"]);

/** Warnings the server returned with a new policy, shown by the editor of that policy (it opens next). */
let warningsOfCreatedPolicy: { id: string; warnings: { code: string; message: string }[] } | null = null;

function JsonView(props: { draft: Draft; onPaste: (policy: Draft) => void }) {
  const styles = useStyles();
  const text = JSON.stringify(toGraph(props.draft), null, 2);
  const [edited, setEdited] = useState<string | null>(null);
  const [problem, setProblem] = useState<string | null>(null);
  const [copied, setCopied] = useState(false);
  const apply = () => {
    try {
      const { policy, issues } = fromGraph(JSON.parse(edited ?? text));
      const errors = issues.filter((i) => i.severity === "error");
      if (policy === null || errors.length > 0) {
        setProblem(errors.map((i) => `${i.path}: ${i.message}`).join("; ") || "This is not a policy.");
        return;
      }
      props.onPaste({ ...policy, id: props.draft.id, createdDateTime: props.draft.createdDateTime ?? null });
      setEdited(null);
      setProblem(null);
    } catch (e) {
      setProblem(e instanceof Error ? e.message : String(e));
    }
  };
  return (
    <Section
      title="JSON (Graph format)"
      summary="Copy this policy, or paste a policy exported from Microsoft Entra or Gatehouse and apply it to the editor."
    >
      <Field label="Policy JSON" validationState={problem ? "error" : "none"} validationMessage={problem ?? undefined}>
        <Textarea
          className={styles.json}
          textarea={{ className: styles.json, spellCheck: false }}
          value={edited ?? text}
          onChange={(_e, d) => setEdited(d.value)}
          resize="vertical"
        />
      </Field>
      <div className={styles.row}>
        <Button
          onClick={() => {
            void navigator.clipboard?.writeText(edited ?? text).then(
              () => setCopied(true),
              () => setCopied(false),
            );
          }}
        >
          {copied ? "Copied" : "Copy JSON"}
        </Button>
        <Button onClick={apply} disabled={edited === null}>
          Apply pasted JSON
        </Button>
        <Button
          onClick={() => {
            setEdited(null);
            setProblem(null);
          }}
          disabled={edited === null}
        >
          Discard changes
        </Button>
      </div>
    </Section>
  );
}

export function PolicyEditorPage(props: { id: string | null; templateId: string | null }) {
  const styles = useStyles();
  const { directory, error: directoryError } = useDirectory();
  const [draft, setDraft] = useState<Draft | null>(null);
  const [etag, setEtag] = useState<string | null>(null);
  const [loadError, setLoadError] = useState<unknown>(undefined);
  const [saveError, setSaveError] = useState<unknown>(undefined);
  const [unsafe, setUnsafe] = useState<GraphErrorDetail[] | null>(null);
  // The server's guard-rail findings appear at the end of the form: bring them into view (the
  // Save button sits in a bar stuck to the bottom of the window, wherever the reader is).
  const unsafeRef = useRef<HTMLDivElement>(null);
  useEffect(() => {
    if (unsafe !== null) unsafeRef.current?.scrollIntoView({ block: "center" });
  }, [unsafe]);
  const [acknowledged, setAcknowledged] = useState(false);
  const [saving, setSaving] = useState(false);
  const [warnings, setWarnings] = useState<{ code: string; message: string }[]>(() => {
    const carried = warningsOfCreatedPolicy !== null && warningsOfCreatedPolicy.id === props.id ? warningsOfCreatedPolicy.warnings : [];
    warningsOfCreatedPolicy = null;
    return carried;
  });
  const [view, setView] = useState<"editor" | "json">("editor");

  useEffect(() => {
    let live = true;
    setDraft(null);
    setLoadError(undefined);
    const load = async (): Promise<Draft> => {
      if (props.id !== null) {
        const response = await request<Record<string, unknown>>(`${PATHS.policies}/${encodeURIComponent(props.id)}`);
        setEtag(response.headers.get("etag"));
        const { policy } = fromGraph(response.body);
        if (policy === null) throw new Error("The server returned a policy this editor cannot read.");
        return policy;
      }
      if (props.templateId !== null) {
        const template = await get<Template>(`${PATHS.templates}/${encodeURIComponent(props.templateId)}`);
        const tokens = readTokens();
        const policy = fromTemplate(template, tokens ? (accountOf(tokens)?.id ?? null) : null);
        if (policy === null) throw new Error(`The template ${template.name} cannot be read.`);
        return policy;
      }
      return blankPolicy();
    };
    load().then(
      (p) => live && setDraft(p),
      (e: unknown) => live && setLoadError(e),
    );
    return () => {
      live = false;
    };
  }, [props.id, props.templateId]);

  // The server's answer (a refusal to acknowledge, warnings, an error) is brought into view.
  useEffect(() => {
    if (unsafe !== null || warnings.length > 0 || saveError !== undefined)
      document.getElementById("editor-messages")?.scrollIntoView({ block: "center", behavior: "smooth" });
  }, [unsafe, warnings, saveError]);

  const set = (d: Draft) => {
    setDraft(d);
    setUnsafe(null);
    setAcknowledged(false);
  };

  const issues = useMemo(() => {
    if (draft === null) return [];
    const context = directory
      ? {
          userIds: new Set(directory.users.map((u) => u.id.toLowerCase())),
          groupIds: new Set(directory.groups.map((g) => g.id.toLowerCase())),
          namedLocationIds: new Set(directory.namedLocations.map((l) => l.id.toLowerCase())),
          authenticationStrengthIds: new Set(directory.strengths.map((s) => s.id.toLowerCase())),
        }
      : undefined;
    try {
      return validatePolicy(draft, context).filter((i) => i.path !== "$.id");
    } catch {
      return [];
    }
  }, [draft, directory]);

  if (loadError !== undefined) {
    return (
      <div>
        <PageHeader title="Policy" />
        <ErrorBar error={loadError} />
      </div>
    );
  }
  if (draft === null) return <Loading />;

  const save = async (allowUnsafe: boolean) => {
    setSaving(true);
    setSaveError(undefined);
    setWarnings([]);
    const headers: Record<string, string> = {
      prefer: allowUnsafe ? "allow-unsafe-policy, return=representation" : "return=representation",
    };
    try {
      const body = toGraph(draft, true);
      const response =
        props.id === null
          ? await request<Record<string, unknown>>(PATHS.policies, { method: "POST", body, headers })
          : await request<Record<string, unknown>>(`${PATHS.policies}/${encodeURIComponent(props.id)}`, {
              method: "PATCH",
              body,
              headers: { ...headers, ...(etag ? { "if-match": etag } : {}) },
            });
      invalidateDirectory();
      const returned = (response.body?.["@gatehouse.warnings"] as { code: string; message: string }[] | undefined) ?? [];
      setUnsafe(null);
      setAcknowledged(false);
      const id = String(response.body?.id ?? props.id ?? "");
      if (returned.length > 0) setWarnings(returned);
      setEtag(response.headers.get("etag"));
      if (props.id === null && returned.length > 0) {
        // Created, with advice from the server: show it in the new policy's editor.
        warningsOfCreatedPolicy = { id, warnings: returned };
        navigate(`/policies/${encodeURIComponent(id)}`);
      } else if (props.id === null) navigate(`/policies?saved=${encodeURIComponent(id)}`);
      else {
        const { policy } = fromGraph(response.body);
        if (policy) setDraft(policy);
        setWarnings((w) => (w.length > 0 ? w : [{ code: "saved", message: "The policy was saved." }]));
      }
    } catch (e) {
      if (e instanceof GraphError && e.status === 409 && e.details.some((d) => UNSAFE_CODES.has(d.code))) {
        setUnsafe(e.details);
      } else setSaveError(e);
    } finally {
      setSaving(false);
    }
  };

  const remove = async () => {
    if (props.id === null || !window.confirm(`Delete the policy "${draft.displayName}"?`)) return;
    try {
      await request(`${PATHS.policies}/${encodeURIComponent(props.id)}`, { method: "DELETE", headers: etag ? { "if-match": etag } : {} });
      navigate("/policies");
    } catch (e) {
      setSaveError(e);
    }
  };

  const errors = issues.filter((i) => i.severity === "error");
  return (
    <div>
      <PageHeader
        title={props.id === null ? "New policy" : draft.displayName || "Policy"}
        description={props.templateId !== null ? "Created from a template, in report-only mode: review it, then save." : undefined}
        actions={props.id !== null ? <StateBadge state={draft.state} /> : undefined}
      />
      <ErrorBar error={directoryError} title="The directory could not be read for the pickers" />
      <TabList selectedValue={view} onTabSelect={(_e, d) => setView(d.value as "editor" | "json")} aria-label="Editor view">
        <Tab value="editor">Editor</Tab>
        <Tab value="json">JSON view</Tab>
      </TabList>
      <form
        className={styles.form}
        onSubmit={(e) => {
          e.preventDefault();
          void save(false);
        }}
      >
        {view === "json" ? (
          <JsonView draft={draft} onPaste={set} />
        ) : (
          <>
            <Section title="Name">
              <Field label="Name" required>
                <Input value={draft.displayName} onChange={(_e, d) => set({ ...draft, displayName: d.value })} />
              </Field>
            </Section>
            <UsersSection draft={draft} set={set} directory={directory} />
            <TargetSection draft={draft} set={set} directory={directory} />
            <NetworkSection draft={draft} set={set} directory={directory} />
            <ConditionsSection draft={draft} set={set} />
            <GrantSection draft={draft} set={set} directory={directory} />
            <SessionSection draft={draft} set={set} />
          </>
        )}
        <Section title="Enable policy">
          <RadioGroup
            layout="horizontal"
            aria-label="Enable policy"
            value={draft.state}
            onChange={(_e, d) => set({ ...draft, state: d.value })}
          >
            <Radio value={REPORT_ONLY} label="Report-only" />
            <Radio value="enabled" label="On" />
            <Radio value="disabled" label="Off" />
          </RadioGroup>
        </Section>
        <div id="editor-messages" />
        {issues.length > 0 ? (
          <MessageBar intent={errors.length > 0 ? "error" : "warning"} layout="multiline">
            <MessageBarBody>
              <MessageBarTitle>{errors.length > 0 ? "Fix these before saving" : "Check these"}</MessageBarTitle>
              <ul>
                {issues.map((i) => (
                  <li key={`${i.path}-${i.code}`}>
                    {i.message} <code>{i.path}</code>
                  </li>
                ))}
              </ul>
            </MessageBarBody>
          </MessageBar>
        ) : null}
        {unsafe !== null ? (
          <div ref={unsafeRef}>
            <RiskAcknowledgement
              title="This policy could lock out administrators or affect emergency access"
              findings={unsafe}
              codeLabel={(code) => (code === "lockout" ? "Lockout" : code === "emergencyAccessExposure" ? "Emergency access" : code)}
              acknowledged={acknowledged}
              onAcknowledge={setAcknowledged}
              acknowledgeLabel="I understand the risk and want to save this policy anyway"
            />
          </div>
        ) : null}
        {warnings.map((w) => (
          <MessageBar key={w.code + w.message} intent={w.code === "saved" ? "success" : "warning"} layout="multiline" role="status">
            <MessageBarBody>{w.message}</MessageBarBody>
          </MessageBar>
        ))}
        <ErrorBar error={saveError} />
        <div className={styles.actions}>
          {unsafe !== null ? (
            <Button appearance="primary" disabled={!acknowledged || saving} onClick={() => void save(true)}>
              Save anyway
            </Button>
          ) : (
            <Button appearance="primary" type="submit" disabled={saving || errors.length > 0 || draft.displayName.trim() === ""}>
              {saving ? "Saving…" : props.id === null ? "Create" : "Save"}
            </Button>
          )}
          <Button onClick={() => navigate("/policies")}>Cancel</Button>
          {props.id !== null ? (
            <Button onClick={() => navigate(`/policies/${encodeURIComponent(props.id ?? "")}/impact`)}>Policy impact</Button>
          ) : null}
          {props.id !== null ? (
            <Button onClick={() => navigate(`/signins?policy=${encodeURIComponent(props.id ?? "")}`)}>Sign-ins for this policy</Button>
          ) : null}
          {props.id !== null ? <Button onClick={() => void remove()}>Delete</Button> : null}
        </div>
      </form>
    </div>
  );
}
