import { emptyCell, type MetricsCell, type MetricsMinute, metricsBucket, minuteStart } from "@verk/core";

/**
 * Accumulates this node's executions per minute, queue and class until the next flush persists
 * them (`StatsCapability.recordMetrics`). A failed flush puts them back, so nothing is lost.
 */
export class MinuteSeries {
  #minutes = new Map<number, Map<string, MetricsCell>>();

  /** Record one execution that ended at `atMs` after `durationMs`. */
  add(queue: string, className: string, durationMs: number, failed: boolean, atMs: number): void {
    const minute = minuteStart(atMs);
    const cells = this.#minutes.get(minute) ?? new Map<string, MetricsCell>();
    this.#minutes.set(minute, cells);
    const key = `${queue}\u0000${className}`;
    const cell = cells.get(key) ?? emptyCell(queue, className);
    cells.set(key, cell);
    cell.processed++;
    if (failed) {
      cell.failed++;
      return;
    }
    const ms = Math.max(0, durationMs);
    cell.totalMs += ms;
    const i = metricsBucket(ms);
    cell.buckets[i] = (cell.buckets[i] ?? 0) + 1;
  }

  /** Take every pending minute (and reset). */
  take(): MetricsMinute[] {
    const out = [...this.#minutes].map(([minute, cells]) => ({ minute, cells: [...cells.values()] }));
    this.#minutes = new Map();
    return out;
  }

  /** Put minutes back after a failed flush. */
  restore(minutes: readonly MetricsMinute[]): void {
    for (const m of minutes)
      for (const c of m.cells) {
        const cells = this.#minutes.get(m.minute) ?? new Map<string, MetricsCell>();
        this.#minutes.set(m.minute, cells);
        const key = `${c.queue}\u0000${c.className}`;
        const mine = cells.get(key) ?? emptyCell(c.queue, c.className);
        cells.set(key, mine);
        mine.processed += c.processed;
        mine.failed += c.failed;
        mine.totalMs += c.totalMs;
        c.buckets.forEach((n, i) => {
          mine.buckets[i] = (mine.buckets[i] ?? 0) + n;
        });
      }
  }
}
