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
