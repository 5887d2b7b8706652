import { EMPTY_BITSET } from "../compile/bitset.js";
import type { CompiledTenant } from "../compile/compile-tenant.js";
import type { ServicePrincipalEntry, UserEntry } from "../compile/directory-index.js";
import { REGISTER_DEVICE, REGISTER_SECURITY_INFO } from "../conditions/applications.js";
import type { SignInFacts } from "../conditions/condition.js";
import { GUEST_OR_EXTERNAL_USER_TYPES } from "../conditions/users.js";
import { deviceFilterAttributes, type FilterAttributes } from "../filter/index.js";
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

const GUEST_TYPES = new Map(GUEST_OR_EXTERNAL_USER_TYPES.map((t) => [t.toLowerCase(), t]));

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
  const isServicePrincipal =
    String(identity["@odata.type"] ?? "")
      .toLowerCase()
      .endsWith("serviceprincipalsignin") ||
    (typeof identity.servicePrincipalId === "string" && typeof identity.userId !== "string");

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
    principalId = lowerOr(identity.userId, "");
    user = tenant.directory.users.get(principalId) ?? null;
    const declared = lowerOr(identity.externalUserType, lowerOr(user?.user.externalUserType, "none"));
    guestType = GUEST_TYPES.get(declared) ?? null;
    // R12: a guest (userType Guest) of unknown origin is a B2B collaboration guest.
    if (guestType === null && String(user?.user.userType ?? "").toLowerCase() === "guest") guestType = "b2bCollaborationGuest";
    const tenantIdValue = identity.externalTenantId ?? user?.user.externalTenantId;
    externalTenantId = typeof tenantIdValue === "string" && tenantIdValue.length > 0 ? tenantIdValue.toLowerCase() : null;
    // B2B direct connect users have no object in the resource tenant (R12).
    if (user === null && guestType !== "b2bDirectConnectUser") {
      problems.push({ policyId: "", code: "unknownUser", message: `User "${String(identity.userId ?? "")}" is not in the tenant` });
    }
  }

  const context = (request?.signInContext ?? {}) as unknown as Record<string, unknown>;
  const contextType = String(context["@odata.type"] ?? "").toLowerCase();
  let target: SignInFacts["target"] = "application";
  let applications: string[] = [];
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
    applications = Array.isArray(apps) ? apps.filter((a): a is string => typeof a === "string").map((a) => a.toLowerCase()) : [];
    if (applications.length === 0)
      problems.push({ policyId: "", code: "noTarget", message: "The request names no application, user action or authentication context" });
  }

  let address: IpAddress | null = null;
  const ip = conditions.ipAddress;
  if (typeof ip === "string" && ip.length > 0) {
    address = parseIpAddress(ip.trim());
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
  for (const m of [conditions.authenticationFlow?.transferMethod, conditions.originalTransferMethod]) {
    if (typeof m === "string")
      for (const part of m.split(",")) {
        const v = part.trim().toLowerCase();
        if (v.length > 0 && v !== "none" && !transferMethods.includes(v)) transferMethods.push(v);
      }
  }

  const device = conditions.deviceInfo ?? null;
  let attributes: FilterAttributes | null = null;
  const satisfied = request?.satisfied ?? {};
  const methods = new Set<string>();
  for (const m of satisfied.authenticationMethods ?? []) if (typeof m === "string") methods.add(m.toLowerCase());

  const entry = user ?? servicePrincipal;
  const facts: SignInFacts = {
    kind: isServicePrincipal ? "servicePrincipal" : "user",
    principalId,
    user,
    servicePrincipal,
    guestType,
    externalTenantId,
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
    insiderRisk: lowerOr(conditions.insiderRiskLevel, lowerOr(user?.user.insiderRiskLevel, "none")),
    transferMethods,
    device,
    deviceAttributes() {
      attributes ??= device ? deviceFilterAttributes(device) : NO_ATTRIBUTES;
      return attributes;
    },
    satisfied,
    authenticationMethods: methods,
  };
  return { facts, problems };
}
