import {
  Badge,
  Button,
  Checkbox,
  Field,
  Input,
  makeStyles,
  Tab,
  TabList,
  Table,
  TableBody,
  TableCell,
  TableHeader,
  TableHeaderCell,
  TableRow,
  Text,
  Title3,
  tokens,
} from "@fluentui/react-components";
import { useMemo, useState } from "react";
import { list, odataString, PATHS, request } from "../api";
import { CellButton, ErrorBar, Loading, PageHeader } from "../components/common";
import { EmergencyAccessPanel, isEmergencyAccount, isEmergencyGroup, useEmergencyAccess } from "../components/EmergencyAccess";
import { ObjectPicker } from "../components/ObjectPicker";
import { invalidateDirectory, ROLE_NAMES } from "../directory";
import { deleteAfterConfirm, useAsync } from "../hooks";
import type { Group, RoleAssignment, User } from "../types";

const useStyles = makeStyles({
  layout: {
    display: "grid",
    gridTemplateColumns: "minmax(0, 1fr) minmax(0, 1fr)",
    gap: "20px",
    "@media (max-width: 900px)": { gridTemplateColumns: "1fr" },
  },
  form: { display: "flex", flexWrap: "wrap", gap: "10px", alignItems: "end", margin: "12px 0" },
  panel: { border: `1px solid ${tokens.colorNeutralStroke2}`, borderRadius: tokens.borderRadiusMedium, padding: "12px 16px" },
  scroll: { overflowX: "auto" },
});

function RoleAssignments(props: { principalId: string; principalName: string }) {
  const assignments = useAsync(
    () =>
      list<RoleAssignment>(`${PATHS.roleAssignments}?$filter=${encodeURIComponent(`principalId eq ${odataString(props.principalId)}`)}`),
    [props.principalId],
  );
  const [adding, setAdding] = useState<string[]>([]);
  const [error, setError] = useState<unknown>(undefined);
  const roles = useMemo(() => Object.entries(ROLE_NAMES).map(([id, label]) => ({ id, label })), []);
  const add = async () => {
    setError(undefined);
    try {
      for (const roleDefinitionId of adding)
        await request(PATHS.roleAssignments, {
          method: "POST",
          body: { roleDefinitionId, principalId: props.principalId, directoryScopeId: "/" },
        });
      setAdding([]);
      assignments.reload();
    } catch (e) {
      setError(e);
    }
  };
  const remove = (a: RoleAssignment) =>
    deleteAfterConfirm(
      `Remove the role ${ROLE_NAMES[a.roleDefinitionId] ?? a.roleDefinitionId} from ${props.principalName}?`,
      `${PATHS.roleAssignments}/${encodeURIComponent(a.id)}`,
      setError,
      () => assignments.reload(),
    );
  return (
    <section aria-label={`Directory roles of ${props.principalName}`}>
      <Title3 as="h3">Directory roles</Title3>
      <ErrorBar error={assignments.error ?? error} />
      {assignments.data?.length === 0 ? <Text block>No directory roles.</Text> : null}
      <ul>
        {(assignments.data ?? []).map((a) => (
          <li key={a.id}>
            {ROLE_NAMES[a.roleDefinitionId] ?? a.roleDefinitionId}{" "}
            <Button
              size="small"
              appearance="subtle"
              onClick={() => void remove(a)}
              aria-label={`Remove role ${ROLE_NAMES[a.roleDefinitionId] ?? a.roleDefinitionId}`}
            >
              Remove
            </Button>
          </li>
        ))}
      </ul>
      <ObjectPicker label="Assign roles" options={roles} selected={adding} onChange={setAdding} />
      <Button style={{ marginTop: "8px" }} disabled={adding.length === 0} onClick={() => void add()}>
        Assign
      </Button>
    </section>
  );
}

