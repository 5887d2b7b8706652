import { describe, expect, it } from "vitest";
import { deviceFilterAttributes, UNREGISTERED_DEVICE_ATTRIBUTES } from "./device-filter-attributes.js";
import { DEVICE_FILTER_PROPERTIES } from "./device-filter-properties.js";

const ALL_PROPERTY_NAMES = DEVICE_FILTER_PROPERTIES.map((property) => property.name).sort();

const extensionAttributes = (value: (n: number) => string | null) =>
  Object.fromEntries(Array.from({ length: 15 }, (_, i) => [`extensionAttribute${i + 1}`, value(i + 1)]));

describe("deviceFilterAttributes (R45 deviceInfo → §3.7 attributes)", () => {
  it.each([null, undefined])("treats deviceInfo %s as an unregistered device with every attribute null", (info) => {
    const attributes = deviceFilterAttributes(info);
    expect(attributes).toBe(UNREGISTERED_DEVICE_ATTRIBUTES);
    expect(Object.keys(attributes).sort()).toEqual(ALL_PROPERTY_NAMES);
    expect(Object.values(attributes).every((value) => value === null)).toBe(true);
  });

  it("treats an empty deviceInfo object as a device with every attribute null", () => {
    const attributes = deviceFilterAttributes({});
    expect(Object.keys(attributes).sort()).toEqual(ALL_PROPERTY_NAMES);
    expect(Object.values(attributes).every((value) => value === null)).toBe(true);
  });

  it("maps every documented deviceInfo field of an Intune managed device", () => {
    const info = {
      deviceId: "8d0e6c1b-0000-4000-8000-000000000001",
      displayName: "LAPTOP-42",
      enrollmentProfileName: "Autopilot-Corp",
      ...extensionAttributes((n) => `ext${n}`),
      isCompliant: true,
      manufacturer: "Microsoft Corporation",
      mdmAppId: "0000000a-0000-0000-c000-000000000000",
      model: "Surface Laptop 5",
      operatingSystem: "Windows",
      operatingSystemVersion: "10.0.22631.3447",
      ownership: "Company",
      physicalIds: ["[ZTDId]:abc", "[OrderId]:Contoso"],
      profileType: "RegisteredDevice",
      systemLabels: ["M365Managed"],
      trustType: "AzureAD",
    };
    expect(deviceFilterAttributes(info)).toEqual({
      deviceId: "8d0e6c1b-0000-4000-8000-000000000001",
      displayName: "LAPTOP-42",
      enrollmentProfileName: "Autopilot-Corp",
      ...extensionAttributes((n) => `ext${n}`),
      isCompliant: true,
      manufacturer: "Microsoft Corporation",
      mdmAppId: "0000000a-0000-0000-c000-000000000000",
      model: "Surface Laptop 5",
      operatingSystem: "Windows",
      operatingSystemVersion: "10.0.22631.3447",
      deviceOwnership: "Company",
      physicalIds: ["[ZTDId]:abc", "[OrderId]:Contoso"],
      profileType: "RegisteredDevice",
      systemLabels: ["M365Managed"],
      trustType: "AzureAD",
    });
  });

  it("maps ownership to deviceOwnership and also accepts deviceOwnership", () => {
    expect(deviceFilterAttributes({ ownership: "Personal" }).deviceOwnership).toBe("Personal");
    expect(deviceFilterAttributes({ deviceOwnership: "Company" }).deviceOwnership).toBe("Company");
    expect(deviceFilterAttributes({ ownership: "Personal" })).not.toHaveProperty("ownership");
  });

  describe("extensionAttribute1..15 availability (§3.7)", () => {
    const ext = extensionAttributes((n) => `v${n}`);
    it.each<[string, Record<string, unknown>]>([
      ["Intune managed (mdmAppId set)", { mdmAppId: "0000000a-0000-0000-c000-000000000000" }],
      ["compliant", { isCompliant: true }],
      ["compliant given as the text True", { isCompliant: "True" }],
      ["hybrid joined (trustType ServerAD)", { trustType: "ServerAD" }],
      ["hybrid joined (trustType serverad)", { trustType: "serverad" }],
    ])("are available when the device is %s", (_label, state) => {
      const attributes = deviceFilterAttributes({ ...state, ...ext });
      for (let n = 1; n <= 15; n++) expect(attributes[`extensionAttribute${n}`]).toBe(`v${n}`);
    });

    it.each<[string, Record<string, unknown>]>([
      ["only registered (Workplace)", { trustType: "Workplace" }],
      ["Entra joined but neither managed nor compliant", { trustType: "AzureAD", isCompliant: false }],
      ["given an empty mdmAppId", { mdmAppId: "" }],
      ["without any state", {}],
    ])("are null when the device is %s", (_label, state) => {
      const attributes = deviceFilterAttributes({ ...state, ...ext });
      for (let n = 1; n <= 15; n++) expect(attributes[`extensionAttribute${n}`]).toBeNull();
    });

    it("are read from a nested Graph extensionAttributes object too", () => {
      const attributes = deviceFilterAttributes({
        isCompliant: true,
        extensionAttributes: { extensionAttribute1: "SAW", extensionAttribute15: "x" },
      });
      expect(attributes.extensionAttribute1).toBe("SAW");
      expect(attributes.extensionAttribute15).toBe("x");
      expect(attributes.extensionAttribute2).toBeNull();
    });
  });

  it("matches PascalCase keys case-insensitively, preferring the documented spelling", () => {
    const attributes = deviceFilterAttributes({
      DeviceId: "d1",
      TrustType: "ServerAD",
      ExtensionAttribute3: "x",
      PhysicalIds: ["a"],
      Ownership: "Company",
      model: "documented",
      Model: "pascal",
    });
    expect(attributes.deviceId).toBe("d1");
    expect(attributes.trustType).toBe("ServerAD");
    expect(attributes.extensionAttribute3).toBe("x");
    expect(attributes.physicalIds).toEqual(["a"]);
    expect(attributes.deviceOwnership).toBe("Company");
    expect(attributes.model).toBe("documented");
  });

  it("falls back to a differently cased key when the documented one is null", () => {
    expect(deviceFilterAttributes({ model: null, Model: "pascal" }).model).toBe("pascal");
  });

  it("normalizes values: empty strings and collections are missing, numbers become text", () => {
    const attributes = deviceFilterAttributes({
      displayName: "",
      physicalIds: [],
      systemLabels: ["", 42, "MultiUser"],
      operatingSystemVersion: 10,
      model: { nested: true },
    });
    expect(attributes.displayName).toBeNull();
    expect(attributes.physicalIds).toBeNull();
    expect(attributes.systemLabels).toEqual(["MultiUser"]);
    expect(attributes.operatingSystemVersion).toBe("10");
    expect(attributes.model).toBeNull();
  });

  it("reads isCompliant from a boolean or the text true/false, anything else is missing", () => {
    expect(deviceFilterAttributes({ isCompliant: false }).isCompliant).toBe(false);
    expect(deviceFilterAttributes({ isCompliant: "FALSE" }).isCompliant).toBe(false);
    expect(deviceFilterAttributes({ isCompliant: "yes" }).isCompliant).toBeNull();
  });

  it("wraps a single collection string into a one-element collection", () => {
    expect(deviceFilterAttributes({ systemLabels: "AzureResource" }).systemLabels).toEqual(["AzureResource"]);
  });

  it("ignores unknown fields and returns a frozen object", () => {
    const attributes = deviceFilterAttributes({ deviceId: "d", isManaged: true, "@odata.type": "x" });
    expect(Object.keys(attributes).sort()).toEqual(ALL_PROPERTY_NAMES);
    expect(Object.isFrozen(attributes)).toBe(true);
  });
});
