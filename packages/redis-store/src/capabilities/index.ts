import type { StoreCapabilities } from "@verk/core";
import type { RedisClient as Redis } from "../client.js";
import type { Keys } from "../keys.js";
import { redisCronRegistry } from "./cron-registry.js";
import { redisDueWatch } from "./due-watch.js";
import { redisEventLog } from "./event-log.js";
import { capabilityKeys } from "./keys.js";
import { redisLease, redisOnce } from "./lease.js";
import { redisQueueInspect } from "./queue-inspect.js";
import { redisStats } from "./stats.js";

export type { CapabilityKeys } from "./keys.js";
export { capabilityKeys } from "./keys.js";

/**
 * Every add-on capability of the Redis store (see `StoreCapabilities` in `@verk/core`).
 * @param client - the command connection (scripts defined on it).
 * @param keys - the store's keys (for the namespace prefix and the queue keys).
 * @param duplicate - opens a new connection (for blocking reads and pub/sub).
 */
export function redisCapabilities(
  client: Redis,
  keys: Keys,
  duplicate: () => Redis,
): Required<Omit<StoreCapabilities, "nodes" | "flow">> {
  const ck = capabilityKeys(keys);
  return {
    stats: redisStats(client, ck),
    queueInspect: redisQueueInspect(client, keys),
    lease: redisLease(client, ck),
    once: redisOnce(client, ck, keys),
    cronRegistry: redisCronRegistry(client, ck),
    eventLog: redisEventLog(client, ck, duplicate),
    dueWatch: redisDueWatch(client, ck, duplicate),
  };
}
