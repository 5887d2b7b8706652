/**
 * My security info: the signed-in user's own authentication methods (`/v1.0/me/authentication`).
 * Lists them; adds an authenticator app (secret, otpauth link and QR code, confirmed with a
 * first code) or a passkey (WebAuthn in this browser); removes one after a confirmation. Every
 * change is Conditional Access's user action "Register security info": a block shows the
 * AADSTS message and correlation id, a claims challenge offers to sign in again (ErrorBar).
 */
import {
  Button,
  Dialog,
  DialogActions,
  DialogBody,
  DialogContent,
  DialogSurface,
  DialogTitle,
  Field,
  Input,
  MessageBar,
  MessageBarBody,
  MessageBarTitle,
  makeStyles,
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
import { type PublicKeyCredentialCreationOptionsJSON, startRegistration } from "@simplewebauthn/browser";
import qrcode from "qrcode-generator";
import { useMemo, useState } from "react";
import { GraphError, list, request } from "../api";
import { ErrorBar, formatDateTime, Loading, PageHeader } from "../components/common";
import { useAsync, useSubmit } from "../hooks";

const BASE = "/v1.0/me/authentication";
const PASSWORD_TYPE = "#microsoft.graph.passwordAuthenticationMethod";
const TOTP_TYPE = "#microsoft.graph.softwareOathAuthenticationMethod";
const PASSKEY_TYPE = "#microsoft.graph.fido2AuthenticationMethod";

interface AuthenticationMethod {
  "@odata.type": string;
  id: string;
  displayName?: string | null;
  createdDateTime?: string | null;
  lastUsedDateTime?: string | null;
  passkeyType?: string | null;
}

interface TotpRegistration {
  registrationId: string;
  secret: string;
  otpauthUri: string;
  expiresDateTime: string;
}

interface PasskeyRegistration {
  registrationId: string;
  challengeTimeoutDateTime: string;
  publicKey: PublicKeyCredentialCreationOptionsJSON;
}

interface OperationWarning {
  code: string;
  message: string;
}

const useStyles = makeStyles({
  scroll: { overflowX: "auto", marginBottom: "20px" },
  /** Narrow screens scroll the table sideways rather than break words. */
  table: { minWidth: "600px" },
  actions: { display: "flex", flexWrap: "wrap", gap: "8px" },
  messages: { display: "flex", flexDirection: "column", gap: "8px", marginBottom: "16px" },
  panel: {
    border: `1px solid ${tokens.colorNeutralStroke2}`,
    borderRadius: tokens.borderRadiusMedium,
    padding: "16px",
    marginBottom: "20px",
    display: "flex",
    flexDirection: "column",
    gap: "12px",
    maxWidth: "720px",
  },
  setup: { display: "flex", flexWrap: "wrap", gap: "20px", alignItems: "flex-start" },
  qr: { margin: 0, flexShrink: 0 },
  keyList: { margin: 0, minWidth: 0, flexGrow: 1, flexBasis: "280px" },
  keyTerm: { fontWeight: tokens.fontWeightSemibold, marginTop: "8px" },
  keyValue: { margin: "2px 0 0", overflowWrap: "anywhere" },
  form: { display: "flex", flexWrap: "wrap", gap: "12px", alignItems: "end" },
  muted: { color: tokens.colorNeutralForeground3 },
});

const typeLabel = (m: AuthenticationMethod): string => {
  const type = m["@odata.type"];
  if (type === PASSWORD_TYPE) return "Password";
  if (type === TOTP_TYPE) return "Authenticator app (TOTP)";
  if (type === PASSKEY_TYPE) return m.passkeyType === "synced" ? "Passkey (synced)" : "Passkey";
  return type.replace("#microsoft.graph.", "");
};

const segmentOf = (m: AuthenticationMethod): string | null =>
  m["@odata.type"] === TOTP_TYPE ? "softwareOathMethods" : m["@odata.type"] === PASSKEY_TYPE ? "fido2Methods" : null;

const nameOf = (m: AuthenticationMethod): string => m.displayName ?? (m["@odata.type"] === PASSWORD_TYPE ? "Password" : typeLabel(m));

/** The server's `x-gatehouse-warnings` header (JSON, ASCII-escaped). */
function warningsOf(headers: Headers): OperationWarning[] {
  const text = headers.get("x-gatehouse-warnings");
  if (text === null) return [];
  try {
    const parsed = JSON.parse(text) as unknown;
    return Array.isArray(parsed) ? parsed.filter((w): w is OperationWarning => typeof w?.message === "string") : [];
  } catch {
    return [{ code: "warning", message: text }];
  }
}

/** A title for refusals of Conditional Access: the message carries the AADSTS code and the correlation id. */
const errorTitle = (error: unknown): string | undefined =>
  error instanceof GraphError && error.status === 403 && error.code === "accessDenied" ? "Blocked by Conditional Access" : undefined;

/** The otpauth URI as a QR code, drawn as SVG paths (no image, nothing for the page's CSP to refuse). */
function QrCode(props: { value: string; label: string }) {
  const { path, size } = useMemo(() => {
    const code = qrcode(0, "M");
    code.addData(props.value, "Byte");
    code.make();
    const count = code.getModuleCount();
    const margin = 4;
    const parts: string[] = [];
    for (let row = 0; row < count; row++) {
      for (let col = 0; col < count; col++) {
        if (code.isDark(row, col)) parts.push(`M${col + margin} ${row + margin}h1v1h-1z`);
      }
    }
    return { path: parts.join(""), size: count + margin * 2 };
  }, [props.value]);
  return (
    <svg role="img" aria-label={props.label} width="200" height="200" viewBox={`0 0 ${size} ${size}`} shapeRendering="crispEdges">
      <rect width={size} height={size} fill="#ffffff" />
      <path d={path} fill="#000000" />
    </svg>
  );
}

function TotpSetup(props: { registration: TotpRegistration; onDone: (method: AuthenticationMethod) => void; onCancel: () => void }) {
  const styles = useStyles();
  const { registration } = props;
  const [code, setCode] = useState("");
  const [name, setName] = useState("Authenticator app");
  const { busy, error, run } = useSubmit();
  const verify = () =>
    run(async () => {
      const done = await request<AuthenticationMethod>(
        `${BASE}/softwareOathMethods/registration/${encodeURIComponent(registration.registrationId)}/verify`,
        { method: "POST", body: { code: code.trim(), ...(name.trim() === "" ? {} : { displayName: name.trim() }) } },
      );
      props.onDone(done.body);
    });
  const codeValid = /^\d{6}$/.test(code.trim());
  return (
    <section className={styles.panel} aria-labelledby="totp-setup-title">
      <Title3 as="h2" id="totp-setup-title">
        Set up your authenticator app
      </Title3>
      <Text>
        Scan the QR code with your authenticator app, or add an account with the key below, or open the link on the device that has the app.
        Then enter the code the app shows.
      </Text>
      <div className={styles.setup}>
        <figure className={styles.qr}>
          <QrCode value={registration.otpauthUri} label="QR code of the authenticator key" />
        </figure>
        <dl className={styles.keyList}>
          <dt className={styles.keyTerm}>Key</dt>
          <dd className={styles.keyValue}>
            <code id="security-info-totp-secret">{registration.secret.replace(/(.{4})/g, "$1 ").trim()}</code>
          </dd>
          <dt className={styles.keyTerm}>Link</dt>
          <dd className={styles.keyValue}>
            <a href={registration.otpauthUri}>
              <code>{registration.otpauthUri}</code>
            </a>
          </dd>
          <dt className={styles.keyTerm}>Expires</dt>
          <dd className={styles.keyValue}>{formatDateTime(registration.expiresDateTime)}</dd>
        </dl>
      </div>
      <ErrorBar error={error} title={errorTitle(error)} />
      <form
        className={styles.form}
        aria-label="Confirm the authenticator app"
        onSubmit={(e) => {
          e.preventDefault();
          if (codeValid && !busy) void verify();
        }}
      >
        <Field label="Name">
          <Input value={name} maxLength={100} onChange={(_e, d) => setName(d.value)} />
        </Field>
        <Field label="Code from your authenticator app" required>
          <Input
            value={code}
            inputMode="numeric"
            autoComplete="one-time-code"
            maxLength={6}
            onChange={(_e, d) => setCode(d.value.replace(/\s+/g, ""))}
          />
        </Field>
        <Button appearance="primary" type="submit" disabled={!codeValid || busy}>
          Verify
        </Button>
        <Button onClick={props.onCancel} disabled={busy}>
          Cancel
        </Button>
      </form>
    </section>
  );
}

function PasskeySetup(props: { onDone: (method: AuthenticationMethod) => void; onCancel: () => void }) {
  const styles = useStyles();
  const [name, setName] = useState("Passkey");
  const { busy, error, run } = useSubmit();
  const create = () =>
    run(async () => {
      const started = await request<PasskeyRegistration>(`${BASE}/fido2Methods/registration`, { method: "POST", body: {} });
      const credential = await startRegistration({ optionsJSON: started.body.publicKey });
      const done = await request<AuthenticationMethod>(
        `${BASE}/fido2Methods/registration/${encodeURIComponent(started.body.registrationId)}/verify`,
        { method: "POST", body: { publicKeyCredential: credential, ...(name.trim() === "" ? {} : { displayName: name.trim() }) } },
      );
      props.onDone(done.body);
    });
  return (
    <section className={styles.panel} aria-labelledby="passkey-setup-title">
      <Title3 as="h2" id="passkey-setup-title">
        Add a passkey
      </Title3>
      <Text>Create a passkey on this device or on a security key. Your browser asks you to confirm with the device.</Text>
      <ErrorBar error={error} title={errorTitle(error)} />
      <form
        className={styles.form}
        aria-label="Create a passkey"
        onSubmit={(e) => {
          e.preventDefault();
          if (!busy) void create();
        }}
      >
        <Field label="Passkey name">
          <Input value={name} maxLength={100} onChange={(_e, d) => setName(d.value)} />
        </Field>
        <Button appearance="primary" type="submit" disabled={busy}>
          {busy ? "Creating…" : "Create passkey"}
        </Button>
        <Button onClick={props.onCancel} disabled={busy}>
          Cancel
        </Button>
      </form>
    </section>
  );
}

function RemoveDialog(props: {
  method: AuthenticationMethod;
  last: boolean;
  onRemoved: (warnings: OperationWarning[]) => void;
  onClose: () => void;
}) {
  const { method } = props;
  const [error, setError] = useState<unknown>(undefined);
  const [busy, setBusy] = useState(false);
  const remove = async () => {
    const segment = segmentOf(method);
    if (segment === null) return;
    setBusy(true);
    setError(undefined);
    try {
      const res = await request<null>(`${BASE}/${segment}/${encodeURIComponent(method.id)}`, { method: "DELETE" });
      props.onRemoved(warningsOf(res.headers));
    } catch (e) {
      setError(e);
      setBusy(false);
    }
  };
  return (
    <DialogSurface>
      <DialogBody>
        <DialogTitle>Remove {nameOf(method)}?</DialogTitle>
        <DialogContent>
          <p>
            You will no longer be able to sign in or verify your identity with the{" "}
            {method["@odata.type"] === PASSKEY_TYPE ? "passkey" : "authenticator app"} "{nameOf(method)}".
          </p>
          {props.last ? (
            <MessageBar intent="warning" layout="multiline">
              <MessageBarBody>
                <MessageBarTitle>This is your last method besides your password</MessageBarTitle>
                Where Conditional Access requires multifactor authentication, you will have to register a new method at your next sign-in.
              </MessageBarBody>
            </MessageBar>
          ) : null}
          <ErrorBar error={error} title={errorTitle(error)} />
        </DialogContent>
        <DialogActions>
          <Button appearance="primary" disabled={busy} onClick={() => void remove()}>
            Remove
          </Button>
          <Button disabled={busy} onClick={props.onClose}>
            Cancel
          </Button>
        </DialogActions>
      </DialogBody>
    </DialogSurface>
  );
}

export function SecurityInfoPage() {
  const styles = useStyles();
  const methods = useAsync(() => list<AuthenticationMethod>(`${BASE}/methods`), []);
  const [adding, setAdding] = useState<"totp" | "passkey" | null>(null);
  const [totp, setTotp] = useState<TotpRegistration | null>(null);
  const [removing, setRemoving] = useState<AuthenticationMethod | null>(null);
  const [removeOpen, setRemoveOpen] = useState(false);
  /** A fresh dialog (no error, not busy) each time one is opened. */
  const [removeKey, setRemoveKey] = useState(0);
  const [error, setError] = useState<unknown>(undefined);
  const [busy, setBusy] = useState(false);
  const [notice, setNotice] = useState<string | null>(null);
  const [warnings, setWarnings] = useState<OperationWarning[]>([]);
  const all = methods.data ?? [];
  const removable = all.filter((m) => segmentOf(m) !== null);

  const clearMessages = () => {
    setError(undefined);
    setNotice(null);
    setWarnings([]);
  };
  const startTotp = async () => {
    clearMessages();
    setAdding(null);
    setTotp(null);
    setBusy(true);
    try {
      const started = await request<TotpRegistration>(`${BASE}/softwareOathMethods/registration`, { method: "POST", body: {} });
      setTotp(started.body);
      setAdding("totp");
    } catch (e) {
      setError(e);
    } finally {
      setBusy(false);
    }
  };
  const added = (method: AuthenticationMethod) => {
    setAdding(null);
    setTotp(null);
    setNotice(`${typeLabel(method)} "${nameOf(method)}" was added.`);
    methods.reload();
  };

  return (
    <div>
      <PageHeader
        title="My security info"
        description="The methods you use to sign in and to verify your identity. Adding or removing one is checked by Conditional Access."
        actions={
          <div className={styles.actions}>
            <Button appearance="primary" disabled={busy} onClick={() => void startTotp()}>
              Add authenticator app
            </Button>
            <Button
              disabled={busy}
              onClick={() => {
                clearMessages();
                setTotp(null);
                setAdding("passkey");
              }}
            >
              Add passkey
            </Button>
          </div>
        }
      />
      <div className={styles.messages}>
        <ErrorBar error={methods.error} />
        <ErrorBar error={error} title={errorTitle(error)} />
        {notice !== null ? (
          <MessageBar intent="success" role="status">
            <MessageBarBody>{notice}</MessageBarBody>
          </MessageBar>
        ) : null}
        {warnings.map((w) => (
          <MessageBar key={w.code} intent="warning" layout="multiline" role="alert">
            <MessageBarBody>
              <MessageBarTitle>{w.code === "lastMethodRemoved" ? "Last method removed" : "Warning"}</MessageBarTitle>
              {w.message}
            </MessageBarBody>
          </MessageBar>
        ))}
      </div>
      {adding === "totp" && totp !== null ? (
        <TotpSetup
          key={totp.registrationId}
          registration={totp}
          onDone={added}
          onCancel={() => {
            setAdding(null);
            setTotp(null);
          }}
        />
      ) : null}
      {adding === "passkey" ? <PasskeySetup onDone={added} onCancel={() => setAdding(null)} /> : null}
      {methods.loading && methods.data === undefined ? <Loading /> : null}
      <div className={styles.scroll}>
        <Table size="small" aria-label="Authentication methods" className={styles.table}>
          <TableHeader>
            <TableRow>
              <TableHeaderCell>Type</TableHeaderCell>
              <TableHeaderCell>Name</TableHeaderCell>
              <TableHeaderCell>Created</TableHeaderCell>
              <TableHeaderCell>Last used</TableHeaderCell>
              <TableHeaderCell>Actions</TableHeaderCell>
            </TableRow>
          </TableHeader>
          <TableBody>
            {all.map((m) => (
              <TableRow key={m.id}>
                <TableCell>{typeLabel(m)}</TableCell>
                <TableCell>{nameOf(m)}</TableCell>
                <TableCell>{formatDateTime(m.createdDateTime)}</TableCell>
                <TableCell>{formatDateTime(m.lastUsedDateTime)}</TableCell>
                <TableCell>
                  {segmentOf(m) !== null ? (
                    <Button
                      size="small"
                      aria-label={`Remove ${nameOf(m)}`}
                      onClick={() => {
                        clearMessages();
                        setRemoving(m);
                        setRemoveKey((k) => k + 1);
                        setRemoveOpen(true);
                      }}
                    >
                      Remove
                    </Button>
                  ) : (
                    <span className={styles.muted}>—</span>
                  )}
                </TableCell>
              </TableRow>
            ))}
          </TableBody>
        </Table>
      </div>
      {/* Always mounted: the modal's hiding of the rest of the page is undone as it closes. */}
      <Dialog open={removeOpen} onOpenChange={(_e, d) => setRemoveOpen(d.open)}>
        {removing !== null ? (
          <RemoveDialog
            key={removeKey}
            method={removing}
            last={removable.length === 1}
            onClose={() => setRemoveOpen(false)}
            onRemoved={(w) => {
              setNotice(`${typeLabel(removing)} "${nameOf(removing)}" was removed.`);
              setWarnings(w);
              setRemoveOpen(false);
              methods.reload();
            }}
          />
        ) : (
          <DialogSurface aria-label="Remove a method" />
        )}
      </Dialog>
    </div>
  );
}
