import {
  assertKnownKeys,
  displayClass,
  invalidOption,
  requireCapability,
  type StatsCapability,
  type Verk,
  type VerkPlugin,
  type VerkStore,
} from "@verk/core";
import { Collector, DEFAULT_BUCKETS, type LiveQueueStats } from "./collector.js";
import { MinuteSeries } from "./minute-series.js";
import { loadPromClient, type MetricsRegistry, promClientMissing } from "./prom-client.js";
import { PromMetrics } from "./prom-metrics.js";
import { createStatsReader, type QueueSummary, type StatsReader } from "./reader.js";
import { closeServersOf } from "./serve.js";

/** Options of {@link stats}. */
export interface StatsOptions {
  /** Milliseconds between two flushes of the persisted counters. (Default: 5,000) */
  flushIntervalMs?: number;
  /** Milliseconds of the sliding window of the duration percentiles. (Default: 60,000) */
  windowMs?: number;
  /** Most durations kept per queue in the window. (Default: 10,000) */
  maxSamples?: number;
  /** Histogram bucket bounds in seconds. (Default: {@link DEFAULT_BUCKETS}) */
  buckets?: readonly number[];
  /** Persist `stat:*` counters to the store. (Default: true) */
  persist?: boolean;
  /**
   * prom-client registries to register the metrics into as well, e.g. your app's default
   * `register` (`import { register } from "prom-client"`). Needs the optional peer dependency
   * `prom-client`. The metrics are removed from them when the plugin stops. (Default: none)
   */
  registry?: MetricsRegistry | readonly MetricsRegistry[];
}

/** Every key {@link stats} accepts. */
const STATS_OPTION_KEYS = [
  "flushIntervalMs",
  "windowMs",
  "maxSamples",
  "buckets",
  "persist",
  "registry",
] as const satisfies readonly (keyof StatsOptions)[];

/** One queue: stored state plus this node's live counters. */
export interface QueueStats extends QueueSummary {
  /** Jobs of this queue running on this node now. */
  readonly running: number;
  /** Jobs finished successfully on this node since start. */
  readonly finishedSinceStart: number;
  /** Failed executions on this node since start. */
  readonly failedSinceStart: number;
  /** Duration percentiles (ms) over the sliding window on this node. */
  readonly durations: LiveQueueStats["durations"];
}

/** The `@verk/stats` plugin; also a reading API. */
export interface StatsPlugin extends VerkPlugin, Omit<StatsReader, "queues" | "close"> {
  /** Every stored queue merged with this node's live counters, sorted by name. */
  queues(): Promise<QueueStats[]>;
  /** This node's live counters per queue (synchronous, no store access). */
  live(): Map<string, LiveQueueStats>;
  /**
   * The Prometheus text exposition of this plugin's metrics, rendered by prom-client (reads queue
   * sizes and totals from the store).
   * @throws VerkError `INVALID_STATE` when prom-client is not installed, or before setup.
   */
  metrics(): Promise<string>;
  /** The content type of {@link StatsPlugin.metrics}' text. */
  readonly contentType: string;
  /** Persist the pending counter deltas now (one round trip). */
  flush(): Promise<void>;
}

/**
 * The QueueStats plugin: counts jobs per queue (running, finished, failed), keeps duration
 * percentiles over a sliding window, persists Sidekiq's `stat:processed`/`stat:failed` (+ per
 * day, + per queue) every `flushIntervalMs` and at stop, and keeps Prometheus metrics with
 * prom-client (an optional peer dependency, loaded at setup when installed) in its own registry
 * and in the `registry` you pass. Servers started by `serveMetrics(plugin)` close when it stops.
 * @throws VerkError `INVALID_OPTION` for a bad or unknown option, a `registry` without prom-client
 * installed, or (at setup) a store without the `stats`/`queueInspect` capabilities.
 * @example
 * const verkStats = stats();
 * const verk = createVerk({ store, queues: { default: 10 }, workers, plugins: [verkStats] });
 */
