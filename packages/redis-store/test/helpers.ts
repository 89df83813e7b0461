import { startRedis, type TestRedis } from "@verk/test-redis";
import { Redis } from "ioredis";
import { afterAll, beforeAll, beforeEach } from "vitest";
import { defineScripts } from "../src/scripts.js";

/** One private redis-server per test file, flushed before each test. */
export function useRedis(): { server: () => TestRedis; redis: () => Redis } {
  let server: TestRedis;
  let redis: Redis;
  beforeAll(async () => {
    server = await startRedis();
    redis = new Redis(server.url);
    defineScripts(redis);
  });
  afterAll(async () => {
    await redis?.quit();
    await server?.stop();
  });
  beforeEach(async () => {
    await redis.flushall();
  });
  return { server: () => server, redis: () => redis };
}

/** A minimal payload string. */
export function job(id: string, extra = ""): string {
  return `{"class":"W","args":[],"jid":"${id}","queue":"q"${extra}}`;
}
