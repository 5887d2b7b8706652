/** @gatehouse/bench: the synthetic tenant and the engine benchmark (`npm run bench`). */
export { type BenchmarkOptions, type BenchmarkReport, formatBenchmarkReport, type LatencyReport, runBenchmark } from "./run-benchmark.js";
export { createSeededRandom, type SeededRandom } from "./seeded-random.js";
export {
  createSyntheticTenant,
  DEFAULT_SYNTHETIC_TENANT_OPTIONS,
  describeSyntheticTenant,
  maxGroupNestingDepth,
  type SyntheticTenant,
  type SyntheticTenantOptions,
  type SyntheticTenantShape,
} from "./synthetic-tenant.js";
