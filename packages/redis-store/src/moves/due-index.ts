import type { DueSet } from "@verk/core";
import type { RedisClient as Redis } from "../client.js";
import type { Keys } from "../keys.js";
import { formatSeconds } from "../scripts.js";

/**
 * The due index of the cluster key layout: for each of `schedule` and `retry`, a ZSET of queue
 * names scored by the earliest due time of that queue's own set, so promotion visits only queues
 * with due jobs. It lives in the global `{verk}` slot and is kept up to date next to the writes
 * (never inside a queue's script); {@link sweepDueIndex} repairs what a crash left stale.
 */

/** Note that `queue`'s `set` holds a job due at `at` (epoch seconds): lowers its index score. */
export async function noteDue(
  redis: Redis,
  keys: Keys,
  set: DueSet,
  queue: string,
  at: number,
): Promise<void> {
  await redis.zadd(keys.dueIndex(set), "LT", formatSeconds(at), queue);
}

/** Set `queue`'s index score to the earliest entry of its `set`, or remove it when the set is empty. */
export async function refreshDue(redis: Redis, keys: Keys, set: DueSet, queue: string): Promise<void> {
  const [, score] = await redis.zrange(keys.setOf(set, queue), 0, 0, "WITHSCORES");
  if (score === undefined) await redis.zrem(keys.dueIndex(set), queue);
  else await redis.zadd(keys.dueIndex(set), score, queue);
}

/** Queues whose `set` has entries due at `now` (epoch seconds), soonest first, at most `limit`. */
export function dueQueues(
  redis: Redis,
  keys: Keys,
  set: DueSet,
  now: number,
  limit = 100,
): Promise<string[]> {
  return redis.zrangebyscore(keys.dueIndex(set), "-inf", formatSeconds(now), "LIMIT", 0, limit);
}

/** The earliest due time of `set` over every queue (epoch seconds), or `undefined`. */
export async function earliestDue(redis: Redis, keys: Keys, set: DueSet): Promise<number | undefined> {
  const key = keys.layout === "cluster" ? keys.dueIndex(set) : keys.set(set);
  const [, score] = await redis.zrange(key, 0, 0, "WITHSCORES");
  return score === undefined ? undefined : Number(score);
}

/** Re-index every known queue's `set` (cluster layout): repairs entries a crash left stale. */
export async function sweepDueIndex(redis: Redis, keys: Keys, set: DueSet): Promise<void> {
  const queues = await redis.smembers(keys.queues);
  await Promise.all(queues.map((queue) => refreshDue(redis, keys, set, queue)));
}
