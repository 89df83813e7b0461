import { isUtf8 } from "node:buffer";
import { malformedEntry } from "@verk/core";
import { editMembers, readMember, topLevelMembers } from "../payload-edit.js";
import { formatSeconds } from "../scripts.js";

/** What to do with one member of a sorted set (see `lua/move-entries.lua`). */
export type MoveOp = "push" | "outbox" | "dead" | "delete";

/** One member to move, with the bytes to write. */
export interface MoveEntry {
  readonly op: MoveOp;
  /** The member exactly as stored. */
  readonly member: Buffer;
  /** What to write: the pushed payload, the outbox record or the dead entry ("" for delete). */
  readonly payload: string | Buffer;
  /** The target queue (op "push"). */
  readonly queue?: string;
}

/** A member read as a job: its text, top-level members and queue, or why it cannot be. */
export type ReadMember =
  | {
      readonly ok: true;
      readonly text: string;
      readonly members: NonNullable<ReturnType<typeof topLevelMembers>>;
      readonly queue: string;
    }
  | { readonly ok: false; readonly problem: string };

/** Read a stored member as a job with a queue (no full parse: only the top-level members). */
export function readJob(member: Buffer): ReadMember {
  if (!isUtf8(member)) return { ok: false, problem: "payload is not valid UTF-8" };
  const text = member.toString("utf8");
  const members = topLevelMembers(text);
  if (members === undefined) return { ok: false, problem: "payload is not a JSON object" };
  const queue = readMember(text, members, "queue");
  if (typeof queue !== "string" || queue === "")
    return { ok: false, problem: 'payload has no "queue" string' };
  return { ok: true, text, members, queue };
}

/**
 * `now` (epoch seconds) in the unit of the job's times: integer milliseconds when its
 * `created_at` is in milliseconds (Sidekiq 8, Verk `timestamps: "milliseconds"`), else seconds
 * with a fraction.
 */
export function stampLike(read: Extract<ReadMember, { ok: true }>, now: number): string {
  const created = readMember(read.text, read.members, "created_at");
  return typeof created === "number" && created > 1e11 ? String(Math.round(now * 1000)) : formatSeconds(now);
}

/** The payload pushed for a job: the same bytes with a fresh top-level `enqueued_at` (Sidekiq's push). */
export function withEnqueuedAt(read: Extract<ReadMember, { ok: true }>, now: number): string {
  return editMembers(read.text, read.members, ["enqueued_at"], [["enqueued_at", stampLike(read, now)]]);
}

/**
 * The dead-set entry for a member: a readable job keeps its bytes with `error_class` and
 * `error_message` replaced (so an operator can retry it once fixed); an unreadable one becomes a
 * `Verk::MalformedPayload` entry keeping its bytes.
 */
export function deadEntry(
  member: Buffer,
  read: ReadMember,
  errorClass: string,
  message: string,
  queue = "",
): string {
  if (!read.ok) return malformedEntry(queue, member, `${read.problem}; ${message}`);
  return editMembers(
    read.text,
    read.members,
    ["error_class", "error_message"],
    [
      ["error_class", JSON.stringify(errorClass)],
      ["error_message", JSON.stringify(message)],
    ],
  );
}

/** An outbox record: the target queue and the payload, `<length of queue>:<queue><payload>`. */
export function encodeOutbox(queue: string, payload: string): string {
  return `${queue.length}:${queue}${payload}`;
}

/** Decode {@link encodeOutbox}, or `undefined` for a record that is not one. */
export function decodeOutbox(record: string): { queue: string; payload: string } | undefined {
  const colon = record.indexOf(":");
  const length = Number(record.slice(0, colon));
  if (colon < 1 || !Number.isInteger(length) || length < 1) return undefined;
  return { queue: record.slice(colon + 1, colon + 1 + length), payload: record.slice(colon + 1 + length) };
}

/**
 * Plan the promotion of a due member of `sourceQueue`'s set (`undefined` in the Sidekiq layout,
 * where one set holds every queue): push it onto its queue with a fresh `enqueued_at`, through
 * the outbox when its queue lives in another slot (cluster layout), or dead-letter it when it
 * cannot be read.
 */
export function planPromotion(member: Buffer, now: number, sourceQueue: string | undefined): MoveEntry {
  const read = readJob(member);
  if (!read.ok) {
    return {
      op: "dead",
      member,
      payload: malformedEntry(sourceQueue ?? "", member, `${read.problem} (found in a due set)`),
    };
  }
  const payload = withEnqueuedAt(read, now);
  if (sourceQueue !== undefined && read.queue !== sourceQueue) {
    return { op: "outbox", member, payload: encodeOutbox(read.queue, payload) };
  }
  return { op: "push", member, payload, queue: read.queue };
}
