/**
 * Per-minute job metrics (throughput, failures, durations) persisted by `@verk/stats` so another
 * process (the dashboard, the CLI) can chart them. One {@link MetricsCell} per queue + class and minute.
 */

/**
 * Upper bounds (ms) of the duration histogram buckets; a last bucket counts everything slower.
 * Percentiles are interpolated within a bucket, so they are estimates within one bucket's width.
 */
export const METRICS_BUCKETS_MS: readonly number[] = [
  5, 10, 25, 50, 100, 250, 500, 1_000, 2_500, 5_000, 10_000, 30_000, 60_000, 300_000,
];

/** Seconds a minute of metrics is kept: 8 hours, like Sidekiq 7's per-minute metrics. */
export const METRICS_MINUTE_TTL_SECONDS = 8 * 60 * 60;

/** What one queue + class did during one minute. */
export interface MetricsCell {
  readonly queue: string;
  /** Display class of the jobs. */
  readonly className: string;
  /** Executions ending in this minute, failures included (Sidekiq's `p`). */
  processed: number;
  /** Executions that failed (Sidekiq's `f`). */
  failed: number;
  /** Milliseconds spent in successful executions (Sidekiq's `ms`: failures are not timed). */
  totalMs: number;
  /** Successful executions per bucket of {@link METRICS_BUCKETS_MS}, plus one overflow bucket. */
  readonly buckets: number[];
}

/** The cells of one minute. */
export interface MetricsMinute {
  /** Start of the minute, epoch ms (a multiple of 60,000). */
  readonly minute: number;
  readonly cells: MetricsCell[];
}

/** Start of the minute holding `ms` (epoch ms). */
export function minuteStart(ms: number): number {
  return Math.floor(ms / 60_000) * 60_000;
}

/** Index of the histogram bucket for a duration of `ms` milliseconds. */
export function metricsBucket(ms: number): number {
  const i = METRICS_BUCKETS_MS.findIndex((bound) => ms <= bound);
  return i === -1 ? METRICS_BUCKETS_MS.length : i;
}

/** An empty cell for `queue` + `className`. */
export function emptyCell(queue: string, className: string): MetricsCell {
  return {
    queue,
    className,
    processed: 0,
    failed: 0,
    totalMs: 0,
    buckets: METRICS_BUCKETS_MS.map(() => 0).concat(0),
  };
}

/** Add `from` into `into` (same queue and class). */
export function addCell(into: MetricsCell, from: MetricsCell): void {
  into.processed += from.processed;
  into.failed += from.failed;
  into.totalMs += from.totalMs;
  from.buckets.forEach((n, i) => {
    into.buckets[i] = (into.buckets[i] ?? 0) + n;
  });
}
