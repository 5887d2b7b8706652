import fc from "fast-check";
import { describe, expect, it } from "vitest";
import { createDeviceAttributeReader, deviceFilterAttributes } from "./device-filter-attributes.js";
import { DEVICE_FILTER_PROPERTIES } from "./device-filter-properties.js";

const NAMES = DEVICE_FILTER_PROPERTIES.map((p) => p.name);
const text = fc.oneof(
  fc.constant(null),
  fc.constant(""),
  fc.constantFrom("ServerAD", "AzureAD", "Workplace", "SAW", "Company", "Personal"),
  fc.string({ maxLength: 6 }),
);

const deviceInfoArb = fc.record(
  {
    deviceId: text,
    displayName: text,
    ownership: text,
    enrollmentProfileName: text,
    isCompliant: fc.oneof(fc.boolean(), fc.constant(null), fc.constantFrom("true", "False")),
    mdmAppId: text,
    trustType: text,
    operatingSystem: text,
    physicalIds: fc.oneof(fc.constant(null), fc.array(fc.string({ maxLength: 5 }), { maxLength: 3 })),
    systemLabels: fc.oneof(fc.constant(null), fc.array(fc.constantFrom("AzureResource", "M365Managed", ""), { maxLength: 3 })),
    extensionAttribute1: text,
    extensionAttribute7: text,
    extensionAttribute15: text,
    extensionAttributes: fc.oneof(fc.constant(undefined), fc.record({ extensionAttribute1: text, extensionAttribute2: text })),
  },
  { requiredKeys: [] },
);

describe("createDeviceAttributeReader (§3.7)", () => {
  it("reads exactly what deviceFilterAttributes reads, for the properties it is given", () => {
    fc.assert(
      fc.property(deviceInfoArb, fc.subarray(NAMES, { minLength: 1 }), (info, names) => {
        const full = deviceFilterAttributes(info as Record<string, unknown>);
        const lean = createDeviceAttributeReader(names)(info as Record<string, unknown>);
        for (const name of names) expect([name, lean[name] ?? null]).toEqual([name, full[name] ?? null]);
      }),
      { numRuns: 500 },
    );
  });

  it("treats a missing deviceInfo as an unregistered device", () => {
    expect(createDeviceAttributeReader(["trustType"])(null).trustType ?? null).toBeNull();
  });
});
