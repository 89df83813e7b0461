import { timestampToMs } from "@verk/core";
import type { RedisClient as Redis } from "../client.js";
import type { Keys } from "../keys.js";
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
  const pipeline = redis.pipeline();
  for (const name of names) pipeline.llen(keys.queue(name)).lindex(keys.queue(name), -1);
  const results = names.length > 0 ? ((await pipeline.exec()) ?? []) : [];
  const now = Date.now();
  const pausedSet = new Set(paused);
  return names.map((name, i) => ({
    name,
    size: Number(results[2 * i]?.[1] ?? 0),
    latencySeconds: latencyOf(results[2 * i + 1]?.[1] as string | null, now),
    paused: pausedSet.has(name),
  }));
}

/** Delete every waiting job of `name` and forget the queue (`DEL queue:<q>` + `SREM queues`, in one MULTI). Resolves how many jobs were deleted. */
export async function clearQueue(redis: Redis, keys: Keys, name: string): Promise<number> {
  const result = await redis
    .multi()
    .llen(keys.queue(name))
    .del(keys.queue(name))
    .srem(keys.queues, name)
    .exec();
  return Number(result?.[0]?.[1] ?? 0);
}
