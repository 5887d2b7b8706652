/** The Graph shapes the portal reads (as the Management API answers them). */
export type {
  AuthenticationStrengthPolicy,
  ConditionalAccessPolicy,
  NamedLocation,
  SignInLogEntry,
  WhatIfAnalysisResult,
  WhatIfResponse,
} from "@gatehouse/engine";

export interface User {
  id: string;
  userPrincipalName: string;
  displayName: string;
  userType: string;
  accountEnabled: boolean;
  createdDateTime?: string;
}

export interface Group {
  id: string;
  displayName: string;
  description: string | null;
  isAssignableToRole: boolean;
  createdDateTime?: string;
}

export interface ServicePrincipal {
  id: string;
  appId: string;
  displayName: string;
  servicePrincipalType?: string;
  accountEnabled?: boolean;
}

export interface AuthenticationContext {
  id: string;
  displayName: string;
  description?: string | null;
  isAvailable: boolean;
}

export interface Template {
  id: string;
  name: string;
  description: string;
  scenarios: string;
  details: { conditions: Record<string, unknown>; grantControls: unknown; sessionControls: unknown };
}

export interface RoleAssignment {
  id: string;
  principalId: string;
  roleDefinitionId: string;
  directoryScopeId?: string;
}

export interface ModifiedProperty {
  displayName: string;
  oldValue: string | null;
  newValue: string | null;
}

export interface DirectoryAudit {
  id: string;
  activityDateTime: string;
  activityDisplayName: string;
  category: string;
  correlationId: string;
  operationType: string;
  result: string;
  loggedByService?: string;
  initiatedBy: {
    user?: { id?: string | null; displayName?: string | null; userPrincipalName?: string | null } | null;
    app?: { appId?: string | null; displayName?: string | null; servicePrincipalId?: string | null } | null;
  };
  targetResources: { id: string; displayName: string | null; type: string; modifiedProperties?: ModifiedProperty[] }[];
  additionalDetails?: { key: string; value: string }[];
}
