import { MemoryStore, VerkError } from "@verk/core";
import { redisStore } from "@verk/redis-store";
import { useRedis } from "@verk/test-redis/vitest";
import { describe, expect, it } from "vitest";
import { createStatsReader, latencySeconds } from "../src/index.js";

const fx = useRedis();

describe("createStatsReader", () => {
  it("reads queues (size, latency, paused, lifetime counters), totals and history from Redis", async () => {
    const now = Date.now() / 1000;
    await fx.redis.sadd("queues", "a", "b");
    await fx.redis.lpush("queue:a", JSON.stringify({ class: "W", jid: "1", enqueued_at: now - 42.5 }));
    await fx.redis.lpush("queue:a", JSON.stringify({ class: "W", jid: "2", enqueued_at: now - 1 }));
    await fx.redis.sadd("verk:paused", "b");
    await fx.redis.set("stat:processed", "10");
    await fx.redis.set("stat:failed", "3");
    await fx.redis.set("verk:stat:processed:queue:a", "7");
    await fx.redis.set("verk:stat:failed:queue:a", "2");
    const today = new Date().toISOString().slice(0, 10);
    await fx.redis.set(`stat:processed:${today}`, "4");
    await fx.redis.zadd("schedule", 1, "s");
    await fx.redis.zadd("retry", 1, "r1", 2, "r2");
    await fx.redis.zadd("dead", 1, "d");
    await fx.redis.hset("verk:flow:a", { expired: 2, limited: 5, duplicates: 1 });
    await fx.redis.hset("verk:flow:b", { limited: 1 });
    const store = redisStore({ url: fx.url });
    try {
      const reader = createStatsReader(store);
      const queues = await reader.queues();
      expect(queues.map((q) => [q.name, q.size, q.paused, q.processed, q.failed])).toEqual([
        ["a", 2, false, 7, 2],
        ["b", 0, true, 0, 0],
      ]);
      expect(queues[0]!.latencySeconds).toBeGreaterThan(42);
      expect(queues[0]!.latencySeconds).toBeLessThan(45);
      expect(queues[1]!.latencySeconds).toBe(0);
      expect(queues.map((q) => [q.expired, q.limited, q.duplicates])).toEqual([
        [2, 5, 1],
        [0, 1, 0],
      ]);
      expect(await reader.totals()).toEqual({
        processed: 10,
        failed: 3,
        enqueued: 2,
        scheduled: 1,
        retries: 2,
        dead: 1,
        queues: 2,
        expired: 2,
        limited: 6,
        duplicates: 1,
      });
      const history = await reader.history(3);
      expect(history).toHaveLength(3);
      expect(history[0]).toEqual({ date: today, processed: 4, failed: 0 });
      await expect(reader.history(0)).rejects.toMatchObject({ code: "INVALID_OPTION" });
    } finally {
      await store.close();
    }
  });
});

describe("latencySeconds", () => {
  it("reads seconds, Sidekiq 8 milliseconds, and tolerates junk", () => {
    const now = 1_700_000_100_000;
    expect(latencySeconds(JSON.stringify({ enqueued_at: 1_700_000_000.5 }), now)).toBeCloseTo(99.5);
    expect(latencySeconds(JSON.stringify({ enqueued_at: 1_700_000_090_000 }), now)).toBeCloseTo(10);
    expect(latencySeconds("not json", now)).toBe(0);
    expect(latencySeconds(null, now)).toBe(0);
    expect(latencySeconds("{}", now)).toBe(0);
  });

  it("a store without the capability is rejected with INVALID_OPTION", () => {
    const store = new MemoryStore();
    const bare = { ...store, kind: "bare", capabilities: undefined } as unknown as MemoryStore;
    expect(() => createStatsReader(bare)).toThrow(VerkError);
    expect(() => createStatsReader(bare)).toThrow(/"stats" capability/);
  });
});
