import { invalidOption } from "./errors.js";

/**
 * Smallest number accepted as epoch **milliseconds** for a run time (`1e11` ms is 1973-03-03).
 * Anything smaller can only be epoch seconds (1e11 s is the year 5138), a delay, or a mistake,
 * and is rejected instead of running the job at once.
 */
export const MIN_EPOCH_MS = 1e11;

/**
 * Resolve a run time given to `schedule`, `scheduleBulk`, `scheduleAt` or `{ at }`: a valid `Date`
 * or epoch milliseconds (a finite number >= {@link MIN_EPOCH_MS}). A time in the past is
 * allowed (the job is then enqueued at once).
 * @param field - the option's name in the error, e.g. `"at"` or `"jobs[2].at"`.
 * @returns epoch milliseconds.
 * @throws VerkError `INVALID_OPTION` naming `field`; for a number below 1e11 the message says it
 * looks like epoch seconds and shows the value in milliseconds.
 */
export function resolveRunAt(at: unknown, field = "at"): number {
  if (at instanceof Date) {
    const ms = at.getTime();
    if (Number.isNaN(ms)) throw invalidOption(field, "is an invalid Date");
    return ms;
  }
  if (typeof at !== "number" || !Number.isFinite(at)) {
    throw invalidOption(field, `must be a Date or epoch milliseconds, got ${describe(at)}`);
  }
  if (at < MIN_EPOCH_MS) {
    const hint =
      at > 0
        ? ` (${at} looks like epoch seconds: pass ${Math.round(at * 1000)} or new Date(${Math.round(at * 1000)}))`
        : "";
    throw invalidOption(
      field,
      `must be a Date or epoch milliseconds (>= 1e11), got ${at}${hint}; for a delay use scheduleIn or { in: ms }`,
    );
  }
  return at;
}

/**
 * Resolve a delay in milliseconds (`scheduleIn`, `{ in }`) to an epoch-milliseconds run time.
 * @throws VerkError `INVALID_OPTION` naming `field` unless `delayMs` is a finite number >= 0.
 */
export function runAtAfter(delayMs: unknown, field = "in"): number {
  if (typeof delayMs !== "number" || !Number.isFinite(delayMs) || delayMs < 0) {
    throw invalidOption(field, `must be a delay in milliseconds (a number >= 0), got ${describe(delayMs)}`);
  }
  return Date.now() + delayMs;
}

function describe(value: unknown): string {
  if (value instanceof Date) return "an invalid Date";
  if (typeof value === "number" || typeof value === "boolean") return String(value);
  if (typeof value === "string") return JSON.stringify(value);
  return value === null ? "null" : typeof value;
}
