import { EMPTY_BITSET } from "../compile/bitset.js";
import type { CompiledTenant } from "../compile/compile-tenant.js";
import type { ServicePrincipalEntry, UserEntry } from "../compile/directory-index.js";
import { REGISTER_DEVICE, REGISTER_SECURITY_INFO } from "../conditions/applications.js";
import type { SignInFacts, SubjectKind } from "../conditions/condition.js";
import { classifyGuest } from "../conditions/users.js";
import type { FilterAttributes } from "../filter/index.js";
import { type IpAddress, parseIpAddress } from "../network/index.js";
import type { BlockReason, WhatIfRequest } from "../whatif/types.js";

const PLATFORMS: Readonly<Record<string, string>> = {
  android: "android",
  ios: "ios",
  windows: "windows",
  windowsphone: "windowsphone",
  macos: "macos",
  linux: "linux",
};

const CLIENT_APP_TYPES: Readonly<Record<string, string>> = {
  browser: "browser",
  mobileappsanddesktopclients: "mobileappsanddesktopclients",
  modern: "mobileappsanddesktopclients",
  exchangeactivesync: "exchangeactivesync",
  eassupported: "exchangeactivesync",
  easunsupported: "exchangeactivesync",
  other: "other",
};

const USER_ACTIONS: Readonly<Record<string, string>> = {
  registersecurityinformation: REGISTER_SECURITY_INFO,
  [REGISTER_SECURITY_INFO]: REGISTER_SECURITY_INFO,
  registerorjoindevices: REGISTER_DEVICE,
  [REGISTER_DEVICE]: REGISTER_DEVICE,
};

const USER_SIGN_IN = "#microsoft.graph.userSignIn";
const SERVICE_PRINCIPAL_SIGN_IN = "#microsoft.graph.servicePrincipalSignIn";
const APPLICATION_CONTEXT = "#microsoft.graph.applicationContext";
const NONE: readonly string[] = [];

/** R30: current and protocol-tracked transfer methods (flags enum text or one value). */
function addTransferMethods(into: string[], value: unknown): void {
  if (typeof value !== "string" || value.length === 0 || value === "none") return;
  for (const part of value.split(",")) {
    const v = part.trim().toLowerCase();
    if (v.length > 0 && v !== "none" && !into.includes(v)) into.push(v);
  }
}

const lowerOr = (value: unknown, fallback: string): string =>
  typeof value === "string" && value.length > 0 ? value.toLowerCase() : fallback;

export interface PreparedSignIn {
  readonly facts: SignInFacts;
  /** Why no decision can be made for this request: the decision fails closed. */
  readonly problems: readonly BlockReason[];
}

const NO_ATTRIBUTES: FilterAttributes = Object.freeze({});

/**
 * Resolves a What-If request against the compiled tenant into the facts conditions read
 * (R45). Never throws: unknown principals and malformed values become `problems`.
 */
