import { RedisAdmin, redisStore } from "@verk/redis-store";
import { useRedis } from "@verk/test-redis/vitest";
import { describe, expect, it } from "vitest";
import { node } from "./helpers.js";

describe("pauseQueue on Redis", () => {
  const redis = useRedis();

  it("refuses an unknown name, so no ghost queue appears in the queue list; force pauses anyway", async () => {
    const verk = node(redis.url, { queues: { critical: 1 } });
    await verk.start();
    await verk.enqueue({ class: "W", queue: "mail" });
    await expect(verk.pauseQueue("nosuch")).rejects.toMatchObject({ code: "UNKNOWN_QUEUE" });
    const store = redisStore({ url: redis.url });
    await store.connect();
    try {
      const admin = new RedisAdmin(store);
      expect((await admin.queues()).map((q) => q.name)).toEqual(["mail"]);
      // The queue this node serves is known before its first job; one with jobs too.
      await verk.pauseQueue("critical");
      await verk.pauseQueue("mail");
      expect((await redis.redis.smembers("verk:paused")).sort()).toEqual(["critical", "mail"]);
      await verk.pauseQueue("later", { force: true });
      expect((await redis.redis.smembers("verk:paused")).sort()).toEqual(["critical", "later", "mail"]);
    } finally {
      await store.close();
    }
  });
});
