import type { AuthenticationStrengthPolicy } from "../policy/types.js";

/** The three built-in authentication strengths with their fixed ids (spec §1.13). */
const created = "2021-12-01T00:00:00Z";

export const MFA_STRENGTH_ID = "00000000-0000-0000-0000-000000000002";
export const PASSWORDLESS_MFA_STRENGTH_ID = "00000000-0000-0000-0000-000000000003";
export const PHISHING_RESISTANT_MFA_STRENGTH_ID = "00000000-0000-0000-0000-000000000004";

export const BUILT_IN_AUTHENTICATION_STRENGTHS: readonly AuthenticationStrengthPolicy[] = [
  {
    id: MFA_STRENGTH_ID,
    displayName: "Multifactor authentication",
    description: "Combinations of methods that satisfy strong authentication, such as a password + SMS",
    policyType: "builtIn",
    requirementsSatisfied: "mfa",
    createdDateTime: created,
    modifiedDateTime: created,
    allowedCombinations: [
      "windowsHelloForBusiness",
      "fido2",
      "x509CertificateMultiFactor",
      "deviceBasedPush",
      "temporaryAccessPassOneTime",
      "temporaryAccessPassMultiUse",
      "password,microsoftAuthenticatorPush",
      "password,softwareOath",
      "password,hardwareOath",
      "password,x509CertificateSingleFactor",
      "password,x509CertificateMultiFactor",
      "password,sms",
      "password,voice",
      "federatedMultiFactor",
      "microsoftAuthenticatorPush,federatedSingleFactor",
      "softwareOath,federatedSingleFactor",
      "hardwareOath,federatedSingleFactor",
      "sms,federatedSingleFactor",
      "voice,federatedSingleFactor",
    ],
  },
  {
    id: PASSWORDLESS_MFA_STRENGTH_ID,
    displayName: "Passwordless MFA",
    description: "Passwordless methods that satisfy strong authentication, such as Passwordless sign-in with the Microsoft Authenticator",
    policyType: "builtIn",
    requirementsSatisfied: "mfa",
    createdDateTime: created,
    modifiedDateTime: created,
    allowedCombinations: ["windowsHelloForBusiness", "fido2", "x509CertificateMultiFactor", "deviceBasedPush"],
  },
  {
    id: PHISHING_RESISTANT_MFA_STRENGTH_ID,
    displayName: "Phishing-resistant MFA",
    description: "Phishing-resistant, Passwordless methods for the strongest authentication, such as a FIDO2 security key",
    policyType: "builtIn",
    requirementsSatisfied: "mfa",
    createdDateTime: created,
    modifiedDateTime: created,
    allowedCombinations: ["windowsHelloForBusiness", "fido2", "x509CertificateMultiFactor"],
  },
];
