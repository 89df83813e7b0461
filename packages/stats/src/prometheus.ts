import type { ClassSeries, LiveQueueStats } from "./collector.js";
import type { QueueSummary, StatsTotals } from "./reader.js";

/** What {@link renderPrometheus} renders. */
export interface MetricsInput {
  /** Histogram bucket bounds, seconds, ascending. */
  readonly buckets: readonly number[];
  readonly series: readonly ClassSeries[];
  readonly live: ReadonlyMap<string, LiveQueueStats>;
  /** Stored queue state; omitted when the store could not be read. */
  readonly queues?: readonly QueueSummary[];
  readonly totals?: StatsTotals;
}

/** Escape a label value for the Prometheus text format. */
export function escapeLabel(value: string): string {
  return value.replace(/\\/g, "\\\\").replace(/\n/g, "\\n").replace(/"/g, '\\"');
}

function labels(pairs: Record<string, string>): string {
  const body = Object.entries(pairs)
    .map(([k, v]) => `${k}="${escapeLabel(v)}"`)
    .join(",");
  return body ? `{${body}}` : "";
}

function num(n: number): string {
  if (n === Number.POSITIVE_INFINITY) return "+Inf";
  return Number.isFinite(n) ? String(n) : "NaN";
}

/** Render the Prometheus text exposition format (version 0.0.4). */
export function renderPrometheus(input: MetricsInput): string {
  const out: string[] = [];
  const family = (name: string, type: string, help: string, rows: [Record<string, string>, number][]) => {
    out.push(`# HELP ${name} ${help}`, `# TYPE ${name} ${type}`);
    for (const [l, v] of rows) out.push(`${name}${labels(l)} ${num(v)}`);
  };
  const live = [...input.live.entries()].sort(([a], [b]) => a.localeCompare(b));
  family(
    "verk_jobs_running",
    "gauge",
    "Jobs running now on this node.",
    live.map(([queue, s]) => [{ queue }, s.running]),
  );
  const series = [...input.series].sort(
    (a, b) => a.queue.localeCompare(b.queue) || a.className.localeCompare(b.className),
  );
  family(
    "verk_jobs_finished_total",
    "counter",
    "Jobs finished successfully on this node since start.",
    series.map((s) => [{ queue: s.queue, class: s.className }, s.finished]),
  );
  family(
    "verk_jobs_failed_total",
    "counter",
    "Job executions that failed on this node since start.",
    series.map((s) => [{ queue: s.queue, class: s.className }, s.failed]),
  );
  out.push(
    "# HELP verk_job_duration_seconds Job duration on this node since start.",
    "# TYPE verk_job_duration_seconds histogram",
  );
  for (const s of series) {
    const base = { queue: s.queue, class: s.className };
    input.buckets.forEach((le, i) => {
      out.push(`verk_job_duration_seconds_bucket${labels({ ...base, le: num(le) })} ${s.buckets[i] ?? 0}`);
    });
    out.push(`verk_job_duration_seconds_bucket${labels({ ...base, le: "+Inf" })} ${s.count}`);
    out.push(`verk_job_duration_seconds_sum${labels(base)} ${num(s.sum)}`);
    out.push(`verk_job_duration_seconds_count${labels(base)} ${s.count}`);
  }
  family(
    "verk_job_duration_window_seconds",
    "gauge",
    "Job duration percentiles over the sliding window on this node.",
    live.flatMap(([queue, s]) => [
      [{ queue, quantile: "0.5" }, s.durations.p50 / 1000],
      [{ queue, quantile: "0.95" }, s.durations.p95 / 1000],
      [{ queue, quantile: "0.99" }, s.durations.p99 / 1000],
    ]),
  );
  if (input.queues) {
    family(
      "verk_queue_size",
      "gauge",
      "Jobs waiting in the queue.",
      input.queues.map((q) => [{ queue: q.name }, q.size]),
    );
    family(
      "verk_queue_latency_seconds",
      "gauge",
      "Age of the oldest waiting job.",
      input.queues.map((q) => [{ queue: q.name }, q.latencySeconds]),
    );
  }
  if (input.totals) {
    const t = input.totals;
    family("verk_processed_total", "counter", "Executions on every node (stat:processed).", [
      [{}, t.processed],
    ]);
    family("verk_failed_total", "counter", "Failed executions on every node (stat:failed).", [
      [{}, t.failed],
    ]);
    family("verk_scheduled_jobs", "gauge", "Jobs in the schedule set.", [[{}, t.scheduled]]);
    family("verk_retry_jobs", "gauge", "Jobs in the retry set.", [[{}, t.retries]]);
    family("verk_dead_jobs", "gauge", "Jobs in the dead set.", [[{}, t.dead]]);
  }
  return `${out.join("\n")}\n`;
}
