/**
 * Maps Graph's What-If `deviceInfo` (R45) to the attributes a device filter reads (§3.7, R31).
 *
 * - Missing `deviceInfo` = unregistered device: every attribute is null (§3.7).
 * - `ownership` (What-If name) becomes `deviceOwnership` (filter name); `deviceOwnership` is
 *   accepted too, as are Graph device objects with nested `extensionAttributes`.
 * - Keys are matched as documented first, then case-insensitively (PascalCase exports).
 * - `extensionAttribute1`..`15` are only available when the device is Intune managed
 *   (`mdmAppId` set), compliant (`isCompliant` true) or hybrid joined (`trustType` ServerAD);
 *   otherwise they are null (§3.7).
 * - The directory stores no empty strings, so `""` and `[]` count as "no value"
 *   **[engine choice]**; numbers are read as their decimal text.
 */
import type { FilterAttributes } from "./filter-expression.js";

type Source = Readonly<Record<string, unknown>>;

const STRING_PROPERTIES = [
  "deviceId",
  "displayName",
  "enrollmentProfileName",
  "manufacturer",
  "mdmAppId",
  "model",
  "operatingSystem",
  "operatingSystemVersion",
  "profileType",
  "trustType",
] as const;

const COLLECTION_PROPERTIES = ["physicalIds", "systemLabels"] as const;

const EXTENSION_ATTRIBUTES: readonly string[] = Array.from({ length: 15 }, (_, i) => `extensionAttribute${i + 1}`);

function emptyAttributes(): Record<string, null> {
  const attributes: Record<string, null> = {};
  for (const name of STRING_PROPERTIES) attributes[name] = null;
  attributes.deviceOwnership = null;
  attributes.isCompliant = null;
  for (const name of COLLECTION_PROPERTIES) attributes[name] = null;
  for (const name of EXTENSION_ATTRIBUTES) attributes[name] = null;
  return attributes;
}

/** Attributes of an unregistered device: every property null. */
export const UNREGISTERED_DEVICE_ATTRIBUTES: FilterAttributes = Object.freeze(emptyAttributes());

type InputField =
  | (typeof STRING_PROPERTIES)[number]
  | (typeof COLLECTION_PROPERTIES)[number]
  | "ownership"
  | "deviceOwnership"
  | "isCompliant"
  | "extensionAttributes"
  | `extensionAttribute${number}`;

const INPUT_FIELDS: readonly InputField[] = [
  ...STRING_PROPERTIES,
  "ownership",
  "deviceOwnership",
  "isCompliant",
  ...COLLECTION_PROPERTIES,
  ...(EXTENSION_ATTRIBUTES as readonly InputField[]),
  "extensionAttributes",
];
const INPUT_FIELD_SET: ReadonlySet<string> = new Set(INPUT_FIELDS);
const INPUT_FIELD_BY_LOWER_NAME: ReadonlyMap<string, InputField> = new Map(INPUT_FIELDS.map((name) => [name.toLowerCase(), name]));

function isRecord(value: unknown): value is Source {
  return typeof value === "object" && value !== null && !Array.isArray(value);
}

/**
 * One pass over the input's own keys: each known field, by documented name when spelled so,
 * else by the first differently cased key with a non-null value. Unknown fields are ignored.
 */
/** Every input field present from the start: one fixed object shape for fast reads. */
function emptyInput(): Record<InputField, unknown> {
  return {
    deviceId: undefined,
    displayName: undefined,
    enrollmentProfileName: undefined,
    manufacturer: undefined,
    mdmAppId: undefined,
    model: undefined,
    operatingSystem: undefined,
    operatingSystemVersion: undefined,
    profileType: undefined,
    trustType: undefined,
    ownership: undefined,
    deviceOwnership: undefined,
    isCompliant: undefined,
    physicalIds: undefined,
    systemLabels: undefined,
    extensionAttributes: undefined,
    extensionAttribute1: undefined,
    extensionAttribute2: undefined,
    extensionAttribute3: undefined,
    extensionAttribute4: undefined,
    extensionAttribute5: undefined,
    extensionAttribute6: undefined,
    extensionAttribute7: undefined,
    extensionAttribute8: undefined,
    extensionAttribute9: undefined,
    extensionAttribute10: undefined,
    extensionAttribute11: undefined,
    extensionAttribute12: undefined,
    extensionAttribute13: undefined,
    extensionAttribute14: undefined,
    extensionAttribute15: undefined,
  };
}

