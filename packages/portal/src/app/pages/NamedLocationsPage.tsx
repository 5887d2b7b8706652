import {
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
  Radio,
  RadioGroup,
  Textarea,
} from "@fluentui/react-components";
import { parseIpRange } from "@gatehouse/engine";
import { useMemo, useState } from "react";
import { GraphError, list, PATHS, request } from "../api";
import { ErrorBar, formatDateTime, ListTable, Loading, PageHeader } from "../components/common";
import { ObjectPicker } from "../components/ObjectPicker";
import { invalidateDirectory } from "../directory";
import { deleteAfterConfirm, useAsync } from "../hooks";
import type { NamedLocation } from "../types";

const useStyles = makeStyles({
  scroll: { overflowX: "auto" },
  form: { display: "flex", flexDirection: "column", gap: "12px" },
  actions: { display: "flex", gap: "6px", flexWrap: "wrap" },
});

const regionNames = new Intl.DisplayNames(["en"], { type: "region" });
/** ISO 3166-1 alpha-2 codes the browser knows a name for. */
const COUNTRIES = (() => {
  const out: { id: string; label: string; secondary: string }[] = [];
  for (let a = 65; a <= 90; a++)
    for (let b = 65; b <= 90; b++) {
      const code = String.fromCharCode(a, b);
      let name: string | undefined;
      try {
        name = regionNames.of(code);
      } catch {
        name = undefined;
      }
      if (name && name !== code && name !== "Unknown Region" && !/^(EU|EZ|UN|QO|XA|XB|ZZ)$/.test(code))
        out.push({ id: code, label: name, secondary: code });
    }
  return out.sort((x, y) => x.label.localeCompare(y.label));
})();

interface FormState {
  id: string | null;
  kind: "ip" | "country";
  displayName: string;
  isTrusted: boolean;
  ranges: string;
  countries: string[];
  includeUnknown: boolean;
  lookup: string;
}

const EMPTY: FormState = {
  id: null,
  kind: "ip",
  displayName: "",
  isTrusted: false,
  ranges: "",
  countries: [],
  includeUnknown: false,
  lookup: "clientIpAddress",
};

function formOf(l: NamedLocation): FormState {
  if (l["@odata.type"] === "#microsoft.graph.countryNamedLocation") {
    return {
      ...EMPTY,
      id: l.id,
      kind: "country",
      displayName: l.displayName,
      countries: l.countriesAndRegions,
      includeUnknown: l.includeUnknownCountriesAndRegions,
      lookup: l.countryLookupMethod,
    };
  }
  const ip = l as Extract<NamedLocation, { ipRanges: unknown }>;
  return {
    ...EMPTY,
    id: l.id,
    kind: "ip",
    displayName: l.displayName,
    isTrusted: ip.isTrusted === true,
    ranges: (ip.ipRanges ?? []).map((r) => r.cidrAddress ?? `${r.lowerAddress}-${r.upperAddress}`).join("\n"),
  };
}

/** One range per line: CIDR (`203.0.113.0/24`, `2001:db8::/48`) or `first-last`. */
function rangesOf(text: string) {
  return text
    .split(/\r?\n/)
    .map((line) => line.trim())
    .filter((line) => line !== "")
    .map((line) => {
      const v6 = line.includes(":");
      const dash = line.indexOf("-");
      const range =
        dash > 0 && !line.includes("/")
          ? {
              "@odata.type": v6 ? "#microsoft.graph.iPv6Range" : "#microsoft.graph.iPv4Range",
              lowerAddress: line.slice(0, dash).trim(),
              upperAddress: line.slice(dash + 1).trim(),
            }
          : { "@odata.type": v6 ? "#microsoft.graph.iPv6CidrRange" : "#microsoft.graph.iPv4CidrRange", cidrAddress: line };
      const parsed = parseIpRange(range);
      return { line, range, problem: parsed.ok ? null : parsed.message };
    });
}

