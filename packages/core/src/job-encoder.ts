import { VerkError } from "./errors.js";
import { applyFlowFields } from "./flow/fields.js";
import type { UniqueOptions } from "./flow/options.js";
import { buildPayload, encodePayload, type JobPayload, type NewJob } from "./job.js";
import type { EncodedJob } from "./store.js";
import { payloadTimestamp, type TimestampUnit } from "./time.js";

/** The payload defaults a registered worker gives its jobs (its `queue`, `retry`, `unique` and `expiresIn` options). */
export interface JobDefaults {
  /** The worker's `queue` option (a job without `queue` goes there). */
  readonly queue?: string | undefined;
  /** The worker's `retry` option (a job without `retry` gets it). */
  readonly retry?: boolean | number | undefined;
  /** The worker's `unique` option (a job without `unique` gets it). */
  readonly unique?: UniqueOptions | undefined;
  /** The worker's `expiresIn` option, ms (a job without `expiresIn` gets it). */
  readonly expiresIn?: number | undefined;
}

/** Finds the defaults of a job class: the options of the worker registered for it, if any. */
export type JobDefaultsLookup = (className: string) => JobDefaults | undefined;

/**
 * Validates and serialises jobs for a producer: fills `queue`/`retry` from the registered
 * worker's options where the job leaves them out, builds the Sidekiq payload, stamps times in
 * the configured unit, and enforces `maxPayloadBytes`. Errors name the field, prefixed with
 * `jobs[i]` for bulk calls. Building and encoding are two steps so that plugins
 * (`aroundEnqueue`) can add fields in between. @internal
 */
export class JobEncoder {
  readonly #maxPayloadBytes: number;
  readonly #timestamps: TimestampUnit;
  readonly #defaults: JobDefaultsLookup;

  constructor(
    maxPayloadBytes: number,
    timestamps: TimestampUnit,
    defaults: JobDefaultsLookup = () => undefined,
  ) {
    this.#maxPayloadBytes = maxPayloadBytes;
    this.#timestamps = timestamps;
    this.#defaults = defaults;
  }

  /**
   * `job` with the registered worker's `queue` and `retry` filled in where it leaves them out
   * (the same object when nothing is missing or no worker is registered for its class).
   */
  withDefaults(job: NewJob): NewJob {
    if (job === null || typeof job !== "object") return job;
    if (job.queue !== undefined && job.retry !== undefined) return job;
    const defaults = typeof job.class === "string" ? this.#defaults(job.class) : undefined;
    if (defaults === undefined) return job;
    const queue = job.queue ?? defaults.queue;
    const retry = job.retry ?? defaults.retry;
    if (queue === job.queue && retry === job.retry) return job;
    return { ...job, queue, retry };
  }

  /** The payload of a job to push onto its queue (with `enqueued_at`). `field` is `"job"` or `"jobs[i]"`. */
  buildForQueue(job: NewJob, field = "job"): JobPayload {
    const payload = this.#build(job, field, undefined);
    payload.enqueued_at = Math.max(payloadTimestamp(this.#timestamps), payload.created_at);
    return payload;
  }

  /**
   * The payload of a job for the `schedule` set (no `enqueued_at`, as in Sidekiq), due at `atMs`
   * (epoch ms; an `expiresIn` counts from it). (Default: now)
   */
  buildForSchedule(job: NewJob, field = "job", atMs?: number): JobPayload {
    return this.#build(job, field, atMs);
  }

  /** Encode a built payload for its queue. Throws `INVALID_JOB` / `PAYLOAD_TOO_LARGE`. */
  entry(payload: JobPayload, field = "job"): EncodedJob {
    return { queue: payload.queue, raw: this.encode(payload, field) };
  }

  /** A job ready to push onto its queue (with `enqueued_at`). `field` is `"job"` or `"jobs[i]"`. */
  forQueue(job: NewJob, field = "job"): { jid: string; entry: EncodedJob } {
    const payload = this.buildForQueue(job, field);
    return { jid: payload.jid, entry: this.entry(payload, field) };
  }

  /** A job for the `schedule` set (no `enqueued_at`, as in Sidekiq). */
  forSchedule(job: NewJob, field = "job", atMs?: number): { jid: string; raw: string } {
    const payload = this.buildForSchedule(job, field, atMs);
    return { jid: payload.jid, raw: this.encode(payload, field) };
  }

  #build(job: NewJob, field: string, dueAtMs: number | undefined): JobPayload {
    try {
      const payload = buildPayload(this.withDefaults(job), payloadTimestamp(this.#timestamps));
      // Flow control (unique, expiresIn): the job's own options, else its worker's.
      const defaults = this.#defaults(payload.class);
      if (
        job.unique !== undefined ||
        job.expiresIn !== undefined ||
        defaults?.unique !== undefined ||
        defaults?.expiresIn !== undefined
      )
        applyFlowFields(payload, job, defaults, dueAtMs ?? Date.now(), this.#timestamps);
      return payload;
    } catch (error) {
      if (field !== "job" && error instanceof VerkError) {
        throw new VerkError(error.code, error.message.replace("invalid job:", `invalid job ${field}:`), {
          field: `${field}.${error.field}`,
        });
      }
      throw error;
    }
  }

  /** Serialise a payload; throws `PAYLOAD_TOO_LARGE` over `maxPayloadBytes`. */
  encode(payload: JobPayload, field = "job"): string {
    const raw = encodePayload(payload);
    const bytes = raw.length * 3 <= this.#maxPayloadBytes ? raw.length : Buffer.byteLength(raw);
    if (bytes > this.#maxPayloadBytes) {
      throw new VerkError(
        "PAYLOAD_TOO_LARGE",
        `${field} is ${bytes} bytes, over maxPayloadBytes (${this.#maxPayloadBytes})`,
        { field: "args" },
      );
    }
    return raw;
  }
}
