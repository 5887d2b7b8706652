/**
 * The compiled tenant for What If, kept in memory. Dropped on every write through this server
 * (`invalidate`), and, for several nodes sharing PostgreSQL, when the store's change marker
 * moves (the newest audit record, which every write through the API appends, and the tenant
 * settings' modification time), checked at most once per `checkIntervalMs`.
 * Fail closed: if the store or the compilation fails, `get` throws `ServiceUnavailableError`.
 */
import { type CompiledTenant, compileTenant } from "@gatehouse/engine";
import type { Store } from "@gatehouse/store";
import { ServiceUnavailableError } from "../../errors/service-unavailable-error.js";

export class CompiledTenantCache {
  private compiled: CompiledTenant | null = null;
  private marker: string | null = null;
  private checkedAt = Number.NEGATIVE_INFINITY;
  private pending: Promise<CompiledTenant> | null = null;
  private generation = 0;

  constructor(
    private readonly store: Store,
    private readonly clock: () => number = Date.now,
    private readonly checkIntervalMs = 1000,
    private readonly lookupCountry?: (ip: string) => string | null,
  ) {}

  invalidate(): void {
    this.compiled = null;
    this.marker = null;
    this.generation++;
  }

  private async readMarker(): Promise<string> {
    const [newest, settings] = await Promise.all([this.store.audit.list({ top: 1 }), this.store.tenant.get()]);
    return `${newest.value[0]?.id ?? ""}|${newest.value[0]?.activityDateTime ?? ""}|${settings?.modifiedDateTime ?? ""}`;
  }

  private async refresh(): Promise<CompiledTenant> {
    const generation = this.generation;
    const marker = await this.readMarker();
    if (this.compiled !== null && marker === this.marker) {
      this.checkedAt = this.clock();
      return this.compiled;
    }
    const compiled = compileTenant(await this.store.loadTenantSnapshot(), { lookupCountry: this.lookupCountry });
    // A write through this server during the load: keep the result for this call only.
    if (generation === this.generation) {
      this.compiled = compiled;
      this.marker = marker;
      this.checkedAt = this.clock();
    }
    return compiled;
  }

  async get(): Promise<CompiledTenant> {
    if (this.compiled !== null && this.clock() - this.checkedAt < this.checkIntervalMs) return this.compiled;
    if (this.pending === null) {
      this.pending = this.refresh().finally(() => {
        this.pending = null;
      });
    }
    try {
      return await this.pending;
    } catch (error) {
      this.invalidate();
      // The cause (a driver or compiler message: hosts, accounts, internals) is logged with the
      // 503, never put in the answer.
      throw new ServiceUnavailableError(
        "Conditional Access cannot be evaluated right now: the tenant could not be loaded or compiled. Try again later.",
        { cause: error },
      );
    }
  }
}
