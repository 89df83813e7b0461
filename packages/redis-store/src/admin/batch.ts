import type { ChainableCommander } from "ioredis";
import { isCluster, type RedisClient as Redis } from "../client.js";

/** Something that takes commands: a pipeline (one Redis) or a Cluster client (routes each command). */
export type Commands = ChainableCommander | Redis;

/**
 * Send many read commands at once and resolve their `[error, reply]` pairs in order, like
 * `pipeline.exec()`: one pipeline on one Redis; on a Redis Cluster each command goes on its own
 * (the client routes it to its slot's node and auto-pipelines per node), since one pipeline may
 * not span slots of several nodes.
 */
export async function sendAll(
  redis: Redis,
  calls: readonly ((commands: Commands) => unknown)[],
): Promise<[Error | null, unknown][]> {
  if (calls.length === 0) return [];
  if (isCluster(redis)) {
    return Promise.all(
      calls.map((call) =>
        (call(redis) as Promise<unknown>).then(
          (value): [Error | null, unknown] => [null, value],
          (error: Error): [Error | null, unknown] => [error, undefined],
        ),
      ),
    );
  }
  const pipeline = redis.pipeline();
  for (const call of calls) call(pipeline);
  return ((await pipeline.exec()) ?? []) as [Error | null, unknown][];
}
