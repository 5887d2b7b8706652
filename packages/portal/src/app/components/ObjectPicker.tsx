import { Combobox, Field, makeStyles, Option, Tag, TagGroup } from "@fluentui/react-components";
import { useMemo, useState } from "react";

export interface PickerOption {
  id: string;
  label: string;
  secondary?: string;
}

const useStyles = makeStyles({
  tags: { display: "flex", flexWrap: "wrap", gap: "4px", marginTop: "6px" },
});

/**
 * A searchable multi-picker: type to search, choose with Enter or a click; chosen objects are
 * tags whose dismiss button (or Delete/Backspace) removes them. Unknown ids stay visible.
 */
export function ObjectPicker(props: {
  label: string;
  options: PickerOption[];
  selected: string[];
  onChange: (ids: string[]) => void;
  placeholder?: string;
  hint?: string;
}) {
  const styles = useStyles();
  const [query, setQuery] = useState("");
  const selectedLower = useMemo(() => new Set(props.selected.map((s) => s.toLowerCase())), [props.selected]);
  const matches = useMemo(() => {
    const q = query.trim().toLowerCase();
    return props.options
      .filter((o) => !selectedLower.has(o.id.toLowerCase()))
      .filter(
        (o) => q === "" || o.label.toLowerCase().includes(q) || (o.secondary ?? "").toLowerCase().includes(q) || o.id.toLowerCase() === q,
      )
      .slice(0, 50);
  }, [props.options, query, selectedLower]);
  const labelOf = (id: string) => props.options.find((o) => o.id.toLowerCase() === id.toLowerCase())?.label ?? `${id} (not found)`;
  return (
    <Field label={props.label} hint={props.hint}>
      <Combobox
        freeform
        value={query}
        placeholder={props.placeholder ?? "Search"}
        onChange={(e) => setQuery(e.target.value)}
        onOptionSelect={(_e, data) => {
          if (data.optionValue) props.onChange([...props.selected, data.optionValue]);
          setQuery("");
        }}
        selectedOptions={[]}
      >
        {matches.length === 0 ? (
          <Option disabled value="" text="">
            No matches
          </Option>
        ) : (
          matches.map((o) => (
            <Option key={o.id} value={o.id} text={o.label}>
              {o.secondary ? `${o.label} — ${o.secondary}` : o.label}
            </Option>
          ))
        )}
      </Combobox>
      {props.selected.length > 0 ? (
        <TagGroup
          className={styles.tags}
          aria-label={`${props.label}: selected`}
          onDismiss={(_e, data) => props.onChange(props.selected.filter((s) => s !== data.value))}
        >
          {props.selected.map((id) => (
            <Tag key={id} value={id} dismissible dismissIcon={{ "aria-label": `Remove ${labelOf(id)}` }} size="small">
              {labelOf(id)}
            </Tag>
          ))}
        </TagGroup>
      ) : null}
    </Field>
  );
}
