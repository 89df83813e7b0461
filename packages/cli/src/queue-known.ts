import { RedisAdmin, type RedisStore } from "@verk/redis-store";

/**
 * The known-queue rule of `verk.pauseQueue` and `verk pause`, on Redis: `name` is known when it is
 * in the `queues` set, has a list, or is paused (`RedisAdmin.queueExists`), or a live node serves
 * it: a Sidekiq-visible process (Verk nodes register one by default) or an entry of Verk's node
 * registry (`verk_nodes` → `verk:node:<id>:queues`). Meant to move into the store as
 * `RedisStore.queueKnown(name)`, which `verk.pauseQueue` then uses too.
 */
export async function queueKnownOnRedis(store: RedisStore, name: string): Promise<boolean> {
  const admin = new RedisAdmin(store);
  if (await admin.queueExists(name)) return true;
  if ((await admin.processes()).some((process) => process.queues.includes(name))) return true;
  const nodes = await store.client.smembers(store.keys.nodes);
  if (nodes.length === 0) return false;
  const served = await Promise.all(
    nodes.map((id) => store.client.sismember(store.keys.nodeQueues(id), name)),
  );
  return served.some((member) => member === 1);
}
