/**
 * Test helpers: a small tenant and generated sign-in histories whose impact is known by
 * construction (the expected outcome of every sign-in is computed from plain rules, not
 * from the engine). Excluded from the build (`test-*.ts`).
 */
import {
  type ConditionalAccessPolicy,
  compileTenant,
  evaluateSignIn,
  type SignInLogEntry,
  type TenantSnapshot,
  toSignInLogEntry,
  type WhatIfRequest,
} from "@gatehouse/engine";

export const APP_X = "aaaaaaaa-0000-4000-8000-00000000000a";
export const APP_Y = "aaaaaaaa-0000-4000-8000-00000000000b";
export const APP_Z = "aaaaaaaa-0000-4000-8000-00000000000c";
export const FINANCE = "99999999-0000-4000-8000-000000000001";

export function user(n: number): string {
  return `11111111-0000-4000-8000-${n.toString(16).padStart(12, "0")}`;
}

export function policy(
  id: string,
  displayName: string,
  state: string,
  partial: { users?: object; apps?: string[]; clientAppTypes?: string[]; grant: string[] },
): ConditionalAccessPolicy {
  return {
    id,
    displayName,
    state,
    conditions: {
      users: {
        includeUsers: [],
        excludeUsers: [],
        includeGroups: [],
        excludeGroups: [],
        includeRoles: [],
        excludeRoles: [],
        includeGuestsOrExternalUsers: null,
        excludeGuestsOrExternalUsers: null,
        ...(partial.users ?? { includeUsers: ["All"] }),
      },
      clientApplications: null,
      applications: {
        includeApplications: partial.apps ?? ["All"],
        excludeApplications: [],
        includeUserActions: [],
        includeAuthenticationContextClassReferences: [],
        applicationFilter: null,
      },
      clientAppTypes: partial.clientAppTypes ?? ["all"],
      platforms: null,
      locations: null,
      devices: null,
      signInRiskLevels: [],
      userRiskLevels: [],
      servicePrincipalRiskLevels: [],
      insiderRiskLevels: [],
      authenticationFlows: null,
      deviceStates: null,
    },
    grantControls: {
      operator: "OR",
      builtInControls: partial.grant,
      customAuthenticationFactors: [],
      termsOfUse: [],
      authenticationStrength: null,
    },
    sessionControls: null,
  };
}

export const USERS = 40;
export const isFinance = (n: number): boolean => n % 4 === 0;

/** P1 (enabled): MFA for Finance on app X. P3 (report-only): MFA for everyone on app Y. */
export function currentTenant(): TenantSnapshot {
  return {
    tenantId: "t",
    policies: [
      policy("p1", "MFA for Finance on X", "enabled", { users: { includeGroups: [FINANCE] }, apps: [APP_X], grant: ["mfa"] }),
      policy("p3", "MFA for all on Y", "enabledForReportingButNotEnforced", { apps: [APP_Y], grant: ["mfa"] }),
    ],
    namedLocations: [],
    authenticationStrengthPolicies: [],
    users: Array.from({ length: USERS }, (_, i) => ({
      id: user(i + 1),
      userPrincipalName: `user${i + 1}@contoso.test`,
      userType: "Member",
    })),
    groups: [
      {
        id: FINANCE,
        displayName: "Finance",
        members: Array.from({ length: USERS }, (_, i) => i + 1)
          .filter(isFinance)
          .map(user),
      },
    ],
    roleAssignments: [],
    servicePrincipals: [],
  };
}

/** Proposed: P2 added (block legacy clients for all), P3 switched on. */
export function proposedPolicies(): ConditionalAccessPolicy[] {
  return [policy("p2", "Block legacy", "enabled", { clientAppTypes: ["exchangeActiveSync", "other"], grant: ["block"] })];
}

export interface GeneratedSignIn {
  request: WhatIfRequest;
  userNumber: number;
  app: string;
  client: string;
  mfaDone: boolean;
  expectedCurrent: "grant" | "challenge" | "block";
  expectedProposed: "grant" | "challenge" | "block";
}

