import {
  Badge,
  Button,
  Checkbox,
  MessageBar,
  MessageBarActions,
  MessageBarBody,
  MessageBarTitle,
  makeStyles,
  Spinner,
  Table,
  TableBody,
  TableCell,
  TableHeader,
  TableHeaderCell,
  TableRow,
  Text,
  Title2,
  tokens,
} from "@fluentui/react-components";
import { type ReactNode, useState } from "react";
import { GraphError } from "../api";
import { signIn } from "../auth";

const useStyles = makeStyles({
  header: { display: "flex", flexWrap: "wrap", alignItems: "center", gap: "12px", justifyContent: "space-between", marginBottom: "16px" },
  description: { color: tokens.colorNeutralForeground3, display: "block", marginTop: "4px" },
  details: { margin: "4px 0 0", paddingLeft: "20px" },
  // A table cell's "open the details" control: reads like a link in the cell (left-aligned, same size).
  cellButton: {
    justifyContent: "flex-start",
    minWidth: 0,
    paddingLeft: 0,
    paddingRight: 0,
    fontSize: tokens.fontSizeBase300,
    fontWeight: tokens.fontWeightRegular,
    textAlign: "start",
    color: tokens.colorBrandForegroundLink,
  },
});

/** Opens a row's details from its first cell (a button, so the row keeps its table semantics). */
export function CellButton(props: { onClick: () => void; label?: string; children: ReactNode }) {
  const styles = useStyles();
  return (
    <Button className={styles.cellButton} appearance="transparent" size="small" onClick={props.onClick} aria-label={props.label}>
      {props.children}
    </Button>
  );
}

export function PageHeader(props: { title: string; description?: string; actions?: ReactNode }) {
  const styles = useStyles();
  return (
    <header className={styles.header}>
      <div>
        <Title2 as="h1">{props.title}</Title2>
        {props.description ? <Text className={styles.description}>{props.description}</Text> : null}
      </div>
      {props.actions ? <div>{props.actions}</div> : null}
    </header>
  );
}

/**
 * A claims challenge (401 `insufficient_claims`): Conditional Access needs more than this
 * sign-in gave (e.g. MFA); signing in again with the `acr_values` it names, back to this page.
 */
function ClaimsChallengeBar(props: { error: GraphError; acrValues: readonly string[] }) {
  const [failure, setFailure] = useState<unknown>(undefined);
  return (
    <MessageBar intent="warning" layout="multiline" role="alert">
      <MessageBarBody>
        <MessageBarTitle>More verification is needed</MessageBarTitle>
        {props.error.message}
        {failure instanceof Error ? ` (${failure.message})` : ""}
      </MessageBarBody>
      <MessageBarActions>
        <Button appearance="primary" onClick={() => signIn(undefined, { acrValues: props.acrValues }).catch(setFailure)}>
          Sign in again to continue
        </Button>
      </MessageBarActions>
    </MessageBar>
  );
}

/** Graph's error body as the API sent it: `error.code` and `error.message`, with the details. */
export function ErrorBar(props: { error: unknown; title?: string }) {
  const styles = useStyles();
  if (props.error === undefined || props.error === null) return null;
  const error = props.error;
  if (error instanceof GraphError && error.claimsChallenge !== null) {
    return <ClaimsChallengeBar error={error} acrValues={error.claimsChallenge.acrValues} />;
  }
  const code = error instanceof GraphError ? error.code : error instanceof Error ? error.name : "Error";
  const message = error instanceof Error ? error.message : String(error);
  const details = error instanceof GraphError ? error.details : [];
  return (
    <MessageBar intent="error" layout="multiline" role="alert">
      <MessageBarBody>
        <MessageBarTitle>{props.title ?? code}</MessageBarTitle>
        {props.title ? `${code}: ` : ""}
        {message}
        {details.length > 0 ? (
          <ul className={styles.details}>
            {details.map((d, i) => (
              // biome-ignore lint/suspicious/noArrayIndexKey: details have no identity
              <li key={i}>
                <code>{d.code}</code>
                {d.target ? ` at ${d.target}` : ""}: {d.message}
              </li>
            ))}
          </ul>
        ) : null}
      </MessageBarBody>
    </MessageBar>
  );
}

