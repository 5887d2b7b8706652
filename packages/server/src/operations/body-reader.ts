/**
 * Reads a JSON request body member by member, collecting every problem with its JSON path;
 * `done()` throws them all as one 400. Read-only members (`id`, `createdDateTime`, ...) and
 * OData annotations are ignored, members nobody reads are refused.
 */
import { InvalidRequestError, type RequestIssue } from "../errors/invalid-request-error.js";

const IGNORED = new Set(["id", "createddatetime", "modifieddatetime", "deleteddatetime"]);

export class BodyReader {
  readonly issues: RequestIssue[] = [];
  private readonly body: Record<string, unknown>;
  private readonly read = new Set<string>();

  constructor(body: unknown, what: string) {
    if (typeof body !== "object" || body === null || Array.isArray(body)) {
      this.issues.push({ path: "$", message: `The body must be a JSON object (${what}).`, code: "notAnObject" });
      this.body = {};
    } else this.body = body as Record<string, unknown>;
  }

  has(name: string): boolean {
    return this.body[name] !== undefined;
  }

  raw(name: string): unknown {
    this.read.add(name);
    return this.body[name];
  }

  private fail(name: string, message: string): undefined {
    this.issues.push({ path: `$.${name}`, message, code: "invalidValue" });
    return undefined;
  }

  string(name: string, options: { required?: boolean; nonEmpty?: boolean; maxLength?: number } = {}): string | undefined {
    const value = this.raw(name);
    if (value === undefined || value === null) {
      if (options.required) return this.fail(name, `${name} is required.`);
      return undefined;
    }
    if (typeof value !== "string") return this.fail(name, `${name} must be a string.`);
    if ((options.required || options.nonEmpty) && value.trim() === "") return this.fail(name, `${name} must not be empty.`);
    if (value.length > (options.maxLength ?? 1024))
      return this.fail(name, `${name} is longer than ${options.maxLength ?? 1024} characters.`);
    return value;
  }

  /** `null` is kept (it clears the member); undefined means absent. */
  nullableString(name: string): string | null | undefined {
    if (this.raw(name) === null) return null;
    return this.string(name);
  }

  boolean(name: string): boolean | undefined {
    const value = this.raw(name);
    if (value === undefined || value === null) return undefined;
    if (typeof value !== "boolean") return this.fail(name, `${name} must be true or false.`);
    return value;
  }

  stringArray(name: string): string[] | undefined {
    const value = this.raw(name);
    if (value === undefined || value === null) return undefined;
    if (!Array.isArray(value)) return this.fail(name, `${name} must be an array of strings.`);
    const bad = value.findIndex((v) => typeof v !== "string");
    if (bad >= 0) {
      this.issues.push({ path: `$.${name}[${bad}]`, message: `${name} must contain strings only.`, code: "invalidValue" });
      return undefined;
    }
    return value as string[];
  }

  object(name: string): Record<string, unknown> | undefined {
    const value = this.raw(name);
    if (value === undefined || value === null) return undefined;
    if (typeof value !== "object" || Array.isArray(value)) return this.fail(name, `${name} must be an object.`);
    return value as Record<string, unknown>;
  }

  /** Marks members as accepted without reading them (Graph members this server ignores). */
  accept(...names: string[]): void {
    for (const name of names) this.read.add(name);
  }

  /** Throws every problem found, including members no one read. */
  done(): void {
    for (const key of Object.keys(this.body)) {
      if (this.read.has(key) || key.startsWith("@") || key.includes("@odata.") || IGNORED.has(key.toLowerCase())) continue;
      this.issues.push({ path: `$.${key}`, message: `${key} is not a property this server accepts here.`, code: "unknownProperty" });
    }
    if (this.issues.length > 0) throw new InvalidRequestError(this.issues);
  }
}
