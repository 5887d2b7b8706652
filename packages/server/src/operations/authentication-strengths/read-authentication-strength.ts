/**
 * A custom authentication strength from a request body: `displayName`, `description`,
 * `allowedCombinations` (Graph's `authenticationMethodModes`, multi-method combinations
 * comma-joined). `requirementsSatisfied` is computed as Graph does: `mfa` when every
 * combination is multifactor.
 */
import { AUTHENTICATION_METHOD_MODES, type AuthenticationStrengthPolicy, enumValues } from "@gatehouse/engine";
import { BodyReader } from "../body-reader.js";

const MODES = new Map(enumValues(AUTHENTICATION_METHOD_MODES).map((m) => [m.toLowerCase(), m]));

/** Methods that are multifactor on their own. */
const MULTIFACTOR = new Set([
  "windowsHelloForBusiness",
  "fido2",
  "x509CertificateMultiFactor",
  "deviceBasedPush",
  "temporaryAccessPassOneTime",
  "temporaryAccessPassMultiUse",
  "federatedMultiFactor",
  "microsoftAuthenticatorPush",
]);

const isMultifactor = (combination: string[]): boolean => combination.length >= 2 || combination.some((m) => MULTIFACTOR.has(m));

export function readAuthenticationStrength(body: unknown, current: AuthenticationStrengthPolicy | null): AuthenticationStrengthPolicy {
  const r = new BodyReader(body, "an authenticationStrengthPolicy");
  const creating = current === null;
  const displayName = r.string("displayName", { required: creating, nonEmpty: true });
  const description = r.nullableString("description");
  const combinations = r.stringArray("allowedCombinations");
  r.accept("policyType", "requirementsSatisfied", "combinationConfigurations");
  const allowed: string[] = [];
  const parsed: string[][] = [];
  if (combinations !== undefined) {
    if (combinations.length === 0)
      r.issues.push({ path: "$.allowedCombinations", message: "allowedCombinations needs at least one combination." });
    combinations.forEach((combination, index) => {
      const methods: string[] = [];
      for (const part of combination.split(",").map((p) => p.trim())) {
        const mode = MODES.get(part.toLowerCase());
        if (mode === undefined) {
          r.issues.push({
            path: `$.allowedCombinations[${index}]`,
            message: `'${part}' is not an authentication method mode (known: ${[...MODES.values()].join(", ")}).`,
            code: "unknownEnumValue",
          });
        } else methods.push(mode);
      }
      parsed.push(methods);
      allowed.push(methods.join(","));
    });
  } else if (creating) r.issues.push({ path: "$.allowedCombinations", message: "allowedCombinations is required." });
  r.done();
  const finalCombinations = combinations !== undefined ? allowed : (current?.allowedCombinations ?? []);
  const finalParsed = combinations !== undefined ? parsed : finalCombinations.map((c) => c.split(","));
  return {
    ...(current ?? {}),
    id: current?.id ?? "",
    displayName: displayName ?? current?.displayName ?? "",
    description: description !== undefined ? description : (current?.description ?? null),
    policyType: "custom",
    requirementsSatisfied: finalParsed.every(isMultifactor) ? "mfa" : "none",
    allowedCombinations: finalCombinations,
  };
}
