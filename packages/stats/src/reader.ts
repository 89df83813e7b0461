import {
  type CounterPair,
  type FlowCounters,
  invalidOption,
  requireCapability,
  type StatsDay,
  type VerkStore,
} from "@verk/core";
import { aggregateMetrics, type JobMetrics, type JobMetricsQuery, metricsRange } from "./job-metrics.js";
import { latencySeconds } from "./latency.js";

/** One queue as stored, for `verk queues` and dashboards. */
export interface QueueSummary {
  /** Queue name (without `queue:`). */
  readonly name: string;
  /** Jobs waiting. */
  readonly size: number;
  /** Age of the oldest waiting job in seconds (now − its `enqueued_at`); 0 when empty. */
  readonly latencySeconds: number;
  /** Paused on every node (stored pause). */
  readonly paused: boolean;
  /** Lifetime executions on this queue, failures included (`verk:stat:processed:queue:<q>`). */
  readonly processed: number;
  /** Lifetime failed executions on this queue (`verk:stat:failed:queue:<q>`). */
  readonly failed: number;
  /** Jobs of this queue skipped because they expired before they started (flow control; 0 without the store's `flow` capability). */
  readonly expired: number;
  /** Times a limit held a job of this queue back: fetches that waited, jobs put back by a per-key limit. */
  readonly limited: number;
  /** Unique jobs dropped at enqueue as duplicates. */
  readonly duplicates: number;
}

/** Totals across the whole store, like Sidekiq's `Sidekiq::Stats`. */
export interface StatsTotals extends CounterPair {
  /** Jobs waiting in every known queue. */
  readonly enqueued: number;
  /** Jobs in the `schedule` set. */
  readonly scheduled: number;
  /** Jobs in the `retry` set. */
  readonly retries: number;
  /** Jobs in the `dead` set. */
  readonly dead: number;
  /** Number of known queues. */
  readonly queues: number;
  /** Expired jobs skipped, summed over the known queues (see {@link QueueSummary.expired}). */
  readonly expired: number;
  /** Times limits held jobs back, summed over the known queues. */
  readonly limited: number;
  /** Unique jobs dropped as duplicates, summed over the known queues. */
  readonly duplicates: number;
}

/** Reads the persisted statistics of a store; needs no running Verk. */
export interface StatsReader {
  /** Every known queue, sorted by name. */
  queues(): Promise<QueueSummary[]>;
  /** The totals (`stat:processed`, `stat:failed`, set sizes). */
  totals(): Promise<StatsTotals>;
  /**
   * Processed/failed per UTC day for the last `days` days (default 7, at most 1,825 = 5 years),
   * newest first, from Sidekiq's `stat:processed:YYYY-MM-DD` keys.
   */
  history(days?: number): Promise<StatsDay[]>;
  /**
   * Close the store the reader was given (its connections), so the process can exit. The
   * reader owns that store: don't call it on a store you still use elsewhere. Idempotent.
   */
  close(): Promise<void>;
  /**
   * Per-minute throughput, failures and duration percentiles per queue and class over the last
   * `minutes` (default 60, at most 480 = the 8 hours kept), persisted by every node's stats plugin.
   */
  jobMetrics(query?: JobMetricsQuery): Promise<JobMetrics>;
}

/**
 * Create a {@link StatsReader} over `store` (connect the store first, or let a call do it).
 * `close()` closes the store.
 * @throws VerkError `INVALID_OPTION` when the store lacks the `stats` or `queueInspect` capability.
 * @example
 * const reader = createStatsReader(redisStore({ url }));
 * console.table(await reader.queues());
 * await reader.close();
 */
export function createStatsReader(store: VerkStore): StatsReader {
  const stats = requireCapability(store, "stats", "@verk/stats");
  const inspect = requireCapability(store, "queueInspect", "@verk/stats");
  return {
    async queues() {
      await store.connect();
      const [counts, paused] = await Promise.all([store.counts(), store.pausedQueues()]);
      const names = Object.keys(counts.queues).sort();
      const [oldest, totals, flow] = await Promise.all([
        inspect.oldest(names),
        stats.queueTotals(names),
        flowCounters(store, names),
      ]);
      const now = Date.now();
      const pausedSet = new Set(paused);
      return names.map((name, i) => ({
        name,
        size: counts.queues[name] ?? 0,
        latencySeconds: latencySeconds(oldest[i], now),
        paused: pausedSet.has(name),
        processed: totals[name]?.processed ?? 0,
        failed: totals[name]?.failed ?? 0,
        expired: flow[name]?.expired ?? 0,
        limited: flow[name]?.limited ?? 0,
        duplicates: flow[name]?.duplicates ?? 0,
      }));
    },
    async totals() {
      await store.connect();
      const [counts, pair] = await Promise.all([store.counts(), stats.totals()]);
      const sizes = Object.values(counts.queues);
      const flow = Object.values(await flowCounters(store, Object.keys(counts.queues)));
      const sum = (field: keyof FlowCounters) => flow.reduce((total, c) => total + c[field], 0);
      return {
        ...pair,
        enqueued: sizes.reduce((a, b) => a + b, 0),
        scheduled: counts.schedule,
        retries: counts.retry,
        dead: counts.dead,
        queues: sizes.length,
        expired: sum("expired"),
        limited: sum("limited"),
        duplicates: sum("duplicates"),
      };
    },
    async history(days = 7) {
      if (!Number.isInteger(days) || days < 1 || days > 1825)
        throw invalidOption("days", "must be an integer from 1 to 1825");
      await store.connect();
      return stats.history(days);
    },
    close: () => store.close(),
    async jobMetrics(query = {}) {
      const { from, to } = metricsRange(query);
      await store.connect();
      return aggregateMetrics(await stats.readMetrics(from, to), query);
    },
  };
}

/** The flow-control counters of `queues` (zeros when the store has no `flow` capability). */
function flowCounters(store: VerkStore, queues: readonly string[]): Promise<Record<string, FlowCounters>> {
  const flow = store.capabilities?.flow;
  if (flow === undefined || queues.length === 0) return Promise.resolve({});
  return flow.counters(queues);
}
