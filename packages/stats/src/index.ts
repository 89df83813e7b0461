/**
 * `@verk/stats`: QueueStats for Verk (live per-queue counters, latency, duration percentiles),
 * Sidekiq's persisted `stat:*` counters, Prometheus metrics and a reading API.
 * @packageDocumentation
 */
export { latencySeconds } from "./latency.js";
export type { QueueSummary, StatsReader, StatsTotals } from "./reader.js";
export { createStatsReader } from "./reader.js";
