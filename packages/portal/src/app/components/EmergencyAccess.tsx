/**
 * Emergency-access (break-glass) accounts, from the server's
 * `/v1.0/identity/conditionalAccess/emergencyAccess` (our extension): the declared users and
 * groups, the accounts they resolve to, and the policies that would apply to them. Changing
 * the declaration is for Global Administrators (the server answers 403 otherwise); a 409 (no
 * account left, or a new account in the scope of an enforced policy) is shown with its
 * findings and can be acknowledged, which resends with `Prefer: allow-unsafe-policy`.
 */
import { Badge, Button, MessageBar, MessageBarBody, MessageBarTitle, makeStyles, Text, Title3, tokens } from "@fluentui/react-components";
import { type ReactNode, useMemo, useState } from "react";
import { CA, GraphError, type GraphErrorDetail, get, request } from "../api";
import { type AsyncState, useAsync } from "../hooks";
import type { Group, User } from "../types";
import { ErrorBar, Loading, RiskAcknowledgement } from "./common";
import { ObjectPicker } from "./ObjectPicker";

export const EMERGENCY_ACCESS_PATH = `${CA}/emergencyAccess`;

export interface EmergencyAccessAccount {
  userId: string;
  userPrincipalName?: string;
}

export interface ExposedPolicy {
  policyId: string;
  policyDisplayName: string;
  state: string;
  accounts: EmergencyAccessAccount[];
}

export interface EmergencyAccessView {
  userIds: string[];
  groupIds: string[];
  accounts: EmergencyAccessAccount[];
  exposedPolicies: ExposedPolicy[];
}

export function useEmergencyAccess(): AsyncState<EmergencyAccessView> {
  return useAsync(() => get<EmergencyAccessView>(EMERGENCY_ACCESS_PATH), []);
}

/** Whether a user is an emergency-access account (declared, or a member of a declared group). */
export function isEmergencyAccount(view: EmergencyAccessView | undefined, userId: string): boolean {
  return view?.accounts.some((a) => a.userId.toLowerCase() === userId.toLowerCase()) ?? false;
}

/** Whether a group is declared as emergency access. */
export function isEmergencyGroup(view: EmergencyAccessView | undefined, groupId: string): boolean {
  return view?.groupIds.some((id) => id.toLowerCase() === groupId.toLowerCase()) ?? false;
}

const useStyles = makeStyles({
  panel: { border: `1px solid ${tokens.colorNeutralStroke2}`, borderRadius: tokens.borderRadiusMedium, padding: "12px 16px" },
  list: { margin: "8px 0", paddingLeft: "20px" },
  actions: { display: "flex", gap: "8px", marginTop: "8px", flexWrap: "wrap" },
});

interface Declaration {
  userIds: string[];
  groupIds: string[];
}

const without = (ids: string[], id: string): string[] => ids.filter((x) => x.toLowerCase() !== id.toLowerCase());

