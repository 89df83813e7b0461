import { deflateSync } from "node:zlib";
import type { JobPayload } from "./job.js";
import { MAX_ERROR_MESSAGE_LENGTH } from "./job.js";
import type { DeadSetLimits, FailOutcome } from "./store.js";
import { payloadTimestamp, type TimestampUnit } from "./time.js";

/** Sidekiq's default number of retries for `retry: true`. */
export const DEFAULT_MAX_RETRIES = 25;

/** Default dead-set limits (Sidekiq's): 10,000 jobs, 180 days. */
export const DEFAULT_DEAD_LIMITS: DeadSetLimits = { maxJobs: 10_000, maxAgeSeconds: 180 * 24 * 3600 };

/**
 * A custom backoff: seconds to wait before retry number `count` (0 after the first failure).
 * Return `undefined` (or anything but a finite number >= 0) to use the default; a backoff that
 * throws also gets the default, and the node emits an `error` event (context `"backoff"`).
 */
export type BackoffFn = (count: number, error: unknown, job: JobPayload) => number | undefined;

/** Sidekiq's delay in seconds before a retry: `count^4 + 15 + rand(10) * (count + 1)`. */
export function defaultBackoffSeconds(count: number, random: () => number = Math.random): number {
  return count ** 4 + 15 + Math.floor(random() * 10) * (count + 1);
}

/** How many retries a payload allows: `true` means `defaultMax`, a number that many, `false` none. */
export function maxRetries(job: JobPayload, defaultMax: number = DEFAULT_MAX_RETRIES): number {
  if (job.retry === true) return defaultMax;
  if (typeof job.retry === "number" && Number.isFinite(job.retry)) return Math.max(0, Math.floor(job.retry));
  return 0;
}

/** What {@link planFailure} needs besides the job and the error. */
export interface FailurePolicy {
  /** Retries for `retry: true`. (Default: 25) */
  defaultMaxRetries: number;
  /** Dead-set limits. */
  deadLimits: DeadSetLimits;
  /** The worker's own backoff, if any. */
  backoff?: BackoffFn | undefined;
  /** Current time, epoch seconds. */
  now: number;
  /** Unit of `failed_at`/`retried_at` (scores stay in seconds). (Default: `"seconds"`) */
  timestamps?: TimestampUnit;
  /**
   * Called when `backoff` throws; the default delay is used then. (Default: none, the error is
   * ignored)
   */
  onBackoffError?: ((error: unknown) => void) | undefined;
}

/** Error class and message as Sidekiq records them. */
export function describeError(error: unknown): { errorClass: string; message: string; stack?: string } {
  if (error instanceof Error) {
    const name = error.name && error.name !== "Error" ? error.name : error.constructor?.name || "Error";
    return { errorClass: name, message: truncate(error.message || name), stack: error.stack };
  }
  let message: string;
  try {
    message = typeof error === "string" ? error : (JSON.stringify(error) ?? String(error));
  } catch {
    message = String(error);
  }
  return { errorClass: "NonErrorThrown", message: truncate(`non-Error thrown: ${message}`) };
}

function truncate(message: string): string {
  return message.length > MAX_ERROR_MESSAGE_LENGTH ? message.slice(0, MAX_ERROR_MESSAGE_LENGTH) : message;
}

/**
 * Sidekiq's `error_backtrace`: Base64 (with a newline every 60 characters) of the zlib-deflated
 * JSON array of stack lines, limited to `limit` lines (`true` = all).
 */
export function compressBacktrace(stack: string, limit: boolean | number): string {
  let lines = stack
    .split("\n")
    .slice(1)
    .map((line) => line.trim());
  if (typeof limit === "number") lines = lines.slice(0, limit);
  const b64 = deflateSync(Buffer.from(JSON.stringify(lines))).toString("base64");
  return `${b64.replace(/.{60}/g, "$&\n")}${b64.length % 60 === 0 ? "" : "\n"}`;
}

function customBackoff(policy: FailurePolicy, count: number, error: unknown, payload: JobPayload): unknown {
  if (policy.backoff === undefined) return undefined;
  try {
    return policy.backoff(count, error, payload);
  } catch (backoffError) {
    policy.onBackoffError?.(backoffError);
    return undefined;
  }
}

/**
 * Decide what happens to a failed job, with Sidekiq's semantics: update `retry_count`,
 * `failed_at`/`retried_at`, `error_message`, `error_class`; retry while `retry_count < max`,
 * else the dead set (or discard when `retry: false` or `dead: false`).
 * Returns the updated payload (also for a discard) and the outcome.
 * @throws UnencodablePayloadError when the updated payload cannot be encoded as JSON.
 */
export function planFailure(
  job: JobPayload,
  error: unknown,
  policy: FailurePolicy,
): { payload: JobPayload; outcome: FailOutcome } {
  const { errorClass, message, stack } = describeError(error);
  const payload: JobPayload = { ...job, error_message: message, error_class: errorClass };
  const stamp =
    policy.timestamps === "milliseconds" ? payloadTimestamp("milliseconds", policy.now * 1000) : policy.now;
  if (typeof job.retry_count === "number") {
    payload.retry_count = job.retry_count + 1;
    payload.retried_at = stamp;
  } else {
    payload.retry_count = 0;
    payload.failed_at = stamp;
  }
  if (job.retry_queue !== undefined && typeof job.retry_queue === "string") payload.queue = job.retry_queue;
  const backtrace = job.backtrace;
  if (stack && (backtrace === true || (typeof backtrace === "number" && backtrace > 0))) {
    payload.error_backtrace = compressBacktrace(stack, backtrace as boolean | number);
  }
  // `enqueued_at` last: promotion then replaces it with a cheap string operation at the end of
  // the payload (the store's fast path), whatever the payload's size.
  if (payload.enqueued_at !== undefined) {
    const enqueuedAt = payload.enqueued_at;
    delete payload.enqueued_at;
    payload.enqueued_at = enqueuedAt;
  }
  if (job.retry === false) return { payload, outcome: { kind: "discard" } };
  const count = payload.retry_count as number;
  if (count < maxRetries(job, policy.defaultMaxRetries)) {
    const custom = customBackoff(policy, count, error, payload);
    const delay =
      typeof custom === "number" && Number.isFinite(custom) && custom >= 0
        ? custom
        : defaultBackoffSeconds(count);
    return { payload, outcome: { kind: "retry", raw: encodeFailed(payload), at: policy.now + delay } };
  }
  if (job.dead === false) return { payload, outcome: { kind: "discard" } };
  return {
    payload,
    outcome: { kind: "dead", raw: encodeFailed(payload), at: policy.now, limits: policy.deadLimits },
  };
}

/**
 * Thrown by {@link planFailure} when the failed payload cannot be encoded as JSON again (e.g. args
 * nested thousands of levels deep, written by another producer, overflow `JSON.stringify`'s stack).
 */
export class UnencodablePayloadError extends Error {
  constructor(cause: unknown) {
    const reason = cause instanceof Error ? `${cause.name}: ${cause.message}` : String(cause);
    super(`the failure payload cannot be encoded as JSON (${reason})`, { cause });
    this.name = "UnencodablePayloadError";
  }
}

function encodeFailed(payload: JobPayload): string {
  try {
    return JSON.stringify(payload);
  } catch (cause) {
    throw new UnencodablePayloadError(cause);
  }
}