function gather(source: Source): Record<InputField, unknown> {
  const values = emptyInput();
  for (const key of Object.keys(source)) {
    const value = source[key];
    if (value === undefined || value === null) continue;
    const name = INPUT_FIELD_SET.has(key) ? (key as InputField) : INPUT_FIELD_BY_LOWER_NAME.get(key.toLowerCase());
    if (name === undefined) continue;
    if (key === name || values[name] === undefined) values[name] = value;
  }
  return values;
}

function toText(value: unknown): string | boolean | null {
  if (typeof value === "string") return value === "" ? null : value;
  if (typeof value === "number" && Number.isFinite(value)) return String(value);
  if (typeof value === "boolean") return value;
  return null;
}

function toBoolean(value: unknown): boolean | null {
  if (typeof value === "boolean") return value;
  if (typeof value === "string") {
    const lower = value.toLowerCase();
    if (lower === "true") return true;
    if (lower === "false") return false;
  }
  return null;
}

function toCollection(value: unknown): readonly string[] | null {
  if (typeof value === "string") return value === "" ? null : Object.freeze([value]);
  if (!Array.isArray(value)) return null;
  const items: string[] = [];
  for (const item of value as readonly unknown[]) {
    if (typeof item === "string" && item !== "") items.push(item);
  }
  return items.length === 0 ? null : Object.freeze(items);
}

/**
 * Fast path for the common case (keys spelled as documented): when every own key with a
 * value is a documented field, the object itself is the input and no copy is made.
 */
function isCanonical(source: Source): boolean {
  for (const key in source) {
    if (!INPUT_FIELD_SET.has(key) && source[key] !== undefined && source[key] !== null) return false;
  }
  return true;
}

export function deviceFilterAttributes(deviceInfo: Record<string, unknown> | null | undefined): FilterAttributes {
  if (!isRecord(deviceInfo)) return UNREGISTERED_DEVICE_ATTRIBUTES;
  const input = (isCanonical(deviceInfo) ? deviceInfo : gather(deviceInfo)) as Partial<Record<InputField, unknown>>;
  const mdmAppId = toText(input.mdmAppId);
  const trustType = toText(input.trustType);
  const isCompliant = toBoolean(input.isCompliant);
  const extensionAttributesAvailable =
    typeof mdmAppId === "string" || isCompliant === true || (typeof trustType === "string" && trustType.toLowerCase() === "serverad");
  let e: (string | boolean | null)[] = NO_EXTENSION_ATTRIBUTES;
  if (extensionAttributesAvailable) {
    const nested = isRecord(input.extensionAttributes) ? gather(input.extensionAttributes) : undefined;
    e = (EXTENSION_ATTRIBUTES as readonly InputField[]).map(
      (name) => toText(input[name]) ?? (nested === undefined ? null : toText(nested[name])),
    );
  }
  // One object literal: a single fixed shape, far cheaper than adding 29 keys one by one.
  return Object.freeze({
    deviceId: toText(input.deviceId),
    displayName: toText(input.displayName),
    deviceOwnership: toText(input.ownership) ?? toText(input.deviceOwnership),
    enrollmentProfileName: toText(input.enrollmentProfileName),
    isCompliant,
    manufacturer: toText(input.manufacturer),
    mdmAppId,
    model: toText(input.model),
    operatingSystem: toText(input.operatingSystem),
    operatingSystemVersion: toText(input.operatingSystemVersion),
    physicalIds: input.physicalIds === undefined ? null : toCollection(input.physicalIds),
    profileType: toText(input.profileType),
    systemLabels: input.systemLabels === undefined ? null : toCollection(input.systemLabels),
    trustType,
    extensionAttribute1: e[0] ?? null,
    extensionAttribute2: e[1] ?? null,
    extensionAttribute3: e[2] ?? null,
    extensionAttribute4: e[3] ?? null,
    extensionAttribute5: e[4] ?? null,
    extensionAttribute6: e[5] ?? null,
    extensionAttribute7: e[6] ?? null,
    extensionAttribute8: e[7] ?? null,
    extensionAttribute9: e[8] ?? null,
    extensionAttribute10: e[9] ?? null,
    extensionAttribute11: e[10] ?? null,
    extensionAttribute12: e[11] ?? null,
    extensionAttribute13: e[12] ?? null,
    extensionAttribute14: e[13] ?? null,
    extensionAttribute15: e[14] ?? null,
  });
}

const NO_EXTENSION_ATTRIBUTES: (string | boolean | null)[] = [];

