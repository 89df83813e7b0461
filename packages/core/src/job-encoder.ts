import { VerkError } from "./errors.js";
import { buildPayload, encodePayload, type JobPayload, type NewJob } from "./job.js";
import type { EncodedJob } from "./store.js";
import { payloadTimestamp, type TimestampUnit } from "./time.js";

/**
 * Validates and serialises jobs for a producer: builds the Sidekiq payload, stamps times in the
 * configured unit, and enforces `maxPayloadBytes`. Errors name the field, prefixed with
 * `jobs[i]` for bulk calls. @internal
 */
export class JobEncoder {
  readonly #maxPayloadBytes: number;
  readonly #timestamps: TimestampUnit;

  constructor(maxPayloadBytes: number, timestamps: TimestampUnit) {
    this.#maxPayloadBytes = maxPayloadBytes;
    this.#timestamps = timestamps;
  }

  /** A job ready to push onto its queue (with `enqueued_at`). `field` is `"job"` or `"jobs[i]"`. */
  forQueue(job: NewJob, field = "job"): { jid: string; entry: EncodedJob } {
    const payload = this.#build(job, field);
    payload.enqueued_at = Math.max(payloadTimestamp(this.#timestamps), payload.created_at);
    return { jid: payload.jid, entry: { queue: payload.queue, raw: this.#encode(payload, field) } };
  }

  /** A job for the `schedule` set (no `enqueued_at`, as in Sidekiq). */
  forSchedule(job: NewJob, field = "job"): { jid: string; raw: string } {
    const payload = this.#build(job, field);
    return { jid: payload.jid, raw: this.#encode(payload, field) };
  }

  #build(job: NewJob, field: string): JobPayload {
    try {
      return buildPayload(job, payloadTimestamp(this.#timestamps));
    } catch (error) {
      if (field !== "job" && error instanceof VerkError) {
        throw new VerkError(error.code, error.message.replace("invalid job:", `invalid job ${field}:`), {
          field: `${field}.${error.field}`,
        });
      }
      throw error;
    }
  }

  #encode(payload: JobPayload, field: string): string {
    const raw = encodePayload(payload);
    const bytes = Buffer.byteLength(raw);
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
