import { isUtf8 } from "node:buffer";
import type { RunnerContext } from "./context.js";
import { generateJid } from "./ids.js";
import type { InFlightJob } from "./in-flight-job.js";
import { persist } from "./persist.js";
import { nowSeconds } from "./time.js";

/**
 * Move a fetched payload that cannot be read as a job (invalid JSON, no `class`, oversized) to the
 * dead set as a {@link MALFORMED_CLASS} entry keeping its bytes, log it with a preview and emit
 * `job:malformed`. Retries the write like any failure until `giveUp()`. @internal
 */
export async function failMalformed(
  ctx: RunnerContext,
  flight: InFlightJob,
  error: unknown,
  giveUp: () => boolean,
): Promise<void> {
  const { queue, raw } = flight;
  const message = error instanceof Error ? error.message : String(error);
  ctx.logger.error(
    { queue, nodeId: ctx.nodeId, bytes: raw.length, preview: previewOf(raw) },
    `malformed payload in queue "${queue}" moved to the dead set: ${message}`,
  );
  const outcome = {
    kind: "dead" as const,
    raw: malformedEntry(queue, raw, message),
    at: nowSeconds(),
    limits: ctx.dead,
  };
  const written = await persist(
    ctx,
    "fail",
    queue,
    () => ctx.store.fail(queue, ctx.nodeId, raw, outcome),
    giveUp,
  );
  if (written === false) {
    ctx.logger.warn(
      { queue, nodeId: ctx.nodeId },
      "malformed payload was no longer in this node's in-progress list; nothing written",
    );
    return;
  }
  ctx.hub.emit("job:malformed", { queue, nodeId: ctx.nodeId, raw, error });
}

/** The first 200 bytes of a payload, for a log line (invalid UTF-8 shows as U+FFFD). */
function previewOf(raw: Buffer): string {
  return raw.length > 200 ? `${raw.toString("utf8", 0, 200)}…` : raw.toString("utf8");
}

/** Throw when `raw` is over `max` bytes (`maxFetchPayloadBytes`). @internal */
export function checkFetchedSize(raw: Buffer, max: number | undefined): void {
  if (max !== undefined && raw.length > max) {
    throw new Error(`payload is ${raw.length} bytes, over maxFetchPayloadBytes (${max})`);
  }
}

/** Class name recorded for a payload that could not be read as a job. */
export const MALFORMED_CLASS = "Verk::MalformedPayload";

/**
 * The dead-set entry for an unreadable payload: a valid Sidekiq job (so Sidekiq's UI and
 * Verk's CLI can show and delete it) that keeps the original bytes: in `raw_payload` as text
 * when they are valid UTF-8, else in `raw_payload_base64`.
 */
export function malformedEntry(queue: string, raw: Buffer | string, message: string): string {
  const now = nowSeconds();
  const bytes = typeof raw === "string" ? Buffer.from(raw) : raw;
  const kept = isUtf8(bytes)
    ? { raw_payload: bytes.toString("utf8") }
    : { raw_payload_base64: bytes.toString("base64") };
  return JSON.stringify({
    class: MALFORMED_CLASS,
    args: [],
    jid: generateJid(),
    queue,
    retry: false,
    created_at: now,
    failed_at: now,
    error_class: "MalformedPayload",
    error_message: `malformed payload: ${message}`,
    ...kept,
  });
}