const CLIENTS = ["browser", "mobileAppsAndDesktopClients", "exchangeActiveSync", "other"];
const APPS = [APP_X, APP_Y, APP_Z];

/** A deterministic history with expected outcomes from plain rules (R33, R38: legacy clients cannot do MFA). */
export function generateHistory(count: number, seed = 7): GeneratedSignIn[] {
  let s = seed;
  const next = (m: number): number => {
    s = (s * 1103515245 + 12345) % 2147483648;
    return Math.floor(s / 65536) % m;
  };
  const out: GeneratedSignIn[] = [];
  for (let i = 0; i < count; i++) {
    const n = next(USERS) + 1;
    const app = APPS[next(APPS.length)] as string;
    const client = CLIENTS[next(CLIENTS.length)] as string;
    const mfaDone = next(5) === 0;
    const legacy = client === "exchangeActiveSync" || client === "other";
    // R38: a legacy client cannot present MFA, whatever the session did: the requirement blocks.
    const needsMfa = (rule: boolean): "grant" | "challenge" | "block" =>
      !rule ? "grant" : legacy ? "block" : mfaDone ? "grant" : "challenge";
    const expectedCurrent = needsMfa(isFinance(n) && app === APP_X);
    const expectedProposed = legacy ? "block" : needsMfa((isFinance(n) && app === APP_X) || app === APP_Y);
    out.push({
      request: {
        signInIdentity: { "@odata.type": "#microsoft.graph.userSignIn", userId: user(n) },
        signInContext: { "@odata.type": "#microsoft.graph.applicationContext", includeApplications: [app] },
        signInConditions: { clientAppType: client, devicePlatform: i % 2 === 0 ? "windows" : "iOS", ipAddress: `203.0.113.${i % 200}` },
        satisfied: { authenticationMethods: mfaDone ? ["password", "microsoftAuthenticatorPush"] : ["password"] },
      },
      userNumber: n,
      app,
      client,
      mfaDone,
      expectedCurrent,
      expectedProposed,
    });
  }
  return out;
}

/** The history as Gatehouse's own sign-in log writes it (`toSignInLogEntry`). */
export function toLogEntries(tenant: TenantSnapshot, history: readonly GeneratedSignIn[]): SignInLogEntry[] {
  const compiled = compileTenant(tenant);
  return history.map((h, i) =>
    toSignInLogEntry({
      tenant: compiled,
      request: h.request,
      evaluation: evaluateSignIn(compiled, h.request),
      id: `signin-${i}`,
      createdDateTime: new Date(Date.UTC(2026, 10, 1) + i * 60_000).toISOString(),
      correlationId: `corr-${i}`,
    }),
  );
}

/** The same history as the Entra portal's CSV download would write it (a subset of its columns). */
export function toPortalCsv(entries: readonly SignInLogEntry[]): string {
  const q = (v: unknown): string => {
    const s = v === null || v === undefined ? "" : String(v);
    return /[",\n]/.test(s) ? `"${s.replace(/"/g, '""')}"` : s;
  };
  const header = [
    "Date (UTC)",
    "Request ID",
    "User ID",
    "Username",
    "Application",
    "Application ID",
    "Resource",
    "Resource ID",
    "IP address",
    "Client app",
    "Operating System",
    "Multifactor authentication auth method",
    "Authentication requirement",
    "Sign-in error code",
  ];
  const rows = entries.map((e) =>
    [
      e.createdDateTime,
      e.id,
      e.userId,
      e.userPrincipalName,
      e.appDisplayName ?? 'App, "quoted"',
      e.appId,
      e.resourceDisplayName ?? "",
      e.resourceId,
      e.ipAddress,
      e.clientAppUsed,
      e.deviceDetail.operatingSystem,
      (e.authenticationMethodsUsed ?? []).filter((m) => m !== "Password").join(";"),
      e.authenticationRequirement,
      e.status.errorCode,
    ]
      .map(q)
      .join(","),
  );
  return `${[header.join(","), ...rows].join("\r\n")}\r\n`;
}