function LocationDialog(props: { initial: FormState; onClose: (saved: boolean) => void }) {
  const styles = useStyles();
  const [form, setForm] = useState(props.initial);
  const [error, setError] = useState<unknown>(undefined);
  const [unsafe, setUnsafe] = useState<string | null>(null);
  const [saving, setSaving] = useState(false);
  const ranges = useMemo(() => rangesOf(form.ranges), [form.ranges]);
  const problems = ranges.filter((r) => r.problem !== null);
  const body =
    form.kind === "ip"
      ? {
          "@odata.type": "#microsoft.graph.ipNamedLocation",
          displayName: form.displayName,
          isTrusted: form.isTrusted,
          ipRanges: ranges.map((r) => r.range),
        }
      : {
          "@odata.type": "#microsoft.graph.countryNamedLocation",
          displayName: form.displayName,
          countriesAndRegions: form.countries,
          countryLookupMethod: form.lookup,
          includeUnknownCountriesAndRegions: form.includeUnknown,
        };
  const save = async (allowUnsafe: boolean) => {
    setSaving(true);
    setError(undefined);
    try {
      const headers: Record<string, string> = allowUnsafe ? { prefer: "allow-unsafe-policy" } : {};
      if (form.id === null) await request(PATHS.namedLocations, { method: "POST", body, headers });
      else await request(`${PATHS.namedLocations}/${encodeURIComponent(form.id)}`, { method: "PATCH", body, headers });
      invalidateDirectory();
      props.onClose(true);
    } catch (e) {
      if (e instanceof GraphError && e.status === 409 && e.details.some((d) => d.code === "lockout")) setUnsafe(e.message);
      else setError(e);
    } finally {
      setSaving(false);
    }
  };
  const invalid =
    form.displayName.trim() === "" ||
    (form.kind === "ip" ? ranges.length === 0 || problems.length > 0 : form.countries.length === 0 && !form.includeUnknown);
  return (
    <DialogSurface>
      <DialogBody>
        <DialogTitle>{form.id === null ? "New named location" : `Edit ${props.initial.displayName}`}</DialogTitle>
        <DialogContent className={styles.form}>
          {form.id === null ? (
            <RadioGroup
              layout="horizontal"
              aria-label="Location type"
              value={form.kind}
              onChange={(_e, d) => setForm({ ...form, kind: d.value as "ip" | "country" })}
            >
              <Radio value="ip" label="IP ranges location" />
              <Radio value="country" label="Countries location" />
            </RadioGroup>
          ) : null}
          <Field label="Name" required>
            <Input value={form.displayName} onChange={(_e, d) => setForm({ ...form, displayName: d.value })} />
          </Field>
          {form.kind === "ip" ? (
            <>
              <Field
                label="IP ranges (one per line: CIDR or first-last)"
                validationState={problems.length > 0 ? "error" : ranges.length > 0 ? "success" : "none"}
                validationMessage={
                  problems.length > 0
                    ? problems.map((p) => `${p.line}: ${p.problem}`).join("; ")
                    : ranges.length > 0
                      ? `${ranges.length} valid ranges`
                      : undefined
                }
              >
                <Textarea
                  value={form.ranges}
                  onChange={(_e, d) => setForm({ ...form, ranges: d.value })}
                  resize="vertical"
                  placeholder={"203.0.113.0/24\n2001:db8::/48"}
                />
              </Field>
              <Checkbox
                label="Mark as trusted location"
                checked={form.isTrusted}
                onChange={(_e, d) => setForm({ ...form, isTrusted: d.checked === true })}
              />
            </>
          ) : (
            <>
              <ObjectPicker
                label="Countries and regions"
                options={COUNTRIES}
                selected={form.countries}
                onChange={(ids) => setForm({ ...form, countries: ids })}
              />
              <Checkbox
                label="Include unknown countries and regions"
                checked={form.includeUnknown}
                onChange={(_e, d) => setForm({ ...form, includeUnknown: d.checked === true })}
              />
            </>
          )}
          {unsafe ? (
            <ErrorBar error={new Error(`${unsafe} Save anyway only if you are sure.`)} title="This change could lock administrators out" />
          ) : null}
          <ErrorBar error={error} />
        </DialogContent>
        <DialogActions>
          {unsafe ? (
            <Button appearance="primary" disabled={saving} onClick={() => void save(true)}>
              Save anyway
            </Button>
          ) : (
            <Button appearance="primary" disabled={saving || invalid} onClick={() => void save(false)}>
              Save
            </Button>
          )}
          <Button onClick={() => props.onClose(false)}>Cancel</Button>
        </DialogActions>
      </DialogBody>
    </DialogSurface>
  );
}

export function NamedLocationsPage() {
  const styles = useStyles();
  const locations = useAsync(() => list<NamedLocation>(`${PATHS.namedLocations}?$top=999`), []);
  const [editing, setEditing] = useState<FormState | null>(null);
  const [error, setError] = useState<unknown>(undefined);
  const remove = (l: NamedLocation) =>
    deleteAfterConfirm(
      `Delete the named location "${l.displayName}"?`,
      `${PATHS.namedLocations}/${encodeURIComponent(l.id)}`,
      setError,
      () => {
        invalidateDirectory();
        locations.reload();
      },
    );
  return (
    <div>
      <PageHeader
        title="Named locations"
        description="IP ranges and countries that policies can include or exclude."
        actions={
          <Button appearance="primary" onClick={() => setEditing(EMPTY)}>
            New location
          </Button>
        }
      />
      <ErrorBar error={locations.error ?? error} />
      {locations.loading && locations.data === undefined ? <Loading /> : null}
      <div className={styles.scroll}>
        <ListTable
          label="Named locations"
          columns={["Name", "Type", "Trusted", "Ranges or countries", "Modified", "Actions"]}
          items={locations.data ?? []}
          rowKey={(l) => l.id}
          cells={(l) => {
            const country = l["@odata.type"] === "#microsoft.graph.countryNamedLocation";
            const detail = country
              ? (l as Extract<NamedLocation, { countriesAndRegions: unknown }>).countriesAndRegions.join(", ")
              : ((l as Extract<NamedLocation, { ipRanges: unknown }>).ipRanges ?? [])
                  .map((r) => r.cidrAddress ?? `${r.lowerAddress}-${r.upperAddress}`)
                  .join(", ");
            return [
              l.displayName,
              country ? "Countries" : l["@odata.type"].includes("compliantNetwork") ? "Compliant network" : "IP ranges",
              l.isTrusted === true ? "Yes" : "No",
              detail || "—",
              formatDateTime((l.modifiedDateTime as string | undefined) ?? (l.createdDateTime as string | undefined)),
              <div key="actions" className={styles.actions}>
                <Button size="small" onClick={() => setEditing(formOf(l))} aria-label={`Edit ${l.displayName}`}>
                  Edit
                </Button>
                <Button size="small" onClick={() => void remove(l)} aria-label={`Delete ${l.displayName}`}>
                  Delete
                </Button>
              </div>,
            ];
          }}
        />
      </div>
      {/* Mounted while closed too, so the modal's focus trap and aria-hidden are released on close. */}
      <Dialog open={editing !== null} onOpenChange={(_e, d) => !d.open && setEditing(null)}>
        <LocationDialog
          key={editing === null ? "closed" : (editing.id ?? "new")}
          initial={editing ?? EMPTY}
          onClose={(saved) => {
            setEditing(null);
            if (saved) locations.reload();
          }}
        />
      </Dialog>
    </div>
  );
}
