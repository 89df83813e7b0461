import type { CronRegistryCapability } from "@verk/core";
import type { RedisClient as Redis } from "../client.js";
import type { CapabilityKeys } from "./keys.js";

/** {@link CronRegistryCapability} on Redis: the hash `verk:cron`. */
export function redisCronRegistry(client: Redis, keys: CapabilityKeys): CronRegistryCapability {
  return {
    async put(entries) {
      if (Object.keys(entries).length > 0) await client.hset(keys.cron, entries);
    },
    all: () => client.hgetall(keys.cron),
    async remove(names) {
      return names.length === 0 ? 0 : client.hdel(keys.cron, ...names);
    },
  };
}
