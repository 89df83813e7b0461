import { invalidOption, type VerkError } from "../errors.js";
import { assertKnownKeys } from "../known-keys.js";

/** When a unique job's lock is released besides its death and the expiry of `for`. */
export type UniqueUntil = "success" | "start";

/**
 * Unique jobs (Sidekiq Enterprise's `unique_for`): while the lock of a job is held, enqueueing or
 * scheduling an equal job (same class, queue and arguments, or the same `key(...args)`) drops it:
 * `enqueue` resolves `null` and `job:duplicate` is emitted. The lock is taken in the same atomic
 * step as the push (scheduled jobs take it when scheduled), kept across retries, and released when
 * the job succeeds (or starts, with `until: "start"`), when it dies or is discarded, when it
 * expires unstarted (`expiresIn`), or when `for` runs out, whichever comes first.
 */
export interface UniqueOptions<A extends unknown[] = unknown[]> {
  /**
   * Seconds the lock lives at most (Sidekiq's `unique_for`), counted from the enqueue; for a
   * scheduled job from the time it is due. Required, > 0.
   */
  for: number;
  /** Release the lock when the job succeeds (`"success"`) or as soon as it starts (`"start"`). (Default: `"success"`) */
  until?: UniqueUntil;
  /**
   * Which arguments make two jobs equal: its JSON result is digested instead of the whole `args`
   * (e.g. `(userId) => userId`). (Default: all arguments)
   */
  key?(...args: A): unknown;
}

/**
 * Cluster-wide limits of a worker class, held in the store (so they hold across every node):
 * `concurrency` (at most that many jobs of the class running at once), `rate` per `per`
 * milliseconds (at most that many starts in any window of `per` ms), or both. With `key`, each
 * value of `key(...args)` (a customer, an API token) has its own limits.
 *
 * Without `key` the queue's fetch waits while the next job is over its limit (it stays at the head
 * of its queue); with `key` the job is fetched, and when its key is over the limit it is put back:
 * into the `schedule` set due at the key's next free slot (rate), or parked until a running job of
 * the key ends (concurrency). Neither is a failure or a retry.
 */
export interface LimitOptions<A extends unknown[] = unknown[]> {
  /** At most this many jobs of the class (or of one key) running at once, integer >= 1. (Default: none) */
  concurrency?: number;
  /** At most this many starts per `per` ms, integer >= 1; needs `per`. (Default: none) */
  rate?: number;
  /** Window of `rate`, in milliseconds, integer >= 1. (Default: none; required with `rate`) */
  per?: number;
  /** Per-key limits: the key of a job, from its arguments (a string, at most 200 characters). (Default: one limit for the class) */
  key?(...args: A): string;
}

/** Keys accepted in {@link UniqueOptions}. */
export const UNIQUE_OPTION_KEYS = ["for", "until", "key"] as const satisfies readonly (keyof UniqueOptions)[];

/** Keys accepted in {@link LimitOptions}. */
export const LIMIT_OPTION_KEYS = [
  "concurrency",
  "rate",
  "per",
  "key",
] as const satisfies readonly (keyof LimitOptions)[];

/** Builds the error of a bad value: `invalidOption` for options, `invalidJob` for job fields. */
type Fail = (field: string, message: string) => VerkError;

function plainObject(value: unknown): value is Record<string, unknown> {
  return value !== null && typeof value === "object" && !Array.isArray(value);
}

/**
 * Validate a `unique` option (a worker's, or one enqueue's where `false` turns the worker's off).
 * @throws VerkError `INVALID_OPTION` naming `field` and the problem.
 */
export function checkUnique(
  value: unknown,
  field: string,
  allowFalse: boolean,
  fail: Fail = invalidOption,
): void {
  if (value === undefined || (allowFalse && value === false)) return;
  if (!plainObject(value))
    throw fail(field, `must be an object like { for: 60 }${allowFalse ? " or false" : ""}`);
  assertKnownKeys(value, UNIQUE_OPTION_KEYS, field);
  const seconds = value.for;
  if (typeof seconds !== "number" || !Number.isFinite(seconds) || seconds <= 0)
    throw fail(`${field}.for`, "must be a positive number of seconds");
  if (value.until !== undefined && value.until !== "success" && value.until !== "start")
    throw fail(`${field}.until`, 'must be "success" or "start"');
  if (value.key !== undefined && typeof value.key !== "function")
    throw fail(`${field}.key`, "must be a function of the job's arguments");
}

/** Validate a worker's `limit` option. @throws VerkError `INVALID_OPTION` naming the field. */
export function checkLimit(value: unknown, field: string): void {
  if (value === undefined) return;
  if (!plainObject(value))
    throw invalidOption(field, "must be an object like { concurrency: 3 } or { rate: 20, per: 1000 }");
  assertKnownKeys(value, LIMIT_OPTION_KEYS, field);
  const { concurrency, rate, per, key } = value;
  const positiveInt = (n: unknown) => typeof n === "number" && Number.isInteger(n) && n >= 1;
  if (concurrency === undefined && rate === undefined)
    throw invalidOption(field, 'needs "concurrency", or "rate" with "per", or both');
  if (concurrency !== undefined && !positiveInt(concurrency))
    throw invalidOption(`${field}.concurrency`, "must be an integer >= 1");
  if (rate !== undefined && !positiveInt(rate))
    throw invalidOption(`${field}.rate`, "must be an integer >= 1");
  if ((rate === undefined) !== (per === undefined))
    throw invalidOption(field, '"rate" and "per" go together (rate jobs per "per" milliseconds)');
  if (per !== undefined && !positiveInt(per))
    throw invalidOption(`${field}.per`, "must be an integer number of milliseconds >= 1");
  if (key !== undefined && typeof key !== "function")
    throw invalidOption(`${field}.key`, "must be a function of the job's arguments returning a string");
}

/** Validate an `expiresIn` option (milliseconds). @throws VerkError `INVALID_OPTION`. */
export function checkExpiresIn(value: unknown, field: string, fail: Fail = invalidOption): void {
  if (value === undefined) return;
  if (typeof value !== "number" || !Number.isFinite(value) || value <= 0)
    throw fail(field, "must be a positive number of milliseconds");
}
