import type { LeaseCapability, OnceCapability } from "@verk/core";
import type { Redis } from "ioredis";
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
      const args: (string | number)[] = [Math.max(1, Math.ceil(ttlMs)), storeKeys.prefix];
      for (const job of jobs) args.push(job.queue, job.raw);
      return (await runScript(client, "once-push", [keys.once(key), storeKeys.queues], args)) === 1;
    },
  };
}
