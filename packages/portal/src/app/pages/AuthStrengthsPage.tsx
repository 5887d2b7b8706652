import {
  Badge,
  Button,
  Checkbox,
  Dialog,
  DialogActions,
  DialogBody,
  DialogContent,
  DialogSurface,
  DialogTitle,
  Field,
  Input,
  makeStyles,
} from "@fluentui/react-components";
import { BUILT_IN_AUTHENTICATION_STRENGTHS } from "@gatehouse/engine";
import { useState } from "react";
import { list, PATHS, request } from "../api";
import { ErrorBar, ListTable, Loading, PageHeader } from "../components/common";
import { invalidateDirectory } from "../directory";
import { deleteAfterConfirm, useAsync, useSubmit } from "../hooks";
import type { AuthenticationStrengthPolicy } from "../types";

const useStyles = makeStyles({
  scroll: { overflowX: "auto" },
  form: { display: "flex", flexDirection: "column", gap: "10px" },
  combos: { display: "grid", gridTemplateColumns: "repeat(auto-fill, minmax(260px, 1fr))", maxHeight: "320px", overflowY: "auto" },
  actions: { display: "flex", gap: "6px" },
});

/** Every combination a built-in strength allows: the choices for a custom one. */
const COMBINATIONS = [...new Set(BUILT_IN_AUTHENTICATION_STRENGTHS.flatMap((s) => s.allowedCombinations))].sort();

interface FormState {
  id: string | null;
  displayName: string;
  description: string;
  allowedCombinations: string[];
}

function StrengthDialog(props: { initial: FormState; onClose: (saved: boolean) => void }) {
  const styles = useStyles();
  const [form, setForm] = useState(props.initial);
  const { busy: saving, error, run } = useSubmit();
  const save = () =>
    run(async () => {
      const body = { displayName: form.displayName, description: form.description, allowedCombinations: form.allowedCombinations };
      if (form.id === null)
        await request(PATHS.strengths, { method: "POST", body: { ...body, policyType: "custom", requirementsSatisfied: "mfa" } });
      else await request(`${PATHS.strengths}/${encodeURIComponent(form.id)}`, { method: "PATCH", body });
      invalidateDirectory();
      props.onClose(true);
    });
  return (
    <DialogSurface>
      <DialogBody>
        <DialogTitle>{form.id === null ? "New authentication strength" : `Edit ${props.initial.displayName}`}</DialogTitle>
        <DialogContent className={styles.form}>
          <Field label="Name" required>
            <Input value={form.displayName} onChange={(_e, d) => setForm({ ...form, displayName: d.value })} />
          </Field>
          <Field label="Description">
            <Input value={form.description} onChange={(_e, d) => setForm({ ...form, description: d.value })} />
          </Field>
          <fieldset style={{ border: "none", padding: 0, margin: 0 }}>
            <legend>Allowed authentication method combinations</legend>
            <div className={styles.combos}>
              {COMBINATIONS.map((c) => (
                <Checkbox
                  key={c}
                  label={c.split(",").join(" + ")}
                  checked={form.allowedCombinations.includes(c)}
                  onChange={(_e, d) =>
                    setForm({
                      ...form,
                      allowedCombinations: d.checked ? [...form.allowedCombinations, c] : form.allowedCombinations.filter((x) => x !== c),
                    })
                  }
                />
              ))}
            </div>
          </fieldset>
          <ErrorBar error={error} />
        </DialogContent>
        <DialogActions>
          <Button
            appearance="primary"
            disabled={saving || form.displayName.trim() === "" || form.allowedCombinations.length === 0}
            onClick={() => void save()}
          >
            Save
          </Button>
          <Button onClick={() => props.onClose(false)}>Cancel</Button>
        </DialogActions>
      </DialogBody>
    </DialogSurface>
  );
}

export function AuthStrengthsPage() {
  const styles = useStyles();
  const strengths = useAsync(() => list<AuthenticationStrengthPolicy>(`${PATHS.strengths}?$top=999`), []);
  const [editing, setEditing] = useState<FormState | null>(null);
  const [error, setError] = useState<unknown>(undefined);
  const remove = (s: AuthenticationStrengthPolicy) =>
    deleteAfterConfirm(
      `Delete the authentication strength "${s.displayName}"?`,
      `${PATHS.strengths}/${encodeURIComponent(s.id)}`,
      setError,
      () => {
        invalidateDirectory();
        strengths.reload();
      },
    );
  return (
    <div>
      <PageHeader
        title="Authentication strengths"
        description="Which authentication methods satisfy a policy. Built-in strengths are read-only."
        actions={
          <Button appearance="primary" onClick={() => setEditing({ id: null, displayName: "", description: "", allowedCombinations: [] })}>
            New authentication strength
          </Button>
        }
      />
      <ErrorBar error={strengths.error ?? error} />
      {strengths.loading && strengths.data === undefined ? <Loading /> : null}
      <div className={styles.scroll}>
        <ListTable
          label="Authentication strengths"
          columns={["Name", "Type", "Allowed combinations", "Actions"]}
          items={strengths.data ?? []}
          rowKey={(s) => s.id}
          cells={(s) => [
            s.displayName,
            <Badge key="type" appearance="outline">
              {s.policyType === "builtIn" ? "Built-in" : "Custom"}
            </Badge>,
            s.allowedCombinations.map((c) => c.split(",").join(" + ")).join("; "),
            s.policyType === "custom" ? (
              <div key="actions" className={styles.actions}>
                <Button
                  size="small"
                  aria-label={`Edit ${s.displayName}`}
                  onClick={() =>
                    setEditing({
                      id: s.id,
                      displayName: s.displayName,
                      description: s.description ?? "",
                      allowedCombinations: s.allowedCombinations,
                    })
                  }
                >
                  Edit
                </Button>
                <Button size="small" aria-label={`Delete ${s.displayName}`} onClick={() => void remove(s)}>
                  Delete
                </Button>
              </div>
            ) : (
              "Read-only"
            ),
          ]}
        />
      </div>
      {/* Mounted while closed too, so the modal's focus trap and aria-hidden are released on close. */}
      <Dialog open={editing !== null} onOpenChange={(_e, d) => !d.open && setEditing(null)}>
        <StrengthDialog
          key={editing === null ? "closed" : (editing.id ?? "new")}
          initial={editing ?? { id: null, displayName: "", description: "", allowedCombinations: [] }}
          onClose={(saved) => {
            setEditing(null);
            if (saved) strengths.reload();
          }}
        />
      </Dialog>
    </div>
  );
}
