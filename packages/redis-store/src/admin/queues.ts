import { timestampToMs } from "@verk/core";
import type { RedisClient as Redis } from "../client.js";
import type { Keys } from "../keys.js";
import { sendAll } from "./batch.js";
import type { AdminQueue } from "./types.js";

/** Seconds since `enqueued_at` of the oldest job (`raw`), 0 when absent or unreadable. */
export function latencyOf(raw: string | null | undefined, nowMs: number): number {
  if (!raw) return 0;
  try {
    const ms = timestampToMs((JSON.parse(raw) as { enqueued_at?: unknown }).enqueued_at);
    return ms === undefined ? 0 : Math.max(0, (nowMs - ms) / 1000);
  } catch {
    return 0;
  }
}

/** Every known queue (the `queues` set plus paused queues), sorted, with size, latency and pause. */
export async function listQueues(redis: Redis, keys: Keys): Promise<AdminQueue[]> {
  const [known, paused] = await Promise.all([redis.smembers(keys.queues), redis.smembers(keys.paused)]);
  const names = [...new Set([...known, ...paused])].sort();
  const results = await sendAll(
    redis,
    names.flatMap((name) => [(c) => c.llen(keys.queue(name)), (c) => c.lindex(keys.queue(name), -1)]),
  );
  const now = Date.now();
  const pausedSet = new Set(paused);
  return names.map((name, i) => ({
    name,
    size: Number(results[2 * i]?.[1] ?? 0),
    latencySeconds: latencyOf(results[2 * i + 1]?.[1] as string | null, now),
    paused: pausedSet.has(name),
  }));
}

/**
 * Delete every waiting job of `name` and forget the queue (`DEL queue:<q>` + `SREM queues`, in one
 * MULTI). Resolves how many jobs were deleted. In the cluster key layout the list and the registry
 * live in different slots: the list is emptied in one MULTI on its slot, then the name is removed,
 * unless the queue's own schedule, retry or dead set still holds jobs (the registry is how the
 * admin views and the promoter find those sets).
 */
export async function clearQueue(redis: Redis, keys: Keys, name: string): Promise<number> {
  if (keys.layout === "cluster") {
    const list = keys.queue(name);
    const cleared = await redis.multi().llen(list).del(list).exec();
    const sizes = await Promise.all(
      (["schedule", "retry", "dead"] as const).map((set) => redis.zcard(keys.setOf(set, name))),
    );
    if (sizes.every((n) => n === 0)) await redis.srem(keys.queues, name);
    return Number(cleared?.[0]?.[1] ?? 0);
  }
  const result = await redis
    .multi()
    .llen(keys.queue(name))
    .del(keys.queue(name))
    .srem(keys.queues, name)
    .exec();
  return Number(result?.[0]?.[1] ?? 0);
}
