/** Duration percentiles over a sliding time window. */
export interface Percentiles {
  /** Median duration in ms (0 when there is no sample). */
  readonly p50: number;
  /** 95th percentile in ms. */
  readonly p95: number;
  /** 99th percentile in ms. */
  readonly p99: number;
  /** Samples in the window. */
  readonly count: number;
}

/**
 * Keeps the durations of the last `windowMs` milliseconds, at most `maxSamples` of them (the
 * oldest are dropped first), and computes nearest-rank percentiles on demand.
 */
export class SlidingWindow {
  readonly #windowMs: number;
  readonly #maxSamples: number;
  #at: number[] = [];
  #values: number[] = [];

  constructor(windowMs: number, maxSamples: number) {
    this.#windowMs = windowMs;
    this.#maxSamples = maxSamples;
  }

  /** Record a duration `value` (ms) observed at `atMs`. */
  add(value: number, atMs: number = Date.now()): void {
    this.#at.push(atMs);
    this.#values.push(value);
    if (this.#values.length > this.#maxSamples * 2) this.#prune(atMs);
  }

  /** Nearest-rank p50/p95/p99 of the samples within the window ending at `nowMs`. */
  percentiles(nowMs: number = Date.now()): Percentiles {
    this.#prune(nowMs);
    const sorted = [...this.#values].sort((a, b) => a - b);
    return { p50: rank(sorted, 0.5), p95: rank(sorted, 0.95), p99: rank(sorted, 0.99), count: sorted.length };
  }

  #prune(nowMs: number): void {
    const cutoff = nowMs - this.#windowMs;
    let drop = 0;
    while (drop < this.#at.length && this.#at[drop]! < cutoff) drop++;
    drop = Math.max(drop, this.#values.length - this.#maxSamples);
    if (drop > 0) {
      this.#at = this.#at.slice(drop);
      this.#values = this.#values.slice(drop);
    }
  }
}

/** Nearest-rank percentile `q` (0..1) of an ascending array; 0 when empty. */
export function rank(sorted: readonly number[], q: number): number {
  if (sorted.length === 0) return 0;
  const index = Math.min(sorted.length - 1, Math.max(0, Math.ceil(q * sorted.length) - 1));
  return sorted[index]!;
}
