import { Button, Checkbox, Dropdown, Field, Input, makeStyles, Option } from "@fluentui/react-components";
import { useState } from "react";
import { list, PATHS, request } from "../api";
import { ErrorBar, ListTable, Loading, PageHeader } from "../components/common";
import { invalidateDirectory } from "../directory";
import { useAsync } from "../hooks";
import type { AuthenticationContext } from "../types";

const useStyles = makeStyles({
  scroll: { overflowX: "auto" },
  form: { display: "flex", flexWrap: "wrap", gap: "12px", alignItems: "end", margin: "12px 0 20px" },
});

export function AuthContextsPage() {
  const styles = useStyles();
  const contexts = useAsync(() => list<AuthenticationContext>(`${PATHS.contexts}?$top=999`), []);
  const [id, setId] = useState("");
  const [displayName, setDisplayName] = useState("");
  const [description, setDescription] = useState("");
  const [isAvailable, setIsAvailable] = useState(true);
  const [error, setError] = useState<unknown>(undefined);
  const used = new Set((contexts.data ?? []).map((c) => c.id));
  const free = Array.from({ length: 99 }, (_v, i) => `c${i + 1}`).filter((c) => !used.has(c));
  const existing = (contexts.data ?? []).find((c) => c.id === id);
  const save = async () => {
    setError(undefined);
    try {
      await request(`${PATHS.contexts}/${encodeURIComponent(id)}`, { method: "PATCH", body: { displayName, description, isAvailable } });
      invalidateDirectory();
      setId("");
      setDisplayName("");
      setDescription("");
      contexts.reload();
    } catch (e) {
      setError(e);
    }
  };
  const remove = async (c: AuthenticationContext) => {
    if (!window.confirm(`Delete the authentication context ${c.id} "${c.displayName}"?`)) return;
    try {
      await request(`${PATHS.contexts}/${encodeURIComponent(c.id)}`, { method: "DELETE" });
      invalidateDirectory();
      contexts.reload();
    } catch (e) {
      setError(e);
    }
  };
  return (
    <div>
      <PageHeader
        title="Authentication contexts"
        description="Labels (c1 to c99) that applications request for sensitive actions; policies can target them."
      />
      <ErrorBar error={contexts.error ?? error} />
      <form
        className={styles.form}
        aria-label={existing ? `Edit ${id}` : "New authentication context"}
        onSubmit={(e) => {
          e.preventDefault();
          void save();
        }}
      >
        <Field label="Id" required>
          <Dropdown value={id} selectedOptions={[id]} onOptionSelect={(_e, d) => setId(d.optionValue ?? "")} placeholder="c1">
            {[...(existing ? [id] : []), ...free].map((c) => (
              <Option key={c} value={c}>
                {c}
              </Option>
            ))}
          </Dropdown>
        </Field>
        <Field label="Name" required>
          <Input value={displayName} onChange={(_e, d) => setDisplayName(d.value)} />
        </Field>
        <Field label="Description">
          <Input value={description} onChange={(_e, d) => setDescription(d.value)} />
        </Field>
        <Checkbox label="Publish to apps" checked={isAvailable} onChange={(_e, d) => setIsAvailable(d.checked === true)} />
        <Button appearance="primary" type="submit" disabled={id === "" || displayName.trim() === ""}>
          {existing ? "Save" : "Add"}
        </Button>
      </form>
      {contexts.loading && contexts.data === undefined ? <Loading /> : null}
      <div className={styles.scroll}>
        <ListTable
          label="Authentication contexts"
          columns={["Id", "Name", "Description", "Published", "Actions"]}
          items={contexts.data ?? []}
          rowKey={(c) => c.id}
          cells={(c) => [
            c.id,
            c.displayName,
            c.description ?? "",
            c.isAvailable ? "Yes" : "No",
            <>
              <Button
                size="small"
                aria-label={`Edit ${c.id}`}
                onClick={() => {
                  setId(c.id);
                  setDisplayName(c.displayName);
                  setDescription(c.description ?? "");
                  setIsAvailable(c.isAvailable);
                }}
              >
                Edit
              </Button>{" "}
              <Button size="small" aria-label={`Delete ${c.id}`} onClick={() => void remove(c)}>
                Delete
              </Button>
            </>,
          ]}
        />
      </div>
    </div>
  );
}
