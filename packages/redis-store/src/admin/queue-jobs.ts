import { timestampToMs } from "@verk/core";
import type { RedisClient as Redis } from "../client.js";
import type { Keys } from "../keys.js";
import { parseStoredPayload, shownClass, str } from "./entries.js";

/** Entries read per LRANGE while searching a queue. */
export const QUEUE_SCAN_CHUNK = 1_000;
/** Default bound of entries one search call reads. */
export const DEFAULT_MAX_SCAN = 10_000;

/** One waiting job of a queue. */
export interface QueueJob {
  /** The queue it waits in. */
  readonly queue: string;
  /** Place in run order: 0 runs next (the list's right end, `LINDEX -1`). */
  readonly position: number;
  /** The payload exactly as stored (the identity for LREM). */
  readonly raw: string;
  /** The parsed payload, or `undefined` when the entry is not a JSON object. */
  readonly payload: Record<string, unknown> | undefined;
  /** `jid`, or `""`. */
  readonly jid: string;
  /** Display class (`display_class`, `wrapped` or `class`), or `""`. */
  readonly className: string;
  /** `enqueued_at` in epoch ms, when present. */
  readonly enqueuedAtMs: number | undefined;
}

/** A page of a queue's waiting jobs, in run order. */
export interface QueueJobsPage {
  /** Jobs waiting (LLEN). */
  readonly total: number;
  readonly entries: QueueJob[];
}

/** Options of {@link searchQueueJobs}. */
export interface QueueSearchOptions {
  /** Keep jobs whose raw payload contains this text (case-insensitive), e.g. part of the args. */
  text?: string;
  /** Keep jobs whose class (or display class) equals this. */
  className?: string;
  /** Position (run order) to start reading at. (Default: 0) */
  cursor?: number;
  /** Stop after this many matches. (Default: 25) */
  limit?: number;
  /** Read at most this many entries in this call (in chunks of 1,000). (Default: 10,000) */
  maxScan?: number;
}

/** A bounded search of a queue: `nextCursor` continues it, `undefined` when the end was reached. */
export interface QueueSearchResult {
  readonly total: number;
  readonly entries: QueueJob[];
  /** Entries read by this call. */
  readonly scanned: number;
  /** Where to continue, or `undefined` when the whole queue (from `cursor`) was read. */
  readonly nextCursor: number | undefined;
}

/** Parse a stored queue entry; never throws. */
export function toQueueJob(queue: string, raw: string, position: number): QueueJob {
  const payload = parseStoredPayload(raw);
  const p = payload ?? {};
  return {
    queue,
    position,
    raw,
    payload,
    jid: str(p.jid),
    className: shownClass(p),
    enqueuedAtMs: timestampToMs(p.enqueued_at),
  };
}

/** Entries at run-order positions [from, from + count): one LRANGE with negative indexes. */
async function readRunOrder(redis: Redis, key: string, queue: string, from: number, count: number) {
  if (count <= 0) return [];
  const raws = await redis.lrange(key, -(from + count), -(from + 1));
  return raws.reverse().map((raw, i) => toQueueJob(queue, raw, from + i));
}

/** One page of `queue`'s waiting jobs in run order (LLEN + one LRANGE; cost independent of the queue size). */
export async function listQueueJobs(
  redis: Redis,
  keys: Keys,
  queue: string,
  options: { offset?: number; limit?: number } = {},
): Promise<QueueJobsPage> {
  const offset = Math.max(0, Math.floor(options.offset ?? 0));
  const limit = Math.max(1, Math.floor(options.limit ?? 25));
  const key = keys.queue(queue);
  const total = await redis.llen(key);
  const count = Math.min(limit, Math.max(0, total - offset));
  return { total, entries: await readRunOrder(redis, key, queue, offset, count) };
}

function matchesJob(job: QueueJob, text: string | undefined, className: string | undefined): boolean {
  if (className !== undefined && job.className !== className && str(job.payload?.class) !== className)
    return false;
  return text === undefined || job.raw.toLowerCase().includes(text);
}

/** Search `queue` from `cursor`, reading at most `maxScan` entries in chunks (never the whole list at once). */
export async function searchQueueJobs(
  redis: Redis,
  keys: Keys,
  queue: string,
  options: QueueSearchOptions = {},
): Promise<QueueSearchResult> {
  const key = keys.queue(queue);
  const limit = Math.max(1, Math.floor(options.limit ?? 25));
  const maxScan = Math.max(1, Math.floor(options.maxScan ?? DEFAULT_MAX_SCAN));
  const text = options.text ? options.text.toLowerCase() : undefined;
  const total = await redis.llen(key);
  const entries: QueueJob[] = [];
  let position = Math.max(0, Math.floor(options.cursor ?? 0));
  let scanned = 0;
  while (position < total && scanned < maxScan && entries.length < limit) {
    const chunk = await readRunOrder(
      redis,
      key,
      queue,
      position,
      Math.min(QUEUE_SCAN_CHUNK, maxScan - scanned),
    );
    if (chunk.length === 0) break;
    for (const job of chunk) {
      scanned++;
      position = job.position + 1;
      if (matchesJob(job, text, options.className)) {
        entries.push(job);
        if (entries.length >= limit) break;
      }
    }
  }
  return { total, entries, scanned, nextCursor: position < total ? position : undefined };
}

/** Find the waiting job with `jid`: first near `hint` (a position), else by a chunked scan of the whole queue. */
export async function findQueueJob(
  redis: Redis,
  keys: Keys,
  queue: string,
  jid: string,
  hint?: number,
): Promise<QueueJob | undefined> {
  const key = keys.queue(queue);
  if (hint !== undefined && Number.isInteger(hint) && hint >= 0) {
    const from = Math.max(0, hint - 50);
    const near = await readRunOrder(redis, key, queue, from, 101);
    const found = near.find((j) => j.jid === jid);
    if (found) return found;
  }
  const total = await redis.llen(key);
  for (let from = 0; from < total; from += QUEUE_SCAN_CHUNK) {
    const chunk = await readRunOrder(redis, key, queue, from, QUEUE_SCAN_CHUNK);
    const found = chunk.find((j) => j.jid === jid);
    if (found) return found;
    if (chunk.length < QUEUE_SCAN_CHUNK) break;
  }
  return undefined;
}

/**
 * Delete the waiting job with `jid` from `queue` (LREM of its exact stored bytes, one occurrence).
 * @param hint - its position in run order when known (saves the scan).
 * @returns the deleted job, or `undefined` when no waiting job has that jid (or it was fetched meanwhile).
 */
export async function deleteQueueJob(
  redis: Redis,
  keys: Keys,
  queue: string,
  jid: string,
  hint?: number,
): Promise<QueueJob | undefined> {
  const job = await findQueueJob(redis, keys, queue, jid, hint);
  if (!job) return undefined;
  const removed = await redis.lrem(keys.queue(queue), -1, job.raw);
  return removed > 0 ? job : undefined;
}
