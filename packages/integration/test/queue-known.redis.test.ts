import { createVerk } from "@verk/core";
import { RedisAdmin, redisStore } from "@verk/redis-store";
import { useRedis } from "@verk/test-redis/vitest";
import { describe, expect, it } from "vitest";
import { node } from "./helpers.js";

/**
 * Issue #11 item 20: one known-queue rule (`RedisStore.queueKnown`) for `verk.pauseQueue`, the
 * CLI's `verk pause` and `RedisAdmin.queueExists`: registered, with jobs, paused, or served by a
 * live node (Verk heartbeat or Sidekiq process); a ghost name, or one only a dead node served, is not.
 */
describe("RedisStore.queueKnown", () => {
  const redis = useRedis();

  it("knows a queue a live node serves before its first job, and no ghost", async () => {
    const worker = node(redis.url, { queues: { critical: 1, mailers: 1 }, nodeId: "serving" });
    await worker.start();
    const store = redisStore({ url: redis.url, sidekiqProcess: false });
    const producer = createVerk({ store });
    await producer.connect();
    const admin = new RedisAdmin(store);
    try {
      expect(await store.queueKnown("critical")).toBe(true);
      expect(await admin.queueExists("critical")).toBe(true);
      expect(await store.queueKnown("nosuch")).toBe(false);
      expect(await admin.queueExists("nosuch")).toBe(false);
      await producer.pauseQueue("critical"); // another instance: known through the live node
      await expect(producer.pauseQueue("nosuch")).rejects.toMatchObject({ code: "UNKNOWN_QUEUE" });
      expect(await redis.redis.smembers("verk:paused")).toEqual(["critical"]);
      expect(await redis.redis.smembers("queues")).toEqual([]); // no ghost registered

      // A node that crashed (registry entry left, heartbeat expired) serves nothing.
      await redis.redis.sadd("verk_nodes", "crashed");
      await redis.redis.sadd("verk:node:crashed:queues", "stale");
      expect(await store.queueKnown("stale")).toBe(false);

      // A live Sidekiq process lists its queues in its info; one whose hash expired does not count.
      await redis.redis.sadd("processes", "sk:1", "sk:gone");
      await redis.redis.hset("sk:1", "info", JSON.stringify({ queues: ["ruby"] }), "beat", "1");
      expect(await store.queueKnown("ruby")).toBe(true);
      expect(await store.queueKnown("gone-queue")).toBe(false);

      // Jobs and the registry count too, and the worker's stop takes "mailers" out of the rule.
      await producer.enqueue({ class: "W", queue: "mail" });
      expect(await store.queueKnown("mail")).toBe(true);
      expect(await store.queueKnown("mailers")).toBe(true);
      await worker.stop();
      expect(await store.queueKnown("mailers")).toBe(false);
      expect(await store.queueKnown("critical")).toBe(true); // paused
    } finally {
      await producer.stop();
    }
  });
});