function UsersTab() {
  const styles = useStyles();
  const users = useAsync(() => list<User>(`${PATHS.users}?$top=999`), []);
  const emergency = useEmergencyAccess();
  const [search, setSearch] = useState("");
  const [selected, setSelected] = useState<User | null>(null);
  const [upn, setUpn] = useState("");
  const [name, setName] = useState("");
  const [password, setPassword] = useState("");
  const [error, setError] = useState<unknown>(undefined);
  const shown = (users.data ?? []).filter((u) =>
    `${u.displayName} ${u.userPrincipalName}`.toLowerCase().includes(search.trim().toLowerCase()),
  );
  const create = async () => {
    setError(undefined);
    try {
      const body: Record<string, unknown> = { userPrincipalName: upn.trim(), displayName: name.trim(), accountEnabled: true };
      if (password !== "") body.passwordProfile = { password };
      await request(PATHS.users, { method: "POST", body });
      invalidateDirectory();
      setUpn("");
      setName("");
      setPassword("");
      users.reload();
    } catch (e) {
      setError(e);
    }
  };
  const toggle = async (u: User) => {
    setError(undefined);
    try {
      await request(`${PATHS.users}/${encodeURIComponent(u.id)}`, { method: "PATCH", body: { accountEnabled: !u.accountEnabled } });
      users.reload();
      setSelected({ ...u, accountEnabled: !u.accountEnabled });
    } catch (e) {
      setError(e);
    }
  };
  return (
    <div className={styles.layout}>
      <div>
        <form
          className={styles.form}
          aria-label="New user"
          onSubmit={(e) => {
            e.preventDefault();
            void create();
          }}
        >
          <Field label="User principal name" required>
            <Input value={upn} onChange={(_e, d) => setUpn(d.value)} placeholder="name@example.com" />
          </Field>
          <Field label="Display name" required>
            <Input value={name} onChange={(_e, d) => setName(d.value)} />
          </Field>
          <Field label="Password">
            <Input type="password" value={password} onChange={(_e, d) => setPassword(d.value)} autoComplete="new-password" />
          </Field>
          <Button type="submit" appearance="primary" disabled={upn.trim() === "" || name.trim() === ""}>
            Create user
          </Button>
        </form>
        <ErrorBar error={users.error ?? error} />
        <Field label="Search users">
          <Input value={search} onChange={(_e, d) => setSearch(d.value)} />
        </Field>
        {users.loading && users.data === undefined ? <Loading /> : null}
        <div className={styles.scroll}>
          <Table size="small" aria-label="Users">
            <TableHeader>
              <TableRow>
                <TableHeaderCell>Name</TableHeaderCell>
                <TableHeaderCell>User principal name</TableHeaderCell>
                <TableHeaderCell>Type</TableHeaderCell>
              </TableRow>
            </TableHeader>
            <TableBody>
              {shown.map((u) => (
                <TableRow key={u.id} aria-selected={selected?.id === u.id}>
                  <TableCell>
                    <CellButton onClick={() => setSelected(u)}>{u.displayName}</CellButton>
                    {u.accountEnabled ? null : <Badge appearance="outline">Disabled</Badge>}
                    {isEmergencyAccount(emergency.data, u.id) ? (
                      <Badge appearance="tint" color="danger">
                        Emergency access
                      </Badge>
                    ) : null}
                  </TableCell>
                  <TableCell>{u.userPrincipalName}</TableCell>
                  <TableCell>{u.userType}</TableCell>
                </TableRow>
              ))}
            </TableBody>
          </Table>
        </div>
      </div>
      {selected ? (
        <div className={styles.panel}>
          <Title3 as="h2">{selected.displayName}</Title3>
          <Text block>{selected.userPrincipalName}</Text>
          <Text block>Object id: {selected.id}</Text>
          <Checkbox label="Account enabled" checked={selected.accountEnabled} onChange={() => void toggle(selected)} />
          <RoleAssignments principalId={selected.id} principalName={selected.displayName} />
        </div>
      ) : null}
    </div>
  );
}

function GroupMembers(props: { group: Group; users: User[]; groups: Group[] }) {
  const members = useAsync(
    () =>
      list<{ id: string; displayName?: string; "@odata.type"?: string }>(
        `${PATHS.groups}/${encodeURIComponent(props.group.id)}/members?$top=999`,
      ),
    [props.group.id],
  );
  const [adding, setAdding] = useState<string[]>([]);
  const [error, setError] = useState<unknown>(undefined);
  const options = useMemo(
    () => [
      ...props.users.map((u) => ({ id: u.id, label: u.displayName, secondary: u.userPrincipalName })),
      ...props.groups.filter((g) => g.id !== props.group.id).map((g) => ({ id: g.id, label: g.displayName, secondary: "group" })),
    ],
    [props.users, props.groups, props.group.id],
  );
  const add = async () => {
    setError(undefined);
    try {
      for (const id of adding)
        await request(`${PATHS.groups}/${encodeURIComponent(props.group.id)}/members/$ref`, {
          method: "POST",
          body: { "@odata.id": `${window.location.origin}/v1.0/directoryObjects/${id}` },
        });
      setAdding([]);
      invalidateDirectory();
      members.reload();
    } catch (e) {
      setError(e);
    }
  };
  const remove = (id: string, name: string) =>
    deleteAfterConfirm(
      `Remove ${name} from ${props.group.displayName}?`,
      `${PATHS.groups}/${encodeURIComponent(props.group.id)}/members/${encodeURIComponent(id)}/$ref`,
      setError,
      () => {
        invalidateDirectory();
        members.reload();
      },
    );
  return (
    <section aria-label={`Members of ${props.group.displayName}`}>
      <Title3 as="h3">Members</Title3>
      <ErrorBar error={members.error ?? error} />
      {members.data?.length === 0 ? <Text block>No members.</Text> : null}
      <ul>
        {(members.data ?? []).map((m) => {
          const name = m.displayName ?? options.find((o) => o.id === m.id)?.label ?? m.id;
          return (
            <li key={m.id}>
              {name}{" "}
              <Button size="small" appearance="subtle" onClick={() => void remove(m.id, name)} aria-label={`Remove ${name}`}>
                Remove
              </Button>
            </li>
          );
        })}
      </ul>
      <ObjectPicker label="Add members" options={options} selected={adding} onChange={setAdding} />
      <Button style={{ marginTop: "8px" }} disabled={adding.length === 0} onClick={() => void add()}>
        Add
      </Button>
    </section>
  );
}

