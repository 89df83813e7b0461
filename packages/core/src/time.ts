/**
 * Time helpers. Sidekiq stores times as Float epoch **seconds**; Sidekiq 8 reads an
 * integer as milliseconds, so every time Verk writes keeps a fractional part.
 */

/** The last value {@link nowSeconds} returned in this process. */
let lastNowSeconds = 0;

/**
 * Current time in epoch seconds (millisecond precision), never a whole number, and strictly
 * increasing within the process (by 1 µs when two calls fall in the same millisecond), so
 * sets scored by it (`dead`, `retry`) keep the order in which this process wrote them.
 */
export function nowSeconds(): number {
  const now = toSeconds(Date.now());
  if (now > lastNowSeconds) lastNowSeconds = now;
  else {
    const next = lastNowSeconds + 0.000001;
    lastNowSeconds = Number.isInteger(next) ? next + 0.000001 : next;
  }
  return lastNowSeconds;
}

/** Epoch milliseconds to epoch seconds that always carry a fraction (see module note). */
export function toSeconds(epochMs: number): number {
  const seconds = epochMs / 1000;
  return Number.isInteger(seconds) ? seconds + 0.000001 : seconds;
}

/**
 * Unit of the times Verk writes into payloads (`created_at`, `enqueued_at`, `failed_at`,
 * `retried_at`): `"seconds"` = Float epoch seconds (Sidekiq 6.x/7.x, read correctly by 8.x),
 * `"milliseconds"` = integer epoch milliseconds (what Sidekiq 8 itself writes).
 * Sorted-set scores are epoch seconds in both cases.
 */
export type TimestampUnit = "seconds" | "milliseconds";

/** Epoch milliseconds (default: now) as a payload time in `unit` (default `"seconds"`, always with a fraction). */
export function payloadTimestamp(unit: TimestampUnit = "seconds", epochMs: number = Date.now()): number {
  return unit === "milliseconds" ? Math.round(epochMs) : toSeconds(epochMs);
}

/** Values above this are taken as epoch milliseconds (1e11 s is the year 5138). */
const MS_THRESHOLD = 1e11;

/**
 * Read a payload time written by any Sidekiq version or by Verk in either unit, as epoch
 * milliseconds: numbers above 1e11 are milliseconds (Sidekiq 8), others seconds (6.x/7.x).
 * Numeric strings are accepted. Returns `undefined` for anything else.
 */
export function timestampToMs(value: unknown): number | undefined {
  const n = typeof value === "string" && value.trim() !== "" ? Number(value) : value;
  if (typeof n !== "number" || !Number.isFinite(n)) return undefined;
  return Math.abs(n) > MS_THRESHOLD ? n : n * 1000;
}

/** Resolve a `Date` or epoch-milliseconds number to epoch milliseconds. */
export function toEpochMs(at: Date | number): number {
  return at instanceof Date ? at.getTime() : at;
}

/** A promise that resolves after `ms` milliseconds. */
export function sleep(ms: number): Promise<void> {
  return new Promise((resolve) => setTimeout(resolve, ms));
}