export function EmergencyAccessPanel(props: { state: AsyncState<EmergencyAccessView>; users: User[]; groups: Group[] }) {
  const styles = useStyles();
  const view = props.state.data;
  const [adding, setAdding] = useState<string[]>([]);
  const [saving, setSaving] = useState(false);
  const [error, setError] = useState<unknown>(undefined);
  const [refused, setRefused] = useState<{ proposed: Declaration; details: GraphErrorDetail[]; message: string } | null>(null);
  const [acknowledged, setAcknowledged] = useState(false);
  const [notices, setNotices] = useState<string[]>([]);
  const userName = (id: string) => {
    const u = props.users.find((x) => x.id.toLowerCase() === id.toLowerCase());
    return u ? `${u.displayName} (${u.userPrincipalName})` : id;
  };
  const groupName = (id: string) => props.groups.find((x) => x.id.toLowerCase() === id.toLowerCase())?.displayName ?? id;
  const options = useMemo(() => {
    const declared = new Set([...(view?.userIds ?? []), ...(view?.groupIds ?? [])].map((id) => id.toLowerCase()));
    return [
      ...props.users
        .filter((u) => !declared.has(u.id.toLowerCase()))
        .map((u) => ({ id: u.id, label: u.displayName, secondary: u.userPrincipalName })),
      ...props.groups.filter((g) => !declared.has(g.id.toLowerCase())).map((g) => ({ id: g.id, label: g.displayName, secondary: "group" })),
    ];
  }, [props.users, props.groups, view]);

  if (props.state.error !== undefined && view === undefined) return <ErrorBar error={props.state.error} />;
  if (view === undefined) return <Loading />;

  const save = async (proposed: Declaration, allowUnsafe: boolean) => {
    setSaving(true);
    setError(undefined);
    setNotices([]);
    try {
      const response = await request<EmergencyAccessView & { "@gatehouse.warnings"?: { message: string }[] }>(EMERGENCY_ACCESS_PATH, {
        method: "PATCH",
        body: proposed,
        headers: { prefer: allowUnsafe ? "allow-unsafe-policy, return=representation" : "return=representation" },
      });
      setRefused(null);
      setAcknowledged(false);
      setAdding([]);
      setNotices([...(response.body?.["@gatehouse.warnings"] ?? []).map((w) => w.message), "The emergency-access accounts were saved."]);
      props.state.reload();
    } catch (e) {
      if (e instanceof GraphError && e.status === 409) {
        setRefused({ proposed, details: e.details, message: e.message });
        setAcknowledged(false);
      } else setError(e);
    } finally {
      setSaving(false);
    }
  };
  const add = () => {
    const users = adding.filter((id) => props.users.some((u) => u.id === id));
    const groups = adding.filter((id) => props.groups.some((g) => g.id === id));
    void save({ userIds: [...view.userIds, ...users], groupIds: [...view.groupIds, ...groups] }, false);
  };

  return (
    <section className={styles.panel} aria-labelledby="emergency-access-title">
      <Title3 as="h2" id="emergency-access-title">
        Emergency access
      </Title3>
      <Text block>
        Break-glass accounts: policies must exclude them, and the server refuses changes that would block them or ask them for a control.
        Only Global Administrators can change this list.
      </Text>
      <ErrorBar error={error} />
      {notices.map((n) => (
        <MessageBar key={n} intent={n.startsWith("Acknowledged") ? "warning" : "success"} layout="multiline" role="status">
          <MessageBarBody>{n}</MessageBarBody>
        </MessageBar>
      ))}
      {refused !== null ? (
        <RiskAcknowledgement
          title="This change puts emergency access at risk"
          findings={refused.details.length > 0 ? refused.details : [{ code: "conflict", message: refused.message }]}
          codeLabel={(code) =>
            code === "emergencyAccessMissing" ? "No account left" : code === "emergencyAccessExposure" ? "Exposed" : code
          }
          acknowledged={acknowledged}
          onAcknowledge={setAcknowledged}
          acknowledgeLabel="I understand the risk and want to save this change anyway"
          listClassName={styles.list}
        >
          <div className={styles.actions}>
            <Button appearance="primary" disabled={!acknowledged || saving} onClick={() => void save(refused.proposed, true)}>
              Save anyway
            </Button>
            <Button onClick={() => setRefused(null)}>Cancel</Button>
          </div>
        </RiskAcknowledgement>
      ) : null}
      <Text weight="semibold" block>
        Users
      </Text>
      {view.userIds.length === 0 ? <Text block>No user is declared directly.</Text> : null}
      <ul className={styles.list} aria-label="Emergency-access users">
        {view.userIds.map((id) => (
          <li key={id}>
            {userName(id)}{" "}
            <Button
              size="small"
              appearance="subtle"
              disabled={saving}
              aria-label={`Remove ${userName(id)} from emergency access`}
              onClick={() => void save({ userIds: without(view.userIds, id), groupIds: view.groupIds }, false)}
            >
              Remove
            </Button>
          </li>
        ))}
      </ul>
      <Text weight="semibold" block>
        Groups
      </Text>
      {view.groupIds.length === 0 ? <Text block>No group is declared.</Text> : null}
      <ul className={styles.list} aria-label="Emergency-access groups">
        {view.groupIds.map((id) => (
          <li key={id}>
            {groupName(id)}{" "}
            <Button
              size="small"
              appearance="subtle"
              disabled={saving}
              aria-label={`Remove ${groupName(id)} from emergency access`}
              onClick={() => void save({ userIds: view.userIds, groupIds: without(view.groupIds, id) }, false)}
            >
              Remove
            </Button>
          </li>
        ))}
      </ul>
      <Text weight="semibold" block>
        Accounts (including members of nested groups): {view.accounts.length}
      </Text>
      <ul className={styles.list} aria-label="Emergency-access accounts">
        {view.accounts.map((a) => (
          <li key={a.userId}>{a.userPrincipalName ?? userName(a.userId)}</li>
        ))}
      </ul>
      {view.exposedPolicies.length > 0 ? (
        <MessageBar intent="warning" layout="multiline">
          <MessageBarBody>
            <MessageBarTitle>Policies that apply to emergency-access accounts</MessageBarTitle>
            <ExposedPolicyList policies={view.exposedPolicies} />
          </MessageBarBody>
        </MessageBar>
      ) : null}
      <ObjectPicker label="Add emergency-access users or groups" options={options} selected={adding} onChange={setAdding} />
      <div className={styles.actions}>
        <Button appearance="primary" disabled={adding.length === 0 || saving} onClick={add}>
          Add to emergency access
        </Button>
      </div>
    </section>
  );
}

/** The policies that would apply to emergency-access accounts, each with the accounts. */
export function ExposedPolicyList(props: { policies: ExposedPolicy[]; link?: (policy: ExposedPolicy) => ReactNode }) {
  const styles = useStyles();
  return (
    <ul className={styles.list}>
      {props.policies.map((p) => (
        <li key={p.policyId}>
          {props.link ? props.link(p) : p.policyDisplayName}{" "}
          <Badge appearance="outline">
            {p.state === "enabledForReportingButNotEnforced" ? "Report-only" : p.state === "enabled" ? "On" : p.state}
          </Badge>{" "}
          applies to {p.accounts.map((a) => a.userPrincipalName ?? a.userId).join(", ")}
        </li>
      ))}
    </ul>
  );
}