export function Loading(props: { label?: string }) {
  return <Spinner size="small" label={props.label ?? "Loading…"} />;
}

export const STATE_LABELS: Record<string, string> = {
  enabled: "On",
  disabled: "Off",
  enabledForReportingButNotEnforced: "Report-only",
};

export function StateBadge(props: { state: string }) {
  const color = props.state === "enabled" ? "success" : props.state === "disabled" ? "subtle" : "warning";
  return (
    <Badge appearance="tint" color={color === "subtle" ? "informative" : color} shape="rounded">
      {STATE_LABELS[props.state] ?? props.state}
    </Badge>
  );
}

export function formatDateTime(value: string | null | undefined): string {
  if (!value) return "—";
  const date = new Date(value);
  return Number.isNaN(date.getTime()) ? value : date.toLocaleString(undefined, { dateStyle: "medium", timeStyle: "short" });
}

export const RESULT_LABELS: Record<string, string> = {
  success: "Success",
  failure: "Failure",
  notApplied: "Not applied",
  notEnabled: "Disabled",
  reportOnlySuccess: "Report-only: success",
  reportOnlyFailure: "Report-only: failure",
  reportOnlyNotApplied: "Report-only: not applied",
  reportOnlyInterrupted: "Report-only: user action required",
  unknown: "Unknown",
};

export function ResultBadge(props: { result: string }) {
  const r = props.result;
  const color = r === "success" ? "success" : r === "failure" ? "danger" : r.startsWith("reportOnly") ? "warning" : "informative";
  return (
    <Badge appearance="tint" color={color} shape="rounded">
      {RESULT_LABELS[r] ?? r}
    </Badge>
  );
}

/** A list as a small table: a header row of `columns`, then a row per item with its `cells` in column order. */
export function ListTable<T>(props: {
  label: string;
  columns: readonly string[];
  items: readonly T[];
  rowKey: (item: T) => string;
  cells: (item: T) => readonly ReactNode[];
}) {
  return (
    <Table size="small" aria-label={props.label}>
      <TableHeader>
        <TableRow>
          {props.columns.map((column) => (
            <TableHeaderCell key={column}>{column}</TableHeaderCell>
          ))}
        </TableRow>
      </TableHeader>
      <TableBody>
        {props.items.map((item) => {
          const cells = props.cells(item);
          return (
            <TableRow key={props.rowKey(item)}>
              {props.columns.map((column, i) => (
                <TableCell key={column}>{cells[i]}</TableCell>
              ))}
            </TableRow>
          );
        })}
      </TableBody>
    </Table>
  );
}

/**
 * A save the server refused as unsafe (409 with findings): one line per finding (its code's
 * label, then the message) and the checkbox that acknowledges the risk; `children` below it.
 */
export function RiskAcknowledgement(props: {
  title: string;
  findings: readonly { code: string; message: string }[];
  codeLabel: (code: string) => string;
  acknowledged: boolean;
  onAcknowledge: (acknowledged: boolean) => void;
  acknowledgeLabel: string;
  listClassName?: string;
  children?: ReactNode;
}) {
  return (
    <MessageBar intent="warning" layout="multiline" role="alert">
      <MessageBarBody>
        <MessageBarTitle>{props.title}</MessageBarTitle>
        <ul className={props.listClassName}>
          {props.findings.map((d) => (
            <li key={`${d.code}-${d.message}`}>
              <strong>{props.codeLabel(d.code)}:</strong> {d.message}
            </li>
          ))}
        </ul>
        <Checkbox
          checked={props.acknowledged}
          onChange={(_e, d) => props.onAcknowledge(d.checked === true)}
          label={props.acknowledgeLabel}
        />
        {props.children}
      </MessageBarBody>
    </MessageBar>
  );
}
