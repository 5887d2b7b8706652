/**
 * Walks every point of a (profiles x request space) product and builds its What-If request.
 * The caller decides with the engine; this only enumerates, in a fixed order.
 */
import type { DeviceInfo, SatisfiedControls, WhatIfRequest } from "@gatehouse/engine";
import type { ProbeProfile } from "./probe-directory.js";
import { conditionsAt, type RequestSpace, type SpaceValue, type Target } from "./request-space.js";

export interface SweepPoint {
  profile: ProbeProfile;
  target: SpaceValue<Target>;
  client: SpaceValue<string>;
  platform: SpaceValue<string | null>;
  location: SpaceValue<{ ipAddress?: string; country?: string }>;
  signInRisk: SpaceValue<string>;
  userRisk: SpaceValue<string>;
  device: SpaceValue<DeviceInfo | null>;
  flow: SpaceValue<string | null>;
}

export function spaceSize(profiles: readonly ProbeProfile[], space: RequestSpace): number {
  return (
    profiles.length *
    space.targets.length *
    space.clientAppTypes.length *
    space.platforms.length *
    space.locations.length *
    space.signInRisks.length *
    space.userRisks.length *
    space.devices.length *
    space.flows.length
  );
}

/** Calls `visit` for each point until it returns false. Returns the number of points visited. */
export function sweep(
  profiles: readonly ProbeProfile[],
  space: RequestSpace,
  satisfied: SatisfiedControls,
  visit: (point: SweepPoint, request: WhatIfRequest) => boolean | undefined,
): number {
  let count = 0;
  for (const profile of profiles) {
    for (const target of space.targets) {
      for (const client of space.clientAppTypes) {
        for (const platform of space.platforms) {
          for (const location of space.locations) {
            for (const signInRisk of space.signInRisks) {
              for (const userRisk of space.userRisks) {
                for (const device of space.devices) {
                  for (const flow of space.flows) {
                    count++;
                    const request: WhatIfRequest = {
                      signInIdentity: { "@odata.type": "#microsoft.graph.userSignIn", userId: profile.userId },
                      signInContext: target.value,
                      signInConditions: conditionsAt(
                        client.value,
                        platform.value,
                        location.value,
                        signInRisk.value,
                        userRisk.value,
                        device.value,
                        flow.value,
                      ),
                      satisfied,
                    };
                    const go = visit({ profile, target, client, platform, location, signInRisk, userRisk, device, flow }, request);
                    if (go === false) return count;
                  }
                }
              }
            }
          }
        }
      }
    }
  }
  return count;
}

/** "members of X using legacy clients on Windows from an untrusted address" */
export function describePoint(point: SweepPoint, omit: ReadonlySet<string> = new Set()): string {
  const parts = [point.profile.label];
  if (!omit.has("client")) parts.push(`using ${point.client.label}`);
  if (!omit.has("platform") && point.platform.key !== "any") parts.push(`on ${point.platform.label}`);
  if (!omit.has("location") && point.location.key !== "any") parts.push(`from ${point.location.label}`);
  if (!omit.has("device") && point.device.key !== "any" && point.device.key !== "unregistered") parts.push(`with ${point.device.label}`);
  if (point.signInRisk.key !== "any" && point.signInRisk.key !== "none") parts.push(`at sign-in ${point.signInRisk.label}`);
  if (point.userRisk.key !== "any" && point.userRisk.key !== "none") parts.push(`at user ${point.userRisk.label}`);
  if (point.flow.key !== "any" && point.flow.key !== "none") parts.push(`through ${point.flow.label}`);
  return parts.join(" ");
}

/** Every authentication method that is not phishing-resistant (spec §1.13). */
export const NON_PHISHING_RESISTANT_METHODS = [
  "password",
  "voice",
  "hardwareOath",
  "softwareOath",
  "sms",
  "microsoftAuthenticatorPush",
  "deviceBasedPush",
  "temporaryAccessPassOneTime",
  "temporaryAccessPassMultiUse",
  "email",
  "x509CertificateSingleFactor",
  "federatedSingleFactor",
  "federatedMultiFactor",
];

export const ALL_METHODS = [...NON_PHISHING_RESISTANT_METHODS, "fido2", "windowsHelloForBusiness", "x509CertificateMultiFactor"];