function GroupsTab() {
  const styles = useStyles();
  const emergency = useEmergencyAccess();
  const data = useAsync(async () => {
    const [groups, users] = await Promise.all([list<Group>(`${PATHS.groups}?$top=999`), list<User>(`${PATHS.users}?$top=999`)]);
    return { groups, users };
  }, []);
  const [selected, setSelected] = useState<Group | null>(null);
  const [name, setName] = useState("");
  const [description, setDescription] = useState("");
  const [roleAssignable, setRoleAssignable] = useState(false);
  const [error, setError] = useState<unknown>(undefined);
  const create = async () => {
    setError(undefined);
    try {
      await request(PATHS.groups, {
        method: "POST",
        body: {
          displayName: name.trim(),
          description: description.trim() || null,
          isAssignableToRole: roleAssignable,
          securityEnabled: true,
          mailEnabled: false,
        },
      });
      invalidateDirectory();
      setName("");
      setDescription("");
      data.reload();
    } catch (e) {
      setError(e);
    }
  };
  return (
    <div className={styles.layout}>
      <div>
        <form
          className={styles.form}
          aria-label="New group"
          onSubmit={(e) => {
            e.preventDefault();
            void create();
          }}
        >
          <Field label="Group name" required>
            <Input value={name} onChange={(_e, d) => setName(d.value)} />
          </Field>
          <Field label="Description">
            <Input value={description} onChange={(_e, d) => setDescription(d.value)} />
          </Field>
          <Checkbox label="Roles can be assigned" checked={roleAssignable} onChange={(_e, d) => setRoleAssignable(d.checked === true)} />
          <Button type="submit" appearance="primary" disabled={name.trim() === ""}>
            Create group
          </Button>
        </form>
        <ErrorBar error={data.error ?? error} />
        {data.loading && data.data === undefined ? <Loading /> : null}
        <div className={styles.scroll}>
          <Table size="small" aria-label="Groups">
            <TableHeader>
              <TableRow>
                <TableHeaderCell>Name</TableHeaderCell>
                <TableHeaderCell>Description</TableHeaderCell>
              </TableRow>
            </TableHeader>
            <TableBody>
              {(data.data?.groups ?? []).map((g) => (
                <TableRow key={g.id} aria-selected={selected?.id === g.id}>
                  <TableCell>
                    <CellButton onClick={() => setSelected(g)}>{g.displayName}</CellButton>
                    {g.isAssignableToRole ? <Badge appearance="outline">Role-assignable</Badge> : null}
                    {isEmergencyGroup(emergency.data, g.id) ? (
                      <Badge appearance="tint" color="danger">
                        Emergency access
                      </Badge>
                    ) : null}
                  </TableCell>
                  <TableCell>{g.description ?? ""}</TableCell>
                </TableRow>
              ))}
            </TableBody>
          </Table>
        </div>
      </div>
      {selected && data.data ? (
        <div className={styles.panel}>
          <Title3 as="h2">{selected.displayName}</Title3>
          <Text block>Object id: {selected.id}</Text>
          <GroupMembers group={selected} users={data.data.users} groups={data.data.groups} />
          {selected.isAssignableToRole ? <RoleAssignments principalId={selected.id} principalName={selected.displayName} /> : null}
        </div>
      ) : null}
    </div>
  );
}

function EmergencyAccessTab() {
  const state = useEmergencyAccess();
  const directory = useAsync(async () => {
    const [users, groups] = await Promise.all([list<User>(`${PATHS.users}?$top=999`), list<Group>(`${PATHS.groups}?$top=999`)]);
    return { users, groups };
  }, []);
  if (directory.error !== undefined) return <ErrorBar error={directory.error} />;
  if (directory.data === undefined) return <Loading />;
  return <EmergencyAccessPanel state={state} users={directory.data.users} groups={directory.data.groups} />;
}

export function UsersGroupsPage() {
  const [tab, setTab] = useState("users");
  return (
    <div>
      <PageHeader title="Users and groups" description="The directory that policies assign to." />
      <TabList selectedValue={tab} onTabSelect={(_e, d) => setTab(String(d.value))} aria-label="Users or groups">
        <Tab value="users">Users</Tab>
        <Tab value="groups">Groups</Tab>
        <Tab value="emergency">Emergency access</Tab>
      </TabList>
      {tab === "users" ? <UsersTab /> : tab === "groups" ? <GroupsTab /> : <EmergencyAccessTab />}
    </div>
  );
}
