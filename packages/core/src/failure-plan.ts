import { generateJid } from "./ids.js";
import { type JobPayload, MAX_ERROR_MESSAGE_LENGTH } from "./job.js";
import { describeError, type FailurePolicy, planFailure, UnencodablePayloadError } from "./retry.js";
import type { FailOutcome } from "./store.js";

/** Class name of the dead-set entry that stands in for a job whose failure could not be encoded. */
export const UNENCODABLE_CLASS = "Verk::UnencodablePayload";

/**
 * {@link planFailure}, except that a payload which cannot be encoded again (see
 * {@link UnencodablePayloadError}) goes to the dead set as a `Verk::UnencodablePayload` entry: a
 * valid Sidekiq job (so UIs and the CLI can show and delete it; retrying it runs nothing) that
 * keeps the original stored text in `raw_payload`, the job's `jid`, its class in
 * `original_class`, and an `error_message` naming the problem and the handler's error.
 * Any payload that fetch accepted gets an outcome this way; nothing here throws for data.
 * @param raw - the job's stored text, kept in the dead entry.
 */
export function planFailureOrDeadLetter(
  job: JobPayload,
  error: unknown,
  policy: FailurePolicy,
  queue: string,
  raw: string | Uint8Array,
): { payload: JobPayload; outcome: FailOutcome } {
  try {
    return planFailure(job, error, policy);
  } catch (problem) {
    if (!(problem instanceof UnencodablePayloadError)) throw problem;
    const payload = unencodableEntry(job, error, problem, queue, raw, policy.now);
    return {
      payload,
      outcome: { kind: "dead", raw: JSON.stringify(payload), at: policy.now, limits: policy.deadLimits },
    };
  }
}

function unencodableEntry(
  job: JobPayload,
  error: unknown,
  problem: UnencodablePayloadError,
  queue: string,
  raw: string | Uint8Array,
  now: number,
): JobPayload {
  const handler = describeError(error);
  return {
    class: UNENCODABLE_CLASS,
    args: [],
    jid: typeof job.jid === "string" ? job.jid : generateJid(),
    queue,
    retry: false,
    created_at: typeof job.created_at === "number" ? job.created_at : now,
    failed_at: now,
    error_class: "UnencodablePayload",
    error_message:
      `${problem.message}; moved to the dead set with its original text in raw_payload. The handler failed with ${handler.errorClass}: ${handler.message}`.slice(
        0,
        MAX_ERROR_MESSAGE_LENGTH,
      ),
    original_class: job.class,
    raw_payload: typeof raw === "string" ? raw : Buffer.from(raw).toString("utf8"),
  };
}
