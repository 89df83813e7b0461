import {
  addCell,
  emptyCell,
  invalidOption,
  METRICS_BUCKETS_MS,
  type MetricsCell,
  type MetricsMinute,
  minuteStart,
} from "@verk/core";

/** Most minutes one query covers: the 8 hours the store keeps. */
export const MAX_METRICS_MINUTES = 480;

/** What {@link StatsReader.jobMetrics} reads. */
export interface JobMetricsQuery {
  /** Minutes back from `end`, 1 to 480. (Default: 60) */
  minutes?: number;
  /** Only this queue. (Default: all) */
  queue?: string;
  /** Only this class. (Default: all) */
  className?: string;
  /** End of the range (its minute is included). (Default: now) */
  end?: Date;
}

/** Durations of successful executions (ms), estimated from the histogram. */
export interface DurationSummary {
  /** Mean, exact (total ms / successful executions). */
  readonly meanMs: number;
  readonly p50: number;
  readonly p95: number;
  readonly p99: number;
}

/** One minute of the (filtered) total. */
export interface MetricsPoint extends DurationSummary {
  /** Minute start, epoch ms. */
  readonly minute: number;
  /** Executions, failures included. */
  readonly processed: number;
  readonly failed: number;
}

/** Totals over the range for one queue, class, or queue + class. */
export interface MetricsGroup extends DurationSummary {
  /** `""` when grouped by class only. */
  readonly queue: string;
  /** `""` when grouped by queue only. */
  readonly className: string;
  readonly processed: number;
  readonly failed: number;
  /** failed / processed, 0 to 1. */
  readonly failureRate: number;
}

/** The answer of {@link StatsReader.jobMetrics}. */
export interface JobMetrics {
  /** Every minute of the range, oldest first (also those without data, as zeros). */
  readonly points: MetricsPoint[];
  /** Per class, busiest first. */
  readonly byClass: MetricsGroup[];
  /** Per queue, busiest first. */
  readonly byQueue: MetricsGroup[];
  /** Queue and class names seen in the range (for filters), sorted. */
  readonly queues: string[];
  readonly classes: string[];
}

/**
 * Percentile `q` (0..1) of a bucketed histogram, interpolated linearly inside the bucket
 * (bucket i spans (bound[i-1], bound[i]]; the overflow bucket reports the last bound).
 */
export function histogramPercentile(buckets: readonly number[], q: number): number {
  const total = buckets.reduce((a, b) => a + b, 0);
  if (total === 0) return 0;
  const target = q * total;
  let seen = 0;
  for (let i = 0; i < buckets.length; i++) {
    const n = buckets[i] ?? 0;
    if (n > 0 && seen + n >= target) {
      if (i >= METRICS_BUCKETS_MS.length) return METRICS_BUCKETS_MS.at(-1)!;
      const lower = i === 0 ? 0 : METRICS_BUCKETS_MS[i - 1]!;
      const upper = METRICS_BUCKETS_MS[i]!;
      return lower + ((target - seen) / n) * (upper - lower);
    }
    seen += n;
  }
  return METRICS_BUCKETS_MS.at(-1)!;
}

function summary(cell: MetricsCell): DurationSummary {
  const ok = cell.processed - cell.failed;
  return {
    meanMs: ok > 0 ? cell.totalMs / ok : 0,
    p50: histogramPercentile(cell.buckets, 0.5),
    p95: histogramPercentile(cell.buckets, 0.95),
    p99: histogramPercentile(cell.buckets, 0.99),
  };
}

function group(cell: MetricsCell): MetricsGroup {
  return {
    queue: cell.queue,
    className: cell.className,
    processed: cell.processed,
    failed: cell.failed,
    failureRate: cell.processed > 0 ? cell.failed / cell.processed : 0,
    ...summary(cell),
  };
}

/** Validate a query and return its first and last minute. */
export function metricsRange(query: JobMetricsQuery): { from: number; to: number } {
  const minutes = query.minutes ?? 60;
  if (!Number.isInteger(minutes) || minutes < 1 || minutes > MAX_METRICS_MINUTES)
    throw invalidOption("minutes", `must be an integer from 1 to ${MAX_METRICS_MINUTES}`);
  const to = minuteStart((query.end ?? new Date()).getTime());
  return { from: to - (minutes - 1) * 60_000, to };
}

/** Aggregate stored minutes into the {@link JobMetrics} of `query`. */
export function aggregateMetrics(stored: readonly MetricsMinute[], query: JobMetricsQuery): JobMetrics {
  const { from, to } = metricsRange(query);
  const byMinute = new Map(stored.map((m) => [m.minute, m]));
  const classes = new Map<string, MetricsCell>();
  const queues = new Map<string, MetricsCell>();
  const queueNames = new Set<string>();
  const classNames = new Set<string>();
  const points: MetricsPoint[] = [];
  for (let minute = from; minute <= to; minute += 60_000) {
    const total = emptyCell("", "");
    for (const cell of byMinute.get(minute)?.cells ?? []) {
      queueNames.add(cell.queue);
      classNames.add(cell.className);
      if (query.queue !== undefined && cell.queue !== query.queue) continue;
      if (query.className !== undefined && cell.className !== query.className) continue;
      addCell(total, cell);
      const c = classes.get(cell.className) ?? emptyCell("", cell.className);
      classes.set(cell.className, c);
      addCell(c, cell);
      const q = queues.get(cell.queue) ?? emptyCell(cell.queue, "");
      queues.set(cell.queue, q);
      addCell(q, cell);
    }
    points.push({ minute, processed: total.processed, failed: total.failed, ...summary(total) });
  }
  const busiest = (a: MetricsGroup, b: MetricsGroup) => b.processed - a.processed;
  return {
    points,
    byClass: [...classes.values()].map(group).sort(busiest),
    byQueue: [...queues.values()].map(group).sort(busiest),
    queues: [...queueNames].sort(),
    classes: [...classNames].sort(),
  };
}
