import {
  Button,
  Link,
  MessageBar,
  MessageBarBody,
  MessageBarTitle,
  makeStaticStyles,
  makeStyles,
  mergeClasses,
  Spinner,
  Text,
  Title1,
  tokens,
} from "@fluentui/react-components";
import { type MouseEvent, type ReactNode, useEffect, useState } from "react";
import { CA, GraphError, request } from "./api";
import { accountOf, CALLBACK_PATH, completeSignIn, readTokens, SignInError, signIn, signOut } from "./auth";
import { ErrorBar } from "./components/common";
import { AuditLogPage } from "./pages/AuditLogPage";
import { AuthContextsPage } from "./pages/AuthContextsPage";
import { AuthStrengthsPage } from "./pages/AuthStrengthsPage";
import { NamedLocationsPage } from "./pages/NamedLocationsPage";
import { OverviewPage } from "./pages/OverviewPage";
import { PoliciesPage } from "./pages/PoliciesPage";
import { PolicyEditorPage } from "./pages/PolicyEditorPage";
import { PolicyImpactPage } from "./pages/PolicyImpactPage";
import { SecurityInfoPage } from "./pages/SecurityInfoPage";
import { SignInsPage } from "./pages/SignInsPage";
import { TemplatesPage } from "./pages/TemplatesPage";
import { UsersGroupsPage } from "./pages/UsersGroupsPage";
import { WhatIfPage } from "./pages/WhatIfPage";
import { match, navigate, useLocation } from "./router";

const NAV: { path: string; label: string }[] = [
  { path: "/", label: "Overview" },
  { path: "/policies", label: "Policies" },
  { path: "/templates", label: "Templates" },
  { path: "/whatif", label: "What If" },
  { path: "/signins", label: "Sign-in logs" },
  { path: "/locations", label: "Named locations" },
  { path: "/strengths", label: "Authentication strengths" },
  { path: "/contexts", label: "Authentication contexts" },
  { path: "/audit", label: "Audit log" },
  { path: "/directory", label: "Users and groups" },
  { path: "/security-info", label: "My security info" },
];

/** Long names, addresses and ids wrap inside table cells instead of running into the next column. */
const useStaticStyles = makeStaticStyles({
  "td, th": { overflowWrap: "anywhere" },
});

const useStyles = makeStyles({
  shell: {
    display: "grid",
    gridTemplateColumns: "220px 1fr",
    gridTemplateRows: "48px 1fr",
    minHeight: "100vh",
    "@media (max-width: 760px)": { gridTemplateColumns: "1fr" },
  },
  top: {
    gridColumn: "1 / -1",
    display: "flex",
    alignItems: "center",
    gap: "12px",
    padding: "0 16px",
    backgroundColor: tokens.colorBrandBackground,
    color: tokens.colorNeutralForegroundOnBrand,
  },
  brand: { fontWeight: tokens.fontWeightSemibold, fontSize: tokens.fontSizeBase400, flexGrow: 1, whiteSpace: "nowrap" },
  brandSuffix: { "@media (max-width: 760px)": { display: "none" } },
  account: { color: tokens.colorNeutralForegroundOnBrand, "@media (max-width: 760px)": { display: "none" } },
  menuButton: { display: "none", "@media (max-width: 760px)": { display: "inline-flex" } },
  nav: {
    borderRight: `1px solid ${tokens.colorNeutralStroke2}`,
    backgroundColor: tokens.colorNeutralBackground2,
    padding: "8px 0",
    "@media (max-width: 760px)": { display: "none", borderRight: "none", borderBottom: `1px solid ${tokens.colorNeutralStroke2}` },
  },
  navOpen: { "@media (max-width: 760px)": { display: "block" } },
  navList: { listStyleType: "none", margin: 0, padding: 0 },
  navLink: {
    display: "block",
    padding: "8px 16px",
    color: tokens.colorNeutralForeground1,
    textDecorationLine: "none",
    ":hover": { backgroundColor: tokens.colorNeutralBackground2Hover, textDecorationLine: "none" },
  },
  navActive: { fontWeight: tokens.fontWeightSemibold, borderLeft: `3px solid ${tokens.colorBrandStroke1}`, paddingLeft: "13px" },
  main: { padding: "20px 24px", minWidth: 0, "@media (max-width: 760px)": { padding: "12px" } },
  signInPage: { maxWidth: "480px", margin: "15vh auto", padding: "24px", display: "flex", flexDirection: "column", gap: "16px" },
  skip: {
    position: "absolute",
    left: "-9999px",
    ":focus": { left: "8px", top: "8px", zIndex: 100, backgroundColor: tokens.colorNeutralBackground1, padding: "8px" },
  },
});

