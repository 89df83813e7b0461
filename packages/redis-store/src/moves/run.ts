import type { DeadSetLimits } from "@verk/core";
import type { RedisClient as Redis } from "../client.js";
import { formatSeconds, runScript } from "../scripts.js";
import type { MoveEntry } from "./plan.js";

/** Most entries per `move-entries` call. */
export const MOVE_BATCH = 100;
/**
 * Most payload bytes (members plus what is written) per `move-entries` call: bounds how long one
 * call holds Redis (copying ~1 MB takes well under a millisecond), whatever the payload size.
 */
export const MOVE_BATCH_BYTES = 1 << 20;

/** Where {@link runMoves} moves entries from and to. */
export interface MoveTarget {
  /** The source sorted set. */
  readonly source: string;
  /** The dead set for "dead" entries. */
  readonly dead: string;
  /** Sidekiq layout: the `queues` set (targets are registered); cluster: the source queue's outbox. */
  readonly third: { readonly mode: "registry" | "outbox"; readonly key: string };
  /** The list key of a target queue. */
  queueKey(queue: string): string;
  /** Trimming applied when entries go to the dead set. */
  readonly deadLimits: DeadSetLimits;
  /** Epoch seconds: the dead score. */
  readonly now: number;
}

function size(value: string | Buffer): number {
  return typeof value === "string" ? value.length : value.length;
}

/**
 * Apply `entries` with `lua/move-entries.lua`, in calls of at most {@link MOVE_BATCH} entries and
 * about {@link MOVE_BATCH_BYTES} bytes. Resolves one code per entry, in order: 1 done, 0 gone (no
 * longer in the source set), -1 left in place (its target key is not a list).
 */
export async function runMoves(
  redis: Redis,
  target: MoveTarget,
  entries: readonly MoveEntry[],
): Promise<number[]> {
  // Every call is sent at once (Redis runs them one after the other, each short): no round trip
  // is waited for between two calls. Each entry stays exactly-once (ZREM-gated inside its call).
  const calls: Promise<number[]>[] = [];
  let i = 0;
  while (i < entries.length) {
    const keys = [target.source, target.dead, target.third.key];
    const index = new Map<string, number>();
    const args: (string | Buffer | number)[] = [
      target.third.mode,
      formatSeconds(target.now),
      Math.max(0, Math.floor(target.deadLimits.maxJobs)),
      formatSeconds(target.now - target.deadLimits.maxAgeSeconds),
    ];
    let bytes = 0;
    const start = i;
    while (i < entries.length && i - start < MOVE_BATCH) {
      const entry = entries[i]!;
      const entryBytes = entry.member.length + size(entry.payload);
      if (i > start && bytes + entryBytes > MOVE_BATCH_BYTES) break;
      bytes += entryBytes;
      let keyIndex = 0;
      if (entry.op === "push") {
        const key = target.queueKey(entry.queue!);
        keyIndex = index.get(key) ?? 0;
        if (keyIndex === 0) {
          keys.push(key);
          keyIndex = keys.length;
          index.set(key, keyIndex);
        }
      }
      args.push(entry.op, entry.member, entry.payload, keyIndex, entry.op === "push" ? entry.queue! : "");
      i++;
    }
    calls.push(runScript(redis, "move-entries", keys, args) as Promise<number[]>);
  }
  return (await Promise.all(calls)).flat();
}
