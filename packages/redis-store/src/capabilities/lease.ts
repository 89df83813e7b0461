import { type LeaseCapability, type OnceCapability, VerkError } from "@verk/core";
import type { RedisClient as Redis } from "../client.js";
import type { Keys } from "../keys.js";
import { runScript } from "../scripts.js";
import type { CapabilityKeys } from "./keys.js";

/** {@link LeaseCapability} on Redis: one compare-and-act script (`lua/lease.lua`). */
export function redisLease(client: Redis, keys: CapabilityKeys): LeaseCapability {
  const run = async (op: string, name: string, token: string, ttlMs: number) =>
    (await runScript(client, "lease", [keys.lease(name)], [op, token, Math.max(1, Math.ceil(ttlMs))])) === 1;
  return {
    acquire: (name, token, ttlMs) => run("acquire", name, token, ttlMs),
    renew: (name, token, ttlMs) => run("renew", name, token, ttlMs),
    release: (name, token) => run("release", name, token, 1),
    holder: (name) => client.get(keys.lease(name)),
  };
}

/** {@link OnceCapability} on Redis: `SET NX PX`, and `lua/once-push.lua` for claim + push. */
export function redisOnce(client: Redis, keys: CapabilityKeys, storeKeys: Keys): OnceCapability {
  return {
    async claim(key, ttlMs) {
      return (await client.set(keys.once(key), "1", "PX", Math.max(1, Math.ceil(ttlMs)), "NX")) === "OK";
    },
    async claimAndPush(key, ttlMs, jobs) {
      const cluster = storeKeys.layout === "cluster";
      const queues = [...new Set(jobs.map((job) => job.queue))];
      if (cluster && queues.length > 1) {
        throw new VerkError(
          "INVALID_OPTION",
          "[redis-store] claimAndPush on the cluster key layout takes jobs of one queue (they must share its slot)",
          { field: "jobs" },
        );
      }
      const lists = queues.map((q) => storeKeys.queue(q));
      const marker =
        cluster && queues[0] !== undefined ? storeKeys.onceMarker(queues[0], key) : keys.once(key);
      const scriptKeys = [marker, cluster ? (lists[0] ?? marker) : storeKeys.queues, ...lists];
      const args: (string | number)[] = [Math.max(1, Math.ceil(ttlMs)), cluster ? "none" : "registry"];
      for (const job of jobs) args.push(3 + queues.indexOf(job.queue), job.raw, job.queue);
      const claimed = (await runScript(client, "once-push", scriptKeys, args)) === 1;
      if (claimed && cluster && queues.length > 0) await client.sadd(storeKeys.queues, ...queues);
      return claimed;
    },
  };
}
