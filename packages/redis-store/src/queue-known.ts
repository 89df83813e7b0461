import type { RedisClient } from "./client.js";
import type { Keys } from "./keys.js";

/** Members asked per SSCAN call of the node registry. */
const SCAN_COUNT = 100;

/** Every member of a set, page by page (SSCAN). */
async function members(redis: RedisClient, key: string): Promise<string[]> {
  const found = new Set<string>();
  let cursor = "0";
  do {
    const [next, page] = await redis.sscan(key, cursor, "COUNT", SCAN_COUNT);
    for (const member of page) found.add(member);
    cursor = next;
  } while (cursor !== "0");
  return [...found];
}

/** True when a Verk node with a live heartbeat registered `name` among its queues. */
async function servedByLiveNode(redis: RedisClient, keys: Keys, name: string): Promise<boolean> {
  const nodes = await members(redis, keys.nodes);
  const checks = await Promise.all(
    nodes.map(async (id) => {
      const [alive, serves] = await Promise.all([
        redis.exists(keys.heartbeat(id)),
        redis.sismember(keys.nodeQueues(id), name),
      ]);
      return alive === 1 && serves === 1;
    }),
  );
  return checks.includes(true);
}

/** True when a live Sidekiq-visible process (a Sidekiq server, or a Verk node's entry) lists `name` in its queues. */
async function servedByProcess(redis: RedisClient, keys: Keys, name: string): Promise<boolean> {
  const ids = await redis.smembers(keys.processes);
  const infos = await Promise.all(ids.map((id) => redis.hget(keys.process(id), "info")));
  return infos.some((info) => {
    if (info === null) return false; // expired: a process that stopped beating
    try {
      const queues = (JSON.parse(info) as { queues?: unknown }).queues;
      return Array.isArray(queues) && queues.map(String).includes(name);
    } catch {
      return false;
    }
  });
}

/**
 * The known-queue rule of `verk.pauseQueue`, `verk pause` and the admin API, on Redis: `name` is
 * known when it is in the `queues` set, its list exists, it is paused, or a live node serves it
 * (a Verk node with a live heartbeat whose `verk:node:<id>:queues` has it, or a Sidekiq process
 * whose info lists it): so a queue is known before its first job as soon as a node runs it, and a
 * typo is not.
 */
export async function queueKnown(redis: RedisClient, keys: Keys, name: string): Promise<boolean> {
  const flag = keys.pauseFlag(name);
  const [registered, listed, paused, flagged] = await Promise.all([
    redis.sismember(keys.queues, name),
    redis.exists(keys.queue(name)),
    redis.sismember(keys.paused, name),
    flag.member === "" ? redis.exists(flag.key) : Promise.resolve(0),
  ]);
  if (registered === 1 || listed === 1 || paused === 1 || flagged === 1) return true;
  if (await servedByLiveNode(redis, keys, name)) return true;
  return servedByProcess(redis, keys, name);
}
