import type { TestRedis } from "@verk/test-redis";
import { useRedis as useTestRedis } from "@verk/test-redis/vitest";
import type { Redis } from "ioredis";
import { beforeAll } from "vitest";
import { defineScripts } from "../src/scripts.js";

/** `useRedis()` of `@verk/test-redis/vitest`, with this package's Lua scripts defined on the client. */
export function useRedis(): { server: () => TestRedis; redis: () => Redis } {
  const fx = useTestRedis();
  beforeAll(() => {
    defineScripts(fx.redis);
  });
  return { server: () => fx.server, redis: () => fx.redis };
}

/** A minimal payload string. */
export function job(id: string, extra = ""): string {
  return `{"class":"W","args":[],"jid":"${id}","queue":"q"${extra}}`;
}

/** Promote due jobs of `set` (Sidekiq layout) as the store does, for script-level tests. */
export async function promote(
  redis: Redis,
  set: "schedule" | "retry",
  now: number,
  limit = 100,
): Promise<number> {
  const { DEFAULT_DEAD_LIMITS } = await import("@verk/core");
  const { createKeys } = await import("../src/keys.js");
  const { promoteSet, ReadSizer } = await import("../src/moves/promote.js");
  return promoteSet(
    { redis, keys: createKeys(), sizer: new ReadSizer(), deadLimits: DEFAULT_DEAD_LIMITS },
    set,
    undefined,
    now,
    limit,
  );
}
