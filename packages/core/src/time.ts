/**
 * Time helpers. Sidekiq stores times as Float epoch **seconds**; Sidekiq 8 reads an
 * integer as milliseconds, so every time Verk writes keeps a fractional part.
 */

/** Current time in epoch seconds (millisecond precision), never a whole number. */
export function nowSeconds(): number {
  return toSeconds(Date.now());
}

/** Epoch milliseconds to epoch seconds that always carry a fraction (see module note). */
export function toSeconds(epochMs: number): number {
  const seconds = epochMs / 1000;
  return Number.isInteger(seconds) ? seconds + 0.000001 : seconds;
}

/** Resolve a `Date` or epoch-milliseconds number to epoch milliseconds. */
export function toEpochMs(at: Date | number): number {
  return at instanceof Date ? at.getTime() : at;
}

/** A promise that resolves after `ms` milliseconds. */
export function sleep(ms: number): Promise<void> {
  return new Promise((resolve) => setTimeout(resolve, ms));
}
