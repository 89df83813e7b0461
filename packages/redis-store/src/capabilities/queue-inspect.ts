import type { QueueInspectCapability } from "@verk/core";
import type { Redis } from "ioredis";
import type { Keys } from "../keys.js";

/** {@link QueueInspectCapability} on Redis: `LINDEX queue:<q> -1` and `ZRANGE <set> 0 0 WITHSCORES`. */
export function redisQueueInspect(client: Redis, keys: Keys): QueueInspectCapability {
  return {
    async oldest(queues) {
      return Promise.all(queues.map((q) => client.lindex(keys.queue(q), -1)));
    },
    async nextDue(set) {
      const [, score] = await client.zrange(keys[set], 0, 0, "WITHSCORES");
      return score === undefined ? null : Number(score);
    },
  };
}