/** A link that navigates inside the portal (ordinary link semantics: Enter, middle click, copy address). */
export function RouteLink(props: { to: string; children: ReactNode; className?: string; current?: boolean; label?: string }) {
  const onClick = (e: MouseEvent<HTMLAnchorElement>) => {
    if (e.button !== 0 || e.metaKey || e.ctrlKey || e.shiftKey || e.altKey) return;
    e.preventDefault();
    navigate(props.to);
  };
  return (
    <Link
      href={props.to}
      onClick={onClick}
      className={props.className}
      aria-current={props.current ? "page" : undefined}
      aria-label={props.label}
    >
      {props.children}
    </Link>
  );
}

function Callback() {
  const styles = useStyles();
  const [error, setError] = useState<unknown>(undefined);
  useEffect(() => {
    let done = false;
    completeSignIn(window.location.search).then(
      (returnTo) => {
        if (!done) navigate(returnTo, { replace: true });
      },
      (e: unknown) => setError(e),
    );
    return () => {
      done = true;
    };
  }, []);
  if (error === undefined) return <Spinner label="Signing in…" />;
  const code = error instanceof SignInError ? error.code : "";
  return (
    <main className={styles.signInPage}>
      <Title1 as="h1">Sign-in failed</Title1>
      <ErrorBar error={error} title={code === "interaction_required" ? "More is needed to sign in" : "The sign-in did not complete"} />
      <Button appearance="primary" onClick={() => void signIn("/")}>
        Try again
      </Button>
    </main>
  );
}

function SignedOut() {
  const styles = useStyles();
  const [error, setError] = useState<unknown>(undefined);
  return (
    <main className={styles.signInPage}>
      <Title1 as="h1">Gatehouse</Title1>
      <Text>Manage Conditional Access for this tenant with an administrator account, or your own sign-in methods with any account.</Text>
      <ErrorBar error={error} />
      <Button appearance="primary" onClick={() => signIn().catch(setError)}>
        Sign in
      </Button>
    </main>
  );
}

/**
 * What the signed-in account may see: `admin` when the API lets it read Conditional Access,
 * `self` when it refuses (403: no administrative role), so the portal offers only the account's
 * own security info instead of pages that would all fail. The server decides: this only
 * shapes the navigation. Anything else (a claims challenge, an outage) counts as `admin`, so
 * the pages show the error and the step-up they need.
 */
type Access = "checking" | "admin" | "self";

function useAccess(signedIn: boolean): Access {
  const [access, setAccess] = useState<Access>("checking");
  useEffect(() => {
    if (!signedIn) return;
    let done = false;
    request(`${CA}/policies?$top=1`).then(
      () => {
        if (!done) setAccess("admin");
      },
      (e: unknown) => {
        if (!done) setAccess(e instanceof GraphError && e.status === 403 ? "self" : "admin");
      },
    );
    return () => {
      done = true;
    };
  }, [signedIn]);
  return access;
}

const SELF_SERVICE_PATH = "/security-info";

function NoAdministrativeRole(props: { path: string }) {
  return (
    <div>
      <Title1 as="h1">No access to this page</Title1>
      <MessageBar intent="info" layout="multiline">
        <MessageBarBody>
          <MessageBarTitle>Your account has no Conditional Access role</MessageBarTitle>
          This page ({props.path}) is for administrators (Conditional Access, Security or Global roles). You can manage your own sign-in
          methods in <RouteLink to={SELF_SERVICE_PATH}>My security info</RouteLink>.
        </MessageBarBody>
      </MessageBar>
    </div>
  );
}

