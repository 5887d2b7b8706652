import type { ConditionalAccessPolicy } from "../policy/types.js";
import type { MergedSessionControls } from "../whatif/types.js";

const HOURS: Readonly<Record<string, number>> = { hours: 1, days: 24 };

/** Sign-in frequency as hours; `everyTime` is 0 (the most restrictive, R41). */
function frequencyHours(sif: { value?: number | null; type?: string | null; frequencyInterval?: string | null }): number {
  if (String(sif.frequencyInterval ?? "").toLowerCase() === "everytime") return 0;
  const unit = HOURS[String(sif.type ?? "").toLowerCase()];
  const value = typeof sif.value === "number" && sif.value > 0 ? sif.value : undefined;
  return unit === undefined || value === undefined ? Number.POSITIVE_INFINITY : unit * value;
}

/** Display strings of a policy's session controls, as the sign-in log writes them. */
export function sessionControlNames(policy: ConditionalAccessPolicy): string[] {
  const s = policy.sessionControls;
  if (!s) return [];
  const names: string[] = [];
  if (s.applicationEnforcedRestrictions?.isEnabled) names.push("ApplicationEnforcedRestrictions");
  if (s.cloudAppSecurity?.isEnabled) names.push("CloudAppSecurity");
  if (s.signInFrequency?.isEnabled) names.push("SignInFrequency");
  if (s.persistentBrowser?.isEnabled) names.push("PersistentBrowserSessionMode");
  if (s.disableResilienceDefaults === true) names.push("DisableResilienceDefaults");
  if (s.secureSignInSession?.isEnabled) names.push("SecureSignInSession");
  if (s.continuousAccessEvaluation?.mode) names.push("ContinuousAccessEvaluation");
  if (s.globalSecureAccessFilteringProfile?.isEnabled) names.push("GlobalSecureAccessFilteringProfile");
  return names;
}

/**
 * Merges the session controls of applying enabled policies (R41, engine choices marked
 * there): most restrictive sign-in frequency, persistent browser `never` over `always`,
 * union of the on/off controls, CAE strict modes over `disabled`.
 */
export function mergeSessionControls(policies: readonly ConditionalAccessPolicy[]): MergedSessionControls {
  const merged: MergedSessionControls = {};
  for (const policy of policies) {
    const s = policy.sessionControls;
    if (!s) continue;
    const id = policy.id;
    const sif = s.signInFrequency;
    if (sif?.isEnabled) {
      const hours = frequencyHours(sif);
      const current = merged.signInFrequency;
      const currentHours = current ? frequencyHours(current) : Number.POSITIVE_INFINITY;
      if (!current || hours < currentHours) {
        const next: NonNullable<MergedSessionControls["signInFrequency"]> = {
          frequencyInterval: hours === 0 ? "everyTime" : "timeBased",
          policyIds: current ? current.policyIds : [],
        };
        if (hours !== 0) {
          if (typeof sif.value === "number") next.value = sif.value;
          if (sif.type) next.type = sif.type;
        }
        if (sif.authenticationType) next.authenticationType = sif.authenticationType;
        next.policyIds.push(id);
        merged.signInFrequency = next;
      } else current.policyIds.push(id);
    }
    const pb = s.persistentBrowser;
    if (pb?.isEnabled && pb.mode) {
      const mode = String(pb.mode).toLowerCase() === "never" ? "never" : "always";
      const current = merged.persistentBrowser;
      if (!current) merged.persistentBrowser = { mode, policyIds: [id] };
      else {
        if (mode === "never") current.mode = "never";
        current.policyIds.push(id);
      }
    }
    if (s.applicationEnforcedRestrictions?.isEnabled) {
      (merged.applicationEnforcedRestrictions ??= { isEnabled: true, policyIds: [] }).policyIds.push(id);
    }
    const mcas = s.cloudAppSecurity;
    if (mcas?.isEnabled) {
      const type = String(mcas.cloudAppSecurityType ?? "mcasConfigured");
      const current = merged.cloudAppSecurity;
      // blockDownloads is stricter than monitorOnly; a custom (mcasConfigured) policy is stricter still.
      const strictness = (t: string): number => ({ monitoronly: 1, blockdownloads: 2, mcasconfigured: 3 })[t.toLowerCase()] ?? 3;
      if (!current) merged.cloudAppSecurity = { isEnabled: true, cloudAppSecurityType: type, policyIds: [id] };
      else {
        if (strictness(type) > strictness(current.cloudAppSecurityType)) current.cloudAppSecurityType = type;
        current.policyIds.push(id);
      }
    }
    if (s.secureSignInSession?.isEnabled) (merged.secureSignInSession ??= { isEnabled: true, policyIds: [] }).policyIds.push(id);
    if (s.disableResilienceDefaults === true) (merged.disableResilienceDefaults ??= { value: true, policyIds: [] }).policyIds.push(id);
    const cae = s.continuousAccessEvaluation?.mode;
    if (cae) {
      const current = merged.continuousAccessEvaluation;
      const strict = (m: string): number => ({ disabled: 0, strictlocation: 1, strictenforcement: 2 })[m.toLowerCase()] ?? 1;
      if (!current) merged.continuousAccessEvaluation = { mode: cae, policyIds: [id] };
      else {
        if (strict(cae) > strict(current.mode)) current.mode = cae;
        current.policyIds.push(id);
      }
    }
    const gsa = s.globalSecureAccessFilteringProfile;
    if (gsa?.isEnabled) {
      const current = (merged.globalSecureAccessFilteringProfile ??= { isEnabled: true, profileIds: [], policyIds: [] });
      if (gsa.profileId && !current.profileIds.includes(gsa.profileId)) current.profileIds.push(gsa.profileId);
      current.policyIds.push(id);
    }
  }
  return merged;
}
