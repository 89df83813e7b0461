import { type Verk, VerkError } from "@verk/core";
import type { Collector } from "./collector.js";
import type { MetricsRegistry, PromClientModule } from "./prom-client.js";
import type { QueueSummary, StatsReader, StatsTotals } from "./reader.js";

/** What one scrape reads from the store (every node's state); `undefined` when reading failed. */
type StoreSnapshot = { queues: QueueSummary[]; totals: StatsTotals } | undefined;

/** How a job execution ended, the `outcome` label of `verk_jobs_total`. */
export type JobOutcome = "success" | "retry" | "dead" | "discard";

/**
 * The Prometheus metrics of one stats plugin, as prom-client metrics registered in its own
 * registry (served by `metrics()`/`serveMetrics`) and in the user's registries. Per-job counters
 * and the duration histogram are updated as jobs end; gauges and store-wide values are read when
 * a registry is scraped (one store read per scrape). @internal
 */
export class PromMetrics {
  /** The plugin's own registry. */
  readonly registry: MetricsRegistry & { contentType: string };
  readonly #registries: MetricsRegistry[];
  readonly #jobs;
  readonly #duration;
  readonly #malformed;
  readonly #recovered;
  readonly #names: string[] = [];

  constructor(
    prom: PromClientModule,
    userRegistries: readonly MetricsRegistry[],
    buckets: readonly number[],
    collector: Collector,
    reader: () => StatsReader,
    verk: () => Verk | undefined,
  ) {
    const own = new prom.Registry();
    this.registry = own as unknown as MetricsRegistry & { contentType: string };
    this.#registries = [this.registry, ...userRegistries];
    const registers = this.#registries as unknown as InstanceType<PromClientModule["Registry"]>[];
    for (const registry of userRegistries) {
      const taken = METRIC_NAMES.find((name) => registry.getSingleMetric(name) !== undefined);
      if (taken)
        throw new VerkError(
          "INVALID_STATE",
          `@verk/stats: the registry already has a metric "${taken}" (another stats plugin that was not stopped?)`,
          { field: "registry" },
        );
    }
    const track = <T>(name: string, metric: T): T => {
      this.#names.push(name);
      return metric;
    };
    let pending: Promise<StoreSnapshot> | undefined;
    const snapshot = (): Promise<StoreSnapshot> => {
      pending ??= (async () => {
        try {
          const r = reader();
          const [queues, totals] = await Promise.all([r.queues(), r.totals()]);
          return { queues, totals };
        } catch (error) {
          verk()?.logger.warn({ plugin: "@verk/stats", err: error }, "reading the store for metrics failed");
          return undefined;
        } finally {
          setImmediate(() => {
            pending = undefined;
          });
        }
      })();
      return pending;
    };
    const labelsQ = ["queue"] as const;

    this.#jobs = track(
      "verk_jobs_total",
      new prom.Counter({
        name: "verk_jobs_total",
        help: "Job executions that ended on this node since start, by outcome (success, retry, dead, discard).",
        labelNames: ["queue", "class", "outcome"],
        registers,
      }),
    );
    this.#duration = track(
      "verk_job_duration_seconds",
      new prom.Histogram({
        name: "verk_job_duration_seconds",
        help: "Duration of job executions on this node since start, seconds.",
        labelNames: ["queue", "class"],
        buckets: [...buckets],
        registers,
      }),
    );
    this.#malformed = track(
      "verk_jobs_malformed_total",
      new prom.Counter({
        name: "verk_jobs_malformed_total",
        help: "Unreadable payloads moved to the dead set by this node since start.",
        labelNames: labelsQ,
        registers,
      }),
    );
    this.#recovered = track(
      "verk_jobs_recovered_total",
      new prom.Counter({
        name: "verk_jobs_recovered_total",
        help: "In-progress jobs this node put back on their queues since start (source: restart = its own earlier run, peer = a dead node).",
        labelNames: ["source"],
        registers,
      }),
    );
    track(
      "verk_jobs_running",
      new prom.Gauge({
        name: "verk_jobs_running",
        help: "Jobs running now on this node.",
        labelNames: labelsQ,
        registers,
        collect() {
          this.reset();
          for (const [queue, s] of collector.queues()) this.set({ queue }, s.running);
        },
      }),
    );
    track(
      "verk_job_duration_window_seconds",
      new prom.Gauge({
        name: "verk_job_duration_window_seconds",
        help: "Job duration percentiles over the sliding window on this node, seconds.",
        labelNames: ["queue", "quantile"],
        registers,
        collect() {
          this.reset();
          for (const [queue, s] of collector.queues()) {
            this.set({ queue, quantile: "0.5" }, s.durations.p50 / 1000);
            this.set({ queue, quantile: "0.95" }, s.durations.p95 / 1000);
            this.set({ queue, quantile: "0.99" }, s.durations.p99 / 1000);
          }
        },
      }),
    );
    const perQueue = (
      name: string,
      help: string,
      value: (q: QueueSummary) => number,
      kind: "Gauge" | "Counter" = "Gauge",
    ) => {
      const common = { name, help, labelNames: labelsQ, registers };
      const fill = async (metric: { reset(): void }, put: (queue: string, v: number) => void) => {
        const snap = await snapshot();
        metric.reset();
        for (const q of snap?.queues ?? []) put(q.name, value(q));
      };
      track(
        name,
        kind === "Gauge"
          ? new prom.Gauge({
              ...common,
              async collect() {
                await fill(this, (queue, v) => this.set({ queue }, v));
              },
            })
          : new prom.Counter({
              ...common,
              async collect() {
                await fill(this, (queue, v) => this.inc({ queue }, v));
              },
            }),
      );
    };
    perQueue("verk_queue_jobs", "Jobs waiting in the queue (all nodes).", (q) => q.size);
    perQueue(
      "verk_queue_latency_seconds",
      "Age of the oldest waiting job, seconds.",
      (q) => q.latencySeconds,
    );
    perQueue("verk_queue_paused", "1 when the queue is paused on every node, else 0.", (q) =>
      q.paused ? 1 : 0,
    );
    perQueue(
      "verk_queue_processed_total",
      "Executions on this queue on every node, failures included (verk:stat:processed:queue:<q>).",
      (q) => q.processed,
      "Counter",
    );
    perQueue(
      "verk_queue_failed_total",
      "Failed executions on this queue on every node (verk:stat:failed:queue:<q>).",
      (q) => q.failed,
      "Counter",
    );
    const total = (
      name: string,
      help: string,
      value: (t: StatsTotals) => number,
      kind: "Gauge" | "Counter",
    ) => {
      const fill = async (metric: { reset(): void }, put: (v: number) => void) => {
        const snap = await snapshot();
        metric.reset();
        if (snap) put(value(snap.totals));
      };
      track(
        name,
        kind === "Gauge"
          ? new prom.Gauge({
              name,
              help,
              registers,
              async collect() {
                await fill(this, (v) => this.set(v));
              },
            })
          : new prom.Counter({
              name,
              help,
              registers,
              async collect() {
                await fill(this, (v) => this.inc(v));
              },
            }),
      );
    };
    total(
      "verk_processed_total",
      "Executions on every node, failures included (stat:processed).",
      (t) => t.processed,
      "Counter",
    );
    total("verk_failed_total", "Failed executions on every node (stat:failed).", (t) => t.failed, "Counter");
    total("verk_scheduled_jobs", "Jobs in the schedule set.", (t) => t.scheduled, "Gauge");
    total("verk_retry_jobs", "Jobs in the retry set.", (t) => t.retries, "Gauge");
    total("verk_dead_jobs", "Jobs in the dead set.", (t) => t.dead, "Gauge");
  }

  /** A job execution ended. */
  ended(queue: string, className: string, durationMs: number, outcome: JobOutcome): void {
    this.#jobs.inc({ queue, class: className, outcome });
    this.#duration.observe({ queue, class: className }, durationMs / 1000);
  }

  /** An unreadable payload was dead-lettered. */
  malformed(queue: string): void {
    this.#malformed.inc({ queue });
  }

  /** `count` in-progress jobs were put back. */
  recovered(count: number, source: "restart" | "peer"): void {
    this.#recovered.inc({ source }, count);
  }

  /** Remove these metrics from the user's registries (the plugin stopped). */
  unregister(): void {
    for (const registry of this.#registries.slice(1))
      for (const name of this.#names) registry.removeSingleMetric(name);
  }
}

/** Every metric name, for clash checks and docs. */
export const METRIC_NAMES = [
  "verk_jobs_total",
  "verk_job_duration_seconds",
  "verk_jobs_malformed_total",
  "verk_jobs_recovered_total",
  "verk_jobs_running",
  "verk_job_duration_window_seconds",
  "verk_queue_jobs",
  "verk_queue_latency_seconds",
  "verk_queue_paused",
  "verk_queue_processed_total",
  "verk_queue_failed_total",
  "verk_processed_total",
  "verk_failed_total",
  "verk_scheduled_jobs",
  "verk_retry_jobs",
  "verk_dead_jobs",
] as const;