function Page(props: { path: string; query: URLSearchParams; access: Access }) {
  const { path, query, access } = props;
  if (access === "checking") return <Spinner label="Loading…" />;
  if (access === "self" && path !== SELF_SERVICE_PATH) return <NoAdministrativeRole path={path} />;
  if (path === "/") return <OverviewPage />;
  if (path === "/policies") return <PoliciesPage />;
  if (path === "/policies/new") return <PolicyEditorPage id={null} templateId={query.get("template")} />;
  const impact = match("/policies/:id/impact", path);
  if (impact) return <PolicyImpactPage id={impact.id as string} />;
  const policy = match("/policies/:id", path);
  if (policy) return <PolicyEditorPage id={policy.id as string} templateId={null} />;
  if (path === "/templates") return <TemplatesPage />;
  if (path === "/whatif") return <WhatIfPage />;
  if (path === "/signins") return <SignInsPage initialPolicyId={query.get("policy")} />;
  if (path === "/locations") return <NamedLocationsPage />;
  if (path === "/strengths") return <AuthStrengthsPage />;
  if (path === "/contexts") return <AuthContextsPage />;
  if (path === "/audit") return <AuditLogPage />;
  if (path === "/directory") return <UsersGroupsPage />;
  if (path === "/security-info") return <SecurityInfoPage />;
  return (
    <div>
      <Title1 as="h1">Not found</Title1>
      <p>
        There is no page at {path}. <RouteLink to="/">Go to the overview</RouteLink>.
      </p>
    </div>
  );
}

export function App() {
  useStaticStyles();
  const styles = useStyles();
  const { path, query } = useLocation();
  const [menuOpen, setMenuOpen] = useState(false);
  // biome-ignore lint/correctness/useExhaustiveDependencies: close the menu on every navigation
  useEffect(() => setMenuOpen(false), [path]);
  const tokens = path === CALLBACK_PATH ? null : readTokens();
  const signedIn = tokens !== null && (tokens.expiresAt > Date.now() || tokens.refreshToken !== undefined);
  const access = useAccess(signedIn);
  // An account without an administrative role starts where it can do something.
  useEffect(() => {
    if (access === "self" && path === "/") navigate(SELF_SERVICE_PATH, { replace: true });
  }, [access, path]);
  if (path === CALLBACK_PATH) return <Callback />;
  if (tokens === null || !signedIn) return <SignedOut />;
  const account = accountOf(tokens);
  const nav = access === "self" ? NAV.filter((n) => n.path === SELF_SERVICE_PATH) : NAV;
  const section =
    NAV.filter((n) => n.path !== "/" && (path === n.path || path.startsWith(`${n.path}/`)))[0]?.path ?? (path === "/" ? "/" : "");
  return (
    <div className={styles.shell}>
      <a className={styles.skip} href="#main">
        Skip to content
      </a>
      <header className={styles.top}>
        <Button
          className={styles.menuButton}
          appearance="transparent"
          aria-expanded={menuOpen}
          aria-controls="nav"
          onClick={() => setMenuOpen((o) => !o)}
          style={{ color: "inherit" }}
        >
          Menu
        </Button>
        <span className={styles.brand}>
          Gatehouse<span className={styles.brandSuffix}> · Conditional Access</span>
        </span>
        {account ? <span className={styles.account}>{account.name}</span> : null}
        <Button appearance="transparent" onClick={() => signOut()} style={{ color: "inherit" }}>
          Sign out
        </Button>
      </header>
      <nav id="nav" aria-label="Sections" className={mergeClasses(styles.nav, menuOpen && styles.navOpen)}>
        <ul className={styles.navList}>
          {nav.map((n) => (
            <li key={n.path}>
              <RouteLink
                to={n.path}
                current={section === n.path}
                className={mergeClasses(styles.navLink, section === n.path && styles.navActive)}
              >
                {n.label}
              </RouteLink>
            </li>
          ))}
        </ul>
      </nav>
      <main id="main" className={styles.main} tabIndex={-1}>
        <Page path={path} query={query} access={access} />
      </main>
    </div>
  );
}
