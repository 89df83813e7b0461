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

/** The capability keys under `prefix` (`""` or `namespace + ":"`). */
export function capabilityKeys(prefix: string): CapabilityKeys {
  return {
    total: (kind) => `${prefix}stat:${kind}`,
    day: (kind, date) => `${prefix}stat:${kind}:${date}`,
    queue: (kind, queue) => `${prefix}verk:stat:${kind}:queue:${queue}`,
    metricsMinute: (suffix) => `${prefix}verk:j|${suffix}`,
    sidekiqMetricsMinute: (suffix) => `${prefix}j|${suffix}`,
    lease: (name) => `${prefix}verk:lease:${name}`,
    once: (key) => `${prefix}verk:once:${key}`,
    cron: `${prefix}verk:cron`,
    events: `${prefix}verk:events`,
    due: `${prefix}verk:due`,
  };
}
