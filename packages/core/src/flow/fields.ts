import { VerkError } from "../errors.js";
import type { JobPayload, NewJob } from "../job.js";
import { payloadTimestamp, type TimestampUnit, timestampToMs } from "../time.js";
import { uniqueDigest } from "./digest.js";
import type { UniqueOptions } from "./options.js";

/**
 * The payload fields of flow control. Sidekiq ignores fields it does not know, so these payloads
 * stay readable by Sidekiq and its Web UI; `unique_for` and `unique_until` are the names Sidekiq
 * Enterprise uses.
 * - `unique_for`: seconds the unique lock lives at most;
 * - `unique_until`: `"start"` when the lock is released at start (absent: on success);
 * - `unique_digest`: the lock's digest (32 hex characters), so any node can release it;
 * - `expires_at`: when the job expires unstarted, in the payload's time unit (epoch seconds, or
 *   milliseconds with `timestamps: "milliseconds"`).
 */
export const FLOW_FIELDS = ["unique_for", "unique_until", "unique_digest", "expires_at"] as const;

/** The flow-control defaults of a job class: its worker's `unique` and `expiresIn` options. */
export interface FlowDefaults {
  readonly unique?: UniqueOptions | undefined;
  readonly expiresIn?: number | undefined;
}

/**
 * Set the flow fields of `payload` from `job`'s own `unique` / `expiresIn` (a job's `unique: false`
 * turns its worker's off), else from `defaults`. `dueAtMs` is when the job is due (epoch ms: now
 * for an enqueue, the run time for a scheduled job): expiry counts from it.
 * @throws VerkError `INVALID_JOB` when `unique.key` throws.
 */
export function applyFlowFields(
  payload: JobPayload,
  job: NewJob,
  defaults: FlowDefaults | undefined,
  dueAtMs: number,
  unit: TimestampUnit,
): void {
  const unique = job.unique === false ? undefined : (job.unique ?? defaults?.unique);
  if (unique !== undefined) {
    let key: unknown = payload.args;
    if (unique.key !== undefined) {
      try {
        key = unique.key(...payload.args);
      } catch (cause) {
        throw new VerkError("INVALID_JOB", `invalid job: "unique.key" threw: ${String(cause)}`, {
          field: "unique.key",
          cause,
        });
      }
    }
    payload.unique_for = unique.for;
    if (unique.until === "start") payload.unique_until = "start";
    payload.unique_digest = uniqueDigest(payload.class, payload.queue, key);
  }
  const expiresIn = job.expiresIn ?? defaults?.expiresIn;
  if (expiresIn !== undefined) payload.expires_at = payloadTimestamp(unit, dueAtMs + expiresIn);
}

/** The lock a payload takes when pushed (due at `dueAtMs`, now `nowMs`), or `undefined` when it is not unique. */
export function lockOf(
  payload: JobPayload,
  dueAtMs: number,
  nowMs: number,
): { digest: string; ttlMs: number } | undefined {
  const digest = payload.unique_digest;
  const seconds = payload.unique_for;
  if (typeof digest !== "string" || digest === "" || typeof seconds !== "number" || !(seconds > 0))
    return undefined;
  return { digest, ttlMs: Math.ceil(seconds * 1000 + Math.max(0, dueAtMs - nowMs)) };
}

/** When `job` expires (epoch ms), or `undefined` when it has no `expires_at`. */
export function expiresAtMs(job: JobPayload): number | undefined {
  return job.expires_at === undefined ? undefined : timestampToMs(job.expires_at);
}