/** Every filter attribute, null until read: one fixed object shape keeps rule evaluation monomorphic. */
class DeviceAttributeValues {
  deviceId: string | boolean | null = null;
  displayName: string | boolean | null = null;
  deviceOwnership: string | boolean | null = null;
  enrollmentProfileName: string | boolean | null = null;
  isCompliant: boolean | null = null;
  manufacturer: string | boolean | null = null;
  mdmAppId: string | boolean | null = null;
  model: string | boolean | null = null;
  operatingSystem: string | boolean | null = null;
  operatingSystemVersion: string | boolean | null = null;
  physicalIds: readonly string[] | null = null;
  profileType: string | boolean | null = null;
  systemLabels: readonly string[] | null = null;
  trustType: string | boolean | null = null;
  extensionAttribute1: string | boolean | null = null;
  extensionAttribute2: string | boolean | null = null;
  extensionAttribute3: string | boolean | null = null;
  extensionAttribute4: string | boolean | null = null;
  extensionAttribute5: string | boolean | null = null;
  extensionAttribute6: string | boolean | null = null;
  extensionAttribute7: string | boolean | null = null;
  extensionAttribute8: string | boolean | null = null;
  extensionAttribute9: string | boolean | null = null;
  extensionAttribute10: string | boolean | null = null;
  extensionAttribute11: string | boolean | null = null;
  extensionAttribute12: string | boolean | null = null;
  extensionAttribute13: string | boolean | null = null;
  extensionAttribute14: string | boolean | null = null;
  extensionAttribute15: string | boolean | null = null;
}

type Reader = (info: Source, out: DeviceAttributeValues) => void;

/** One reader per property, each with a static property name (fast loads and stores). */
const READERS: Readonly<Record<string, Reader>> = {
  deviceId: (i, o) => void (o.deviceId = toText(i.deviceId)),
  displayName: (i, o) => void (o.displayName = toText(i.displayName)),
  deviceOwnership: (i, o) => void (o.deviceOwnership = toText(i.ownership) ?? toText(i.deviceOwnership)),
  enrollmentProfileName: (i, o) => void (o.enrollmentProfileName = toText(i.enrollmentProfileName)),
  isCompliant: (i, o) => void (o.isCompliant = toBoolean(i.isCompliant)),
  manufacturer: (i, o) => void (o.manufacturer = toText(i.manufacturer)),
  mdmAppId: (i, o) => void (o.mdmAppId = toText(i.mdmAppId)),
  model: (i, o) => void (o.model = toText(i.model)),
  operatingSystem: (i, o) => void (o.operatingSystem = toText(i.operatingSystem)),
  operatingSystemVersion: (i, o) => void (o.operatingSystemVersion = toText(i.operatingSystemVersion)),
  physicalIds: (i, o) => void (o.physicalIds = i.physicalIds === undefined ? null : toCollection(i.physicalIds)),
  profileType: (i, o) => void (o.profileType = toText(i.profileType)),
  systemLabels: (i, o) => void (o.systemLabels = i.systemLabels === undefined ? null : toCollection(i.systemLabels)),
  trustType: (i, o) => void (o.trustType = toText(i.trustType)),
};

/** §3.7: extension attributes exist only for Intune-managed, compliant or hybrid-joined devices. */
function extensionAttributesAvailable(info: Source): boolean {
  if (typeof toText(info.mdmAppId) === "string" || toBoolean(info.isCompliant) === true) return true;
  const trustType = toText(info.trustType);
  return typeof trustType === "string" && trustType.toLowerCase() === "serverad";
}

/**
 * A reader specialised to the device properties a tenant's filters reference, for the
 * sign-in path. It expects a normalized (`normalizeWhatIfRequest`) deviceInfo with the
 * documented camelCase names and reads only those properties; every other attribute is
 * null. Values follow `deviceFilterAttributes` exactly.
 */
export function createDeviceAttributeReader(
  properties: Iterable<string>,
): (deviceInfo: Record<string, unknown> | null | undefined) => FilterAttributes {
  const wanted = [...new Set(properties)];
  const readers = wanted.flatMap((name) => (READERS[name] ? [READERS[name]] : []));
  const extensions = (EXTENSION_ATTRIBUTES as readonly string[]).filter((name) => wanted.includes(name)) as (keyof DeviceAttributeValues)[];
  return (deviceInfo) => {
    if (!isRecord(deviceInfo)) return UNREGISTERED_DEVICE_ATTRIBUTES;
    const out = new DeviceAttributeValues();
    for (let k = 0; k < readers.length; k++) (readers[k] as Reader)(deviceInfo, out);
    if (extensions.length > 0 && extensionAttributesAvailable(deviceInfo)) {
      const nested = isRecord(deviceInfo.extensionAttributes) ? gather(deviceInfo.extensionAttributes) : undefined;
      for (const name of extensions) {
        (out as unknown as Record<string, unknown>)[name] =
          toText(deviceInfo[name]) ?? (nested === undefined ? null : toText(nested[name as InputField]));
      }
    }
    return out as unknown as FilterAttributes;
  };
}
