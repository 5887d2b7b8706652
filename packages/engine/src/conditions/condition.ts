import type { Bitset } from "../compile/bitset.js";
import type { DirectoryIndex, ServicePrincipalEntry, UserEntry } from "../compile/directory-index.js";
import type { LocationCatalog } from "../compile/location-catalog.js";
import type { FilterAttributes } from "../filter/index.js";
import type { ConditionalAccessPolicy, InboundTrust, ValidationIssue } from "../policy/types.js";
import type { DeviceInfo, SatisfiedControls } from "../whatif/types.js";

/** Graph `whatIfAnalysisReasons` members (R46). */
export type AnalysisReason =
  | "notSet"
  | "notEnoughInformation"
  | "invalidCondition"
  | "users"
  | "workloadIdentities"
  | "application"
  | "userActions"
  | "authenticationContext"
  | "devicePlatform"
  | "devices"
  | "clientApps"
  | "location"
  | "signInRisk"
  | "emptyPolicy"
  | "invalidPolicy"
  | "policyNotEnabled"
  | "userRisk"
  | "time"
  | "insiderRisk"
  | "authenticationFlow";

/** Three-valued match: a condition that cannot be decided fails closed upstream. */
export const NO_MATCH = 0;
export const MATCH = 1;
export const UNDECIDABLE = 2;
export type Tri = typeof NO_MATCH | typeof MATCH | typeof UNDECIDABLE;

export type SubjectKind = "user" | "servicePrincipal";

/** Everything a condition may look at, prepared once per sign-in. Ids are lower-cased. */
export interface SignInFacts {
  readonly kind: SubjectKind;
  readonly principalId: string;
  readonly user: UserEntry | null;
  readonly servicePrincipal: ServicePrincipalEntry | null;
  /** Guest/external classification (R12), null for internal members. */
  readonly guestType: string | null;
  readonly externalTenantId: string | null;
  /** Inbound trust for an external user's home tenant (R37); null for internal users. */
  readonly inboundTrust: InboundTrust | null;
  readonly groups: Bitset;
  readonly roles: Bitset;
  /** Users-condition result per policy index, when precomputed for this user's profile. */
  readonly subjectMatches: Uint8Array | null;
  readonly target: "application" | "userAction" | "authContext";
  readonly applications: readonly string[];
  readonly userAction: string | null;
  readonly authContext: string | null;
  /** Canonical lower-case platform, or null when unknown (R25). */
  readonly platform: string | null;
  /** Canonical client app type, or null when the request did not say. */
  readonly clientAppType: string | null;
  /** Named locations containing the sign-in (bit = catalog index). */
  readonly locations: Bitset;
  readonly inTrustedLocation: boolean;
  readonly signInRisk: string;
  readonly userRisk: string;
  readonly servicePrincipalRisk: string;
  readonly insiderRisk: string;
  /** Current and protocol-tracked transfer methods (R30). */
  readonly transferMethods: readonly string[];
  readonly device: DeviceInfo | null;
  deviceAttributes(): FilterAttributes;
  readonly satisfied: SatisfiedControls;
  /** Bitmask of the authentication methods used in the session (see the strength catalog). */
  readonly authenticationMethods: number;
}

export interface CompileContext {
  readonly tenantId: string;
  readonly directory: DirectoryIndex;
  readonly locations: LocationCatalog;
  readonly suites: ReadonlyMap<string, ReadonlySet<string>>;
  /** Custom security attributes of resource service principals by appId (R19 filters). */
  readonly resourceAttributes: ReadonlyMap<string, FilterAttributes>;
  /** Device properties referenced by any device filter (filled while compiling). */
  readonly deviceProperties: Set<string>;
  /** Problems found while compiling, reported with the policy's path. */
  issue(policy: ConditionalAccessPolicy, issue: Omit<ValidationIssue, "severity"> & { severity?: ValidationIssue["severity"] }): void;
}

/** A compiled, configured condition of one policy. */
export interface CompiledCondition {
  readonly reason: AnalysisReason;
  /** Which sign-ins the condition is meaningful for (R14, R16). */
  readonly subjects: "user" | "servicePrincipal" | "both";
  check(facts: SignInFacts): Tri;
}

export const lowerAll = (values: readonly string[] | undefined | null): string[] =>
  (values ?? []).filter((v): v is string => typeof v === "string").map((v) => v.toLowerCase());
