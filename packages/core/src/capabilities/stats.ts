/**
 * Optional store capability: Sidekiq-compatible persisted counters (`stat:processed`,
 * `stat:failed`, their per-day keys) and Verk's per-queue lifetime counters. Used by `@verk/stats`.
 */

import type { MetricsMinute } from "./metrics.js";

/** Processed/failed counts. `processed` counts every execution, failures included (Sidekiq's meaning). */
export interface CounterPair {
  /** Executions, failures included. */
  processed: number;
  /** Executions that failed. */
  failed: number;
}

/** Counter increments written in one round trip by {@link StatsCapability.increment}. */
export interface CounterDeltas extends CounterPair {
  /** Per-queue increments of the lifetime counters (queue name → deltas). */
  readonly byQueue: Readonly<Record<string, CounterPair>>;
}

/** One UTC day of the persisted history. */
export interface StatsDay {
  /** UTC day, `YYYY-MM-DD`. */
  readonly date: string;
  readonly processed: number;
  readonly failed: number;
}

/** Seconds a per-day counter lives: 5 years, like Sidekiq's `STATS_TTL`. */
export const STATS_DAY_TTL_SECONDS = 5 * 365 * 24 * 60 * 60;

/** Persisted counters; see the module note. */
export interface StatsCapability {
  /**
   * Add per-minute job metrics (see {@link MetricsMinute}) atomically per call; each minute expires
   * {@link METRICS_MINUTE_TTL_SECONDS} after its last write.
   */
  recordMetrics(minutes: readonly MetricsMinute[]): Promise<void>;
  /** The stored minutes from `fromMinute` to `toMinute` (epoch ms, inclusive), oldest first; absent minutes are omitted. */
  readMetrics(fromMinute: number, toMinute: number): Promise<MetricsMinute[]>;
  /**
   * Add `deltas` atomically in one round trip: the totals, the per-day keys of the UTC day of
   * `at` (default now; expiry {@link STATS_DAY_TTL_SECONDS}) and the per-queue lifetime counters.
   */
  increment(deltas: CounterDeltas, at?: Date): Promise<void>;
  /** The lifetime totals (`stat:processed`, `stat:failed`); 0 when absent. */
  totals(): Promise<CounterPair>;
  /** The per-queue lifetime counters of `queues`; 0 when absent. */
  queueTotals(queues: readonly string[]): Promise<Record<string, CounterPair>>;
  /** The last `days` UTC days, newest first, ending with the day of `end` (default today). */
  history(days: number, end?: Date): Promise<StatsDay[]>;
}

/** `YYYY-MM-DD` of `date` in UTC (the suffix of Sidekiq's per-day keys). */
export function utcDay(date: Date): string {
  return date.toISOString().slice(0, 10);
}

/** The `days` UTC day strings ending with the day of `end`, newest first. */
export function utcDays(days: number, end: Date = new Date()): string[] {
  const out: string[] = [];
  const start = Date.UTC(end.getUTCFullYear(), end.getUTCMonth(), end.getUTCDate());
  for (let i = 0; i < days; i++) out.push(utcDay(new Date(start - i * 86_400_000)));
  return out;
}
