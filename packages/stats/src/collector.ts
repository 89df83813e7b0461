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

interface QueueState {
  running: number;
  finished: number;
  failed: number;
  readonly window: SlidingWindow;
}

/** Collects the in-memory statistics of one node, and the deltas not yet persisted. */
export class Collector {
  readonly #windowMs: number;
  readonly #maxSamples: number;
  readonly #queues = new Map<string, QueueState>();
  #pending: { processed: number; failed: number; byQueue: Map<string, CounterPair> } = emptyPending();

  constructor(windowMs: number, maxSamples: number) {
    this.#windowMs = windowMs;
    this.#maxSamples = maxSamples;
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
  ended(queue: string, durationMs: number, failed: boolean, atMs = Date.now()): void {
    const q = this.#queue(queue);
    q.running = Math.max(0, q.running - 1);
    if (failed) q.failed++;
    else q.finished++;
    q.window.add(durationMs, atMs);
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

  #queue(name: string): QueueState {
    let q = this.#queues.get(name);
    if (!q) {
      q = { running: 0, finished: 0, failed: 0, window: new SlidingWindow(this.#windowMs, this.#maxSamples) };
      this.#queues.set(name, q);
    }
    return q;
  }
}

function emptyPending() {
  return { processed: 0, failed: 0, byQueue: new Map<string, CounterPair>() };
}
