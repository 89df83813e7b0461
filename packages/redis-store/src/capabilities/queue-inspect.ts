import type { QueueInspectCapability } from "@verk/core";
import type { RedisClient as Redis } from "../client.js";
import type { Keys } from "../keys.js";
import { earliestDue } from "../moves/due-index.js";

/** {@link QueueInspectCapability} on Redis: `LINDEX queue:<q> -1` and `ZRANGE <set> 0 0 WITHSCORES`. */
export function redisQueueInspect(client: Redis, keys: Keys): QueueInspectCapability {
  return {
    async oldest(queues) {
      return Promise.all(queues.map((q) => client.lindex(keys.queue(q), -1)));
    },
    async nextDue(set) {
      return (await earliestDue(client, keys, set)) ?? null;
    },
  };
}
