import { addCell, emptyCell, METRICS_MINUTE_TTL_SECONDS, type MetricsMinute } from "./metrics.js";

/** The per-minute metrics of `MemoryStore` (one process), expired like the Redis ones. */
export function memoryMetrics(): {
  recordMetrics(minutes: readonly MetricsMinute[]): Promise<void>;
  readMetrics(fromMinute: number, toMinute: number): Promise<MetricsMinute[]>;
} {
  const stored = new Map<number, { cells: Map<string, MetricsMinute["cells"][number]>; until: number }>();
  const prune = (now: number) => {
    for (const [minute, entry] of stored) if (entry.until <= now) stored.delete(minute);
  };
  return {
    async recordMetrics(minutes) {
      const now = Date.now();
      for (const m of minutes) {
        const entry = stored.get(m.minute) ?? { cells: new Map(), until: 0 };
        entry.until = now + METRICS_MINUTE_TTL_SECONDS * 1000;
        for (const cell of m.cells) {
          const key = `${cell.queue}\u0000${cell.className}`;
          const mine = entry.cells.get(key) ?? emptyCell(cell.queue, cell.className);
          addCell(mine, cell);
          entry.cells.set(key, mine);
        }
        stored.set(m.minute, entry);
      }
    },
    async readMetrics(fromMinute, toMinute) {
      prune(Date.now());
      return [...stored.entries()]
        .filter(([minute]) => minute >= fromMinute && minute <= toMinute)
        .sort(([a], [b]) => a - b)
        .map(([minute, entry]) => ({
          minute,
          cells: [...entry.cells.values()].map((c) => ({ ...c, buckets: [...c.buckets] })),
        }));
    },
  };
}