export function stats(options: StatsOptions = {}): StatsPlugin {
  assertKnownKeys(options, STATS_OPTION_KEYS, "stats");
  const flushIntervalMs = positive(options.flushIntervalMs, 5_000, "flushIntervalMs");
  const windowMs = positive(options.windowMs, 60_000, "windowMs");
  const maxSamples = positive(options.maxSamples, 10_000, "maxSamples");
  const buckets = options.buckets ?? DEFAULT_BUCKETS;
  if (!Array.isArray(buckets) || buckets.some((b) => typeof b !== "number" || !(b > 0)))
    throw invalidOption("buckets", "must be an array of positive numbers of seconds");
  const persist = options.persist ?? true;
  const registries = registriesOf(options.registry);
  const collector = new Collector(windowMs, maxSamples);
  const minutes = new MinuteSeries();
  let prom: PromMetrics | undefined;
  let verk: Verk | undefined;
  let reader: StatsReader | undefined;
  let capability: StatsCapability | undefined;
  let timer: NodeJS.Timeout | undefined;
  let flushing: Promise<void> = Promise.resolve();

  const needReader = (): StatsReader => {
    if (!reader)
      throw new Error("@verk/stats: the plugin is not attached to a Verk (createVerk({ plugins }))");
    return reader;
  };
  const doFlush = async (): Promise<void> => {
    if (!capability) return;
    const deltas = collector.takePending();
    if (deltas.processed === 0 && deltas.failed === 0) return;
    const series = minutes.take();
    try {
      await capability.increment(deltas);
    } catch (error) {
      collector.restorePending(deltas);
      minutes.restore(series);
      verk?.logger.warn(
        { plugin: "@verk/stats", err: error, processed: deltas.processed, failed: deltas.failed },
        "persisting stat counters failed; will retry",
      );
      return;
    }
    try {
      await capability.recordMetrics(series);
    } catch (error) {
      minutes.restore(series);
      verk?.logger.warn(
        { plugin: "@verk/stats", err: error },
        "persisting per-minute job metrics failed; will retry",
      );
    }
  };
  const flush = (): Promise<void> => {
    flushing = flushing.then(doFlush);
    return flushing;
  };

  const plugin: StatsPlugin = {
    name: "@verk/stats",
    setup(v) {
      verk = v;
      reader = createStatsReader(v.store);
      capability = persist ? requireCapability(v.store, "stats", "@verk/stats") : undefined;
      const client = loadPromClient();
      if (!client && registries.length > 0) throw promClientMissing("the registry option", "registry");
      if (client) prom = new PromMetrics(client, registries, buckets, collector, needReader, () => verk);
      v.on("job:started", (e) => collector.started(e.queue));
      v.on("job:finished", (e) => {
        collector.ended(e.queue, e.durationMs, false, e.finishedAt);
        prom?.ended(e.queue, displayClass(e.job), e.durationMs, "success");
        if (capability) minutes.add(e.queue, displayClass(e.job), e.durationMs, false, e.finishedAt);
      });
      v.on("job:failed", (e) => {
        collector.ended(e.queue, e.durationMs, true, e.failedAt);
        prom?.ended(e.queue, displayClass(e.job), e.durationMs, e.outcome);
        if (capability) minutes.add(e.queue, displayClass(e.job), e.durationMs, true, e.failedAt);
      });
      v.on("job:unacked", (e) => collector.unrecorded(e.queue));
      v.on("job:malformed", (e) => prom?.malformed(e.queue));
      v.on("jobs:recovered", (e) => prom?.recovered(e.count, e.fromNodeId === e.nodeId ? "restart" : "peer"));
    },
    start() {
      timer = setInterval(() => void flush(), flushIntervalMs);
      timer.unref?.();
    },
    async stop() {
      clearInterval(timer);
      timer = undefined;
      collector.resetRunning();
      await flush();
      await closeServersOf(plugin);
      prom?.unregister();
    },
    live: () => collector.queues(),
    async queues() {
      const stored = await needReader().queues();
      const live = collector.queues();
      const names = new Set(stored.map((q) => q.name));
      const rows: QueueSummary[] = [...stored];
      for (const name of live.keys())
        if (!names.has(name))
          rows.push({
            name,
            size: 0,
            latencySeconds: 0,
            paused: false,
            processed: 0,
            failed: 0,
            expired: 0,
            limited: 0,
            duplicates: 0,
          });
      rows.sort((a, b) => a.name.localeCompare(b.name));
      return rows.map((q) => {
        const l = live.get(q.name);
        return {
          ...q,
          running: l?.running ?? 0,
          finishedSinceStart: l?.finished ?? 0,
          failedSinceStart: l?.failed ?? 0,
          durations: l?.durations ?? { p50: 0, p95: 0, p99: 0, count: 0 },
        };
      });
    },
    totals: () => needReader().totals(),
    history: (days) => needReader().history(days),
    jobMetrics: (query) => needReader().jobMetrics(query),
    async metrics() {
      needReader();
      if (!prom) throw promClientMissing("metrics()");
      return prom.registry.metrics();
    },
    get contentType() {
      return prom?.registry.contentType ?? "text/plain; version=0.0.4; charset=utf-8";
    },
    flush,
  };
  return plugin;
}

/** Stats reader over any store, also usable without a running Verk. */
export function statsReader(store: VerkStore): StatsReader {
  return createStatsReader(store);
}

function registriesOf(value: StatsOptions["registry"]): MetricsRegistry[] {
  if (value === undefined) return [];
  const list = (Array.isArray(value) ? [...value] : [value]) as MetricsRegistry[];
  for (const r of list)
    if (typeof r?.registerMetric !== "function" || typeof r.getSingleMetric !== "function")
      throw invalidOption("registry", "must be a prom-client Registry (or an array of them)");
  return list;
}

function positive(value: number | undefined, fallback: number, field: string): number {
  if (value === undefined) return fallback;
  if (typeof value !== "number" || !Number.isFinite(value) || value <= 0)
    throw invalidOption(field, "must be a positive number");
  return value;
}
