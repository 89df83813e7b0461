import type { ForwardedEvent } from "./types.js";

/** An event as written to the shared log (JSON). */
export interface PublishedEvent {
  /** Event name, e.g. `"job:finished"`. */
  readonly event: ForwardedEvent;
  /** Node that emitted it. */
  readonly nodeId: string;
  /** When it was emitted, epoch ms. */
  readonly at: number;
  /** The event payload, JSON-safe: errors become `{ name, message, code? }`. */
  readonly payload: Record<string, unknown>;
}

/** A {@link PublishedEvent} read back, with its position in the log. */
export interface ReceivedEvent extends PublishedEvent {
  /** Log position (Redis stream id); pass it as `from` to resume after this event. */
  readonly id: string;
}

/** A JSON-safe copy of an error. */
export function serializeError(error: unknown): { name: string; message: string; code?: string } {
  if (error instanceof Error) {
    const code = (error as { code?: unknown }).code;
    return { name: error.name, message: error.message, ...(typeof code === "string" ? { code } : {}) };
  }
  return { name: "Error", message: String(error) };
}

/**
 * Encode one event for the log. When the payload cannot be encoded (a job whose args nest deeper
 * than `JSON.stringify` can go, written by a raw producer), `job` and `failedJob` are replaced by
 * `{ class, jid, queue, unencodable: true }` so the event is still published.
 */
export function encodeEvent(event: ForwardedEvent, nodeId: string, at: number, payload: object): string {
  const copy: Record<string, unknown> = {};
  for (const [key, value] of Object.entries(payload)) {
    if (key === "at") continue;
    copy[key] = value instanceof Error || key === "error" ? serializeError(value) : value;
  }
  try {
    return JSON.stringify({ event, nodeId, at, payload: copy } satisfies PublishedEvent);
  } catch {
    for (const key of ["job", "failedJob"]) {
      const job = copy[key] as { class?: unknown; jid?: unknown; queue?: unknown } | undefined;
      if (job && typeof job === "object") {
        copy[key] = { class: job.class, jid: job.jid, queue: job.queue, unencodable: true };
      }
    }
    return JSON.stringify({ event, nodeId, at, payload: copy } satisfies PublishedEvent);
  }
}

/** Decode one log entry; `undefined` when it is not a published event. */
export function decodeEvent(id: string, data: string): ReceivedEvent | undefined {
  try {
    const value = JSON.parse(data) as Partial<PublishedEvent>;
    if (typeof value.event !== "string" || typeof value.at !== "number") return undefined;
    return {
      id,
      event: value.event,
      nodeId: String(value.nodeId),
      at: value.at,
      payload: value.payload ?? {},
    };
  } catch {
    return undefined;
  }
}
