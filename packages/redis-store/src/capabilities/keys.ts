import type { Keys } from "../keys.js";

/**
 * Keys and channels of the add-on capabilities. Sidekiq's `stat:*` keys keep Sidekiq's names;
 * everything Verk-only lives under `verk:`. Per-queue counters use `verk:stat:<kind>:queue:<q>`,
 * which can never collide with Sidekiq's per-day `stat:<kind>:YYYY-MM-DD`.
 */
export interface CapabilityKeys {
  /** STRING `stat:processed` / `stat:failed` (Sidekiq). */
  total(kind: "processed" | "failed"): string;
  /** STRING `stat:processed:YYYY-MM-DD` (Sidekiq, UTC day, 5-year TTL). */
  day(kind: "processed" | "failed", date: string): string;
  /** STRING `verk:stat:processed:queue:<q>` (Verk, lifetime per queue). */
  queue(kind: "processed" | "failed", queue: string): string;
  /** HASH `verk:j|YYYYMMDD|H:M`: Verk's per-minute metrics per queue and class (8 h TTL). */
  metricsMinute(suffix: string): string;
  /** HASH `j|YYYYMMDD|H:M`: Sidekiq 7's per-minute metrics per class (8 h TTL). */
  sidekiqMetricsMinute(suffix: string): string;
  /** STRING `verk:lease:<name>`: the lease holder's token, with a TTL. */
  lease(name: string): string;
  /** STRING `verk:once:<key>`: an exactly-once marker, with a TTL. */
  once(key: string): string;
  /** HASH `verk:cron`: periodic job name → JSON. */
  readonly cron: string;
  /** STREAM `verk:events`: the capped cross-node event log. */
  readonly events: string;
  /** Pub/sub channel `verk:due`: "a job due at <epoch seconds> was added". */
  readonly due: string;
}

/** The capability keys of `keys` (namespace and layout applied; see `../keys.ts`). */
export function capabilityKeys(keys: Keys): CapabilityKeys {
  return {
    total: (kind) => keys.statTotal(kind),
    day: (kind, date) => keys.statDay(kind, date),
    queue: (kind, queue) => keys.statQueue(kind, queue),
    metricsMinute: (suffix) => keys.metricsMinute(suffix),
    sidekiqMetricsMinute: (suffix) => keys.sidekiqMetricsMinute(suffix),
    lease: (name) => keys.lease(name),
    once: (key) => keys.once(key),
    cron: keys.cron,
    events: keys.events,
    due: keys.due,
  };
}