export function prepareSignIn(tenant: CompiledTenant, request: WhatIfRequest): PreparedSignIn {
  const problems: BlockReason[] = [];
  const identity = (request?.signInIdentity ?? {}) as unknown as Record<string, unknown>;
  const conditions = request?.signInConditions ?? {};
  const isServicePrincipal = signInSubjectKind(request) === "servicePrincipal";

  let user: UserEntry | null = null;
  let servicePrincipal: ServicePrincipalEntry | null = null;
  let guestType: string | null = null;
  let externalTenantId: string | null = null;
  let principalId = "";

  if (isServicePrincipal) {
    principalId = lowerOr(identity.servicePrincipalId, "");
    servicePrincipal = tenant.directory.servicePrincipals.get(principalId) ?? null;
    if (servicePrincipal === null) {
      // The beta typing calls this value an appId (R45, uncertain): accept either.
      for (const entry of tenant.directory.servicePrincipals.values()) {
        if (entry.servicePrincipal.appId?.toLowerCase() === principalId) {
          servicePrincipal = entry;
          principalId = entry.id;
          break;
        }
      }
    }
    if (servicePrincipal === null) {
      problems.push({
        policyId: "",
        code: "unknownServicePrincipal",
        message: `Service principal "${String(identity.servicePrincipalId ?? "")}" is not in the tenant`,
      });
    }
  } else {
    const rawId = identity.userId;
    // Ids are usually lower-case already: try the id as given before lower-casing it.
    user = (typeof rawId === "string" ? tenant.directory.users.get(rawId) : undefined) ?? null;
    principalId = user !== null ? user.id : lowerOr(rawId, "");
    if (user === null) user = tenant.directory.users.get(principalId) ?? null;
    const profile = user?.subject;
    if (profile !== undefined && identity.externalUserType === undefined && identity.externalTenantId === undefined) {
      // The directory's guest facts, already classified when the profile was built.
      guestType = profile.guestType;
      externalTenantId = profile.externalTenantId;
    } else {
      guestType = classifyGuest(identity.externalUserType, user?.user);
      const tenantIdValue = identity.externalTenantId ?? user?.user.externalTenantId;
      externalTenantId = typeof tenantIdValue === "string" && tenantIdValue.length > 0 ? tenantIdValue.toLowerCase() : null;
    }
    // B2B direct connect users have no object in the resource tenant (R12).
    if (user === null && guestType !== "b2bDirectConnectUser") {
      problems.push({ policyId: "", code: "unknownUser", message: `User "${String(identity.userId ?? "")}" is not in the tenant` });
    }
  }

  const context = (request?.signInContext ?? {}) as unknown as Record<string, unknown>;
  const rawContextType = context["@odata.type"];
  const contextType = rawContextType === APPLICATION_CONTEXT ? "application" : String(rawContextType ?? "").toLowerCase();
  let target: SignInFacts["target"] = "application";
  const applications: string[] = [];
  let userAction: string | null = null;
  let authContext: string | null = null;
  if (contextType.endsWith("useractioncontext") || (contextType === "" && typeof context.userAction === "string")) {
    target = "userAction";
    userAction = USER_ACTIONS[lowerOr(context.userAction, "")] ?? lowerOr(context.userAction, "");
  } else if (contextType.endsWith("authcontext") || (contextType === "" && typeof context.authenticationContextValue === "string")) {
    target = "authContext";
    authContext = lowerOr(context.authenticationContextValue, "");
  } else {
    const apps = context.includeApplications;
    if (Array.isArray(apps)) for (const a of apps) if (typeof a === "string") applications.push(a.toLowerCase());
    if (applications.length === 0)
      problems.push({ policyId: "", code: "noTarget", message: "The request names no application, user action or authentication context" });
  }

  let address: IpAddress | null = null;
  const ip = conditions.ipAddress;
  if (typeof ip === "string" && ip.length > 0) {
    address = parseIpAddress(ip) ?? parseIpAddress(ip.trim());
    if (address === null) problems.push({ policyId: "", code: "invalidIpAddress", message: `"${ip}" is not an IPv4 or IPv6 address` });
  }
  let country: string | null =
    typeof conditions.country === "string" && conditions.country.length > 0 ? conditions.country.toUpperCase() : null;
  if (country === null && address !== null && tenant.options.lookupCountry) {
    const found = tenant.options.lookupCountry(String(ip).trim());
    country = typeof found === "string" && found.length > 0 ? found.toUpperCase() : null;
  }
  const located = tenant.locations.resolve(address, country);

  const transferMethods: string[] = [];
  addTransferMethods(transferMethods, conditions.authenticationFlow?.transferMethod);
  addTransferMethods(transferMethods, conditions.originalTransferMethod);

  const device = conditions.deviceInfo ?? null;
  let attributes: FilterAttributes | null = null;
  const satisfied = request?.satisfied ?? {};
  let methods = tenant.strengths.methodMask(satisfied.authenticationMethods);
  // R22: registering or joining a device can't be satisfied by Windows Hello for Business
  // (it needs the device to be registered already).
  if (userAction === REGISTER_DEVICE) methods = (methods & ~tenant.strengths.methodMask(["windowsHelloForBusiness"])) >>> 0;

  const entry = user ?? servicePrincipal;
  // R37: an external user's home-tenant claims count only as far as inbound trust allows.
  const inboundTrust = guestType !== null && guestType !== "internalGuest" ? tenant.inboundTrust(externalTenantId) : null;
  // The precomputed users-condition results hold only if the request does not override
  // the directory's guest facts.
  const profile = user?.subject;
  const subjectMatches =
    profile && profile.guestType === guestType && profile.externalTenantId === externalTenantId ? profile.matches : null;
  const facts: SignInFacts = {
    kind: isServicePrincipal ? "servicePrincipal" : "user",
    principalId,
    user,
    servicePrincipal,
    guestType,
    externalTenantId,
    inboundTrust,
    subjectMatches,
    groups: entry?.groups ?? EMPTY_BITSET,
    roles: entry?.roles ?? EMPTY_BITSET,
    target,
    applications,
    userAction,
    authContext,
    platform: PLATFORMS[lowerOr(conditions.devicePlatform, "")] ?? null,
    clientAppType: CLIENT_APP_TYPES[lowerOr(conditions.clientAppType, "")] ?? null,
    locations: located.bits,
    inTrustedLocation: located.trusted,
    signInRisk: lowerOr(conditions.signInRiskLevel, "none"),
    userRisk: lowerOr(conditions.userRiskLevel, "none"),
    servicePrincipalRisk: lowerOr(conditions.servicePrincipalRiskLevel, "none"),
    // R29: the request's level, else the user's current level from the directory (read only
    // when some policy has an insider-risk condition: it touches the user object).
    insiderRisk: lowerOr(conditions.insiderRiskLevel, tenant.usesInsiderRisk ? lowerOr(user?.user.insiderRiskLevel, "none") : "none"),
    transferMethods: transferMethods.length === 0 ? NONE : transferMethods,
    device,
    deviceAttributes() {
      attributes ??= device ? tenant.readDeviceAttributes(device) : NO_ATTRIBUTES;
      return attributes;
    },
    satisfied,
    authenticationMethods: methods,
  };
  return { facts, problems };
}

/** Whether a request signs in a user or a workload identity (R45). */
export function signInSubjectKind(request: WhatIfRequest): SubjectKind {
  const identity = (request?.signInIdentity ?? {}) as unknown as Record<string, unknown>;
  const type = identity["@odata.type"];
  const servicePrincipal =
    type === SERVICE_PRINCIPAL_SIGN_IN ||
    (type !== USER_SIGN_IN &&
      (String(type ?? "")
        .toLowerCase()
        .endsWith("serviceprincipalsignin") ||
        (typeof identity.servicePrincipalId === "string" && typeof identity.userId !== "string")));
  return servicePrincipal ? "servicePrincipal" : "user";
}
