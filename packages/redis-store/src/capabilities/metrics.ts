import {
  addCell,
  emptyCell,
  METRICS_MINUTE_TTL_SECONDS,
  type MetricsCell,
  type MetricsMinute,
  minuteStart,
} from "@verk/core";
import type { RedisClient as Redis } from "../client.js";
import type { CapabilityKeys } from "./keys.js";

/** `YYYYMMDD|H:M` of a minute (UTC, hour and minute unpadded): the suffix of Sidekiq 7's metrics keys. */
export function minuteSuffix(minute: number): string {
  const d = new Date(minute);
  const day = d.toISOString().slice(0, 10).replace(/-/g, "");
  return `${day}|${d.getUTCHours()}:${d.getUTCMinutes()}`;
}

/** Escape `%` and `|` in a queue or class name so `|` can separate the parts of a field. */
function enc(name: string): string {
  return name.replace(/%/g, "%25").replace(/\|/g, "%7C");
}

function dec(name: string): string {
  return name.replace(/%7C/gi, "|").replace(/%25/g, "%");
}

/** The HINCRBY field → amount pairs of one cell in Verk's hash (`<queue>|<class>|p|f|ms|b<i>`). */
function verkFields(cell: MetricsCell): [string, number][] {
  const base = `${enc(cell.queue)}|${enc(cell.className)}|`;
  const out: [string, number][] = [];
  if (cell.processed) out.push([`${base}p`, cell.processed]);
  if (cell.failed) out.push([`${base}f`, cell.failed]);
  if (cell.totalMs) out.push([`${base}ms`, Math.round(cell.totalMs)]);
  cell.buckets.forEach((n, i) => {
    if (n) out.push([`${base}b${i}`, n]);
  });
  return out;
}

/** Parse Verk's minute hash back into cells. */
function parseCells(hash: Record<string, string>): MetricsCell[] {
  const cells = new Map<string, MetricsCell>();
  for (const [field, value] of Object.entries(hash)) {
    const parts = field.split("|");
    if (parts.length !== 3) continue;
    const [q, c, metric] = parts as [string, string, string];
    const n = Number(value);
    if (!Number.isFinite(n)) continue;
    const key = `${q}|${c}`;
    const cell = cells.get(key) ?? emptyCell(dec(q), dec(c));
    cells.set(key, cell);
    if (metric === "p") cell.processed += n;
    else if (metric === "f") cell.failed += n;
    else if (metric === "ms") cell.totalMs += n;
    else if (/^b\d+$/.test(metric)) {
      const i = Number(metric.slice(1));
      if (i < cell.buckets.length) cell.buckets[i] = (cell.buckets[i] ?? 0) + n;
    }
  }
  return [...cells.values()];
}

/**
 * Per-minute metrics on Redis. Each minute is written twice in one MULTI, both expiring after 8 h:
 * - Verk's hash `verk:j|YYYYMMDD|H:M`: per queue and class, fields `<queue>|<class>|p` (executions),
 *   `|f` (failures), `|ms` (time in successful executions) and `|b<i>` (duration histogram buckets);
 * - Sidekiq 7's hash `j|YYYYMMDD|H:M`: per class, `<Class>|p`, `<Class>|f`, `<Class>|ms`, so
 *   Sidekiq 7's Metrics page shows Verk's jobs too.
 */
export function redisMetrics(client: Redis, keys: CapabilityKeys) {
  return {
    async recordMetrics(minutes: readonly MetricsMinute[]): Promise<void> {
      const multi = client.multi();
      let writes = 0;
      for (const m of minutes) {
        const suffix = minuteSuffix(minuteStart(m.minute));
        const verk = keys.metricsMinute(suffix);
        const sidekiq = keys.sidekiqMetricsMinute(suffix);
        const byClass = new Map<string, MetricsCell>();
        for (const cell of m.cells) {
          for (const [field, n] of verkFields(cell)) {
            multi.hincrby(verk, field, n);
            writes++;
          }
          const mine = byClass.get(cell.className) ?? emptyCell("", cell.className);
          addCell(mine, cell);
          byClass.set(cell.className, mine);
        }
        for (const [cls, c] of byClass) {
          if (c.processed) multi.hincrby(sidekiq, `${cls}|p`, c.processed);
          if (c.failed) multi.hincrby(sidekiq, `${cls}|f`, c.failed);
          if (c.totalMs) multi.hincrby(sidekiq, `${cls}|ms`, Math.round(c.totalMs));
        }
        multi.expire(verk, METRICS_MINUTE_TTL_SECONDS).expire(sidekiq, METRICS_MINUTE_TTL_SECONDS);
      }
      if (writes === 0) {
        multi.discard();
        return;
      }
      await multi.exec();
    },
    async readMetrics(fromMinute: number, toMinute: number): Promise<MetricsMinute[]> {
      const minutes: number[] = [];
      for (let m = minuteStart(fromMinute); m <= toMinute && minutes.length < 100_000; m += 60_000)
        minutes.push(m);
      if (minutes.length === 0) return [];
      const pipeline = client.pipeline();
      for (const m of minutes) pipeline.hgetall(keys.metricsMinute(minuteSuffix(m)));
      const results = (await pipeline.exec()) ?? [];
      const out: MetricsMinute[] = [];
      minutes.forEach((minute, i) => {
        const hash = (results[i]?.[1] ?? {}) as Record<string, string>;
        if (Object.keys(hash).length > 0) out.push({ minute, cells: parseCells(hash) });
      });
      return out;
    },
  };
}
