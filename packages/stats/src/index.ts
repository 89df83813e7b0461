/**
 * `@verk/stats`: QueueStats for Verk (live per-queue counters, latency, duration percentiles),
 * Sidekiq's persisted `stat:*` counters, Prometheus metrics through prom-client, and a reading API.
 * @packageDocumentation
 */
export type { LiveQueueStats } from "./collector.js";
export { Collector, DEFAULT_BUCKETS } from "./collector.js";
export type {
  DurationSummary,
  JobMetrics,
  JobMetricsQuery,
  MetricsGroup,
  MetricsPoint,
} from "./job-metrics.js";
export { aggregateMetrics, histogramPercentile, MAX_METRICS_MINUTES } from "./job-metrics.js";
export { latencySeconds } from "./latency.js";
export type { QueueStats, StatsOptions, StatsPlugin } from "./plugin.js";
export { stats, statsReader } from "./plugin.js";
export type { MetricsRegistry } from "./prom-client.js";
export type { JobOutcome } from "./prom-metrics.js";
export { METRIC_NAMES } from "./prom-metrics.js";
export type { QueueSummary, StatsReader, StatsTotals } from "./reader.js";
export { createStatsReader } from "./reader.js";
export type { MetricsServer, MetricsSource, ServeMetricsOptions } from "./serve.js";
export { serveMetrics } from "./serve.js";
export type { Percentiles } from "./window.js";
export { rank, SlidingWindow } from "./window.js";
