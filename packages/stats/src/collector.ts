import type { CounterDeltas, CounterPair } from "@verk/core";
import { type Percentiles, SlidingWindow } from "./window.js";

/** Default histogram buckets of `verk_job_duration_seconds`, in seconds. */
export const DEFAULT_BUCKETS = [0.005, 0.01, 0.025, 0.05, 0.1, 0.25, 0.5, 1, 2.5, 5, 10, 30, 60] as const;

/** Live counters of one queue on this node since the plugin started. */
export interface LiveQueueStats {
  /** Jobs running now. */
  running: number;
  /** Jobs finished successfully since start. */
  finished: number;
  /** Failed executions since start. */
  failed: number;
  /** Duration percentiles over the sliding window. */
  readonly durations: Percentiles;
}

/** Per queue + worker class counters and the duration histogram. */
export interface ClassSeries {
  readonly queue: string;
  readonly className: string;
  finished: number;
  failed: number;
  /** Cumulative counts per bucket (same order as the buckets). */
  readonly buckets: number[];
  /** Sum of durations, seconds. */
  sum: number;
  /** Number of observed durations. */
  count: number;
}

interface QueueState {
  running: number;
  finished: number;
  failed: number;
  readonly window: SlidingWindow;
}

/** Collects the in-memory statistics of one node, and the deltas not yet persisted. */
export class Collector {
  readonly buckets: readonly number[];
  readonly #windowMs: number;
  readonly #maxSamples: number;
  readonly #queues = new Map<string, QueueState>();
  readonly #series = new Map<string, ClassSeries>();
  #pending: { processed: number; failed: number; byQueue: Map<string, CounterPair> } = emptyPending();

  constructor(windowMs: number, maxSamples: number, buckets: readonly number[]) {
    this.#windowMs = windowMs;
    this.#maxSamples = maxSamples;
    this.buckets = [...buckets].sort((a, b) => a - b);
  }

  /** A job started on `queue`. */
  started(queue: string): void {
    this.#queue(queue).running++;
  }

  /** A job's run on `queue` ended without its outcome being written (`job:unacked`): no longer running, not counted. */
  unrecorded(queue: string): void {
    const q = this.#queue(queue);
    q.running = Math.max(0, q.running - 1);
  }

  /** A job ended on `queue` after `durationMs`; `failed` when it failed. Counts one execution. */
  ended(queue: string, className: string, durationMs: number, failed: boolean, atMs = Date.now()): void {
    const q = this.#queue(queue);
    q.running = Math.max(0, q.running - 1);
    if (failed) q.failed++;
    else q.finished++;
    q.window.add(durationMs, atMs);
    const s = this.#seriesOf(queue, className);
    if (failed) s.failed++;
    else s.finished++;
    const seconds = durationMs / 1000;
    s.sum += seconds;
    s.count++;
    this.buckets.forEach((bound, i) => {
      if (seconds <= bound) s.buckets[i]!++;
    });
    this.#pending.processed++;
    if (failed) this.#pending.failed++;
    let pair = this.#pending.byQueue.get(queue);
    if (!pair) {
      pair = { processed: 0, failed: 0 };
      this.#pending.byQueue.set(queue, pair);
    }
    pair.processed++;
    if (failed) pair.failed++;
  }

  /** Forget running counts (after stop: jobs put back were not finished). */
  resetRunning(): void {
    for (const q of this.#queues.values()) q.running = 0;
  }

  /** Take the deltas not yet persisted (and reset them). */
  takePending(): CounterDeltas {
    const p = this.#pending;
    this.#pending = emptyPending();
    return { processed: p.processed, failed: p.failed, byQueue: Object.fromEntries(p.byQueue) };
  }

  /** Put deltas back after a failed flush, so nothing is lost. */
  restorePending(deltas: CounterDeltas): void {
    this.#pending.processed += deltas.processed;
    this.#pending.failed += deltas.failed;
    for (const [queue, pair] of Object.entries(deltas.byQueue)) {
      const mine = this.#pending.byQueue.get(queue) ?? { processed: 0, failed: 0 };
      mine.processed += pair.processed;
      mine.failed += pair.failed;
      this.#pending.byQueue.set(queue, mine);
    }
  }

  /** Live statistics per queue. */
  queues(nowMs = Date.now()): Map<string, LiveQueueStats> {
    const out = new Map<string, LiveQueueStats>();
    for (const [name, q] of this.#queues) {
      out.set(name, {
        running: q.running,
        finished: q.finished,
        failed: q.failed,
        durations: q.window.percentiles(nowMs),
      });
    }
    return out;
  }

  /** Every queue + class series. */
  series(): ClassSeries[] {
    return [...this.#series.values()];
  }

  #queue(name: string): QueueState {
    let q = this.#queues.get(name);
    if (!q) {
      q = { running: 0, finished: 0, failed: 0, window: new SlidingWindow(this.#windowMs, this.#maxSamples) };
      this.#queues.set(name, q);
    }
    return q;
  }

  #seriesOf(queue: string, className: string): ClassSeries {
    const key = `${queue}\u0000${className}`;
    let s = this.#series.get(key);
    if (!s) {
      s = { queue, className, finished: 0, failed: 0, buckets: this.buckets.map(() => 0), sum: 0, count: 0 };
      this.#series.set(key, s);
    }
    return s;
  }
}

function emptyPending() {
  return { processed: 0, failed: 0, byQueue: new Map<string, CounterPair>() };
}
