import { createVerk, defineWorker, MemoryStore, minuteStart, sleep } from "@verk/core";
import { redisStore } from "@verk/redis-store";
import { until, useRedis } from "@verk/test-redis/vitest";
import { describe, expect, it } from "vitest";
import { createStatsReader, histogramPercentile, stats } from "../src/index.js";

const fx = useRedis();
const quiet = { debug() {}, info() {}, warn() {}, error() {} };

describe("persisted per-minute job metrics", () => {
  it("are written by the plugin's flush and read by another process's reader, per queue and class", async () => {
    let done = 0;
    const Fast = defineWorker("Fast", async () => {
      await sleep(1);
      done++;
    });
    const Slow = defineWorker("Slow", async () => {
      await sleep(120);
      done++;
    });
    const Boom = defineWorker("Boom", async () => {
      done++;
      throw new Error("boom");
    });
    const verk = createVerk({
      store: redisStore({ url: fx.url }),
      queues: { default: 5, other: 5 },
      workers: [Fast, Slow, Boom],
      plugins: [stats({ flushIntervalMs: 60_000 })],
      logger: quiet,
    } as never);
    await verk.start();
    await verk.enqueueBulk([
      ...Array.from({ length: 20 }, () => ({ class: "Fast", args: [], queue: "default" })),
      ...Array.from({ length: 4 }, () => ({ class: "Slow", args: [], queue: "other" })),
      ...Array.from({ length: 5 }, () => ({ class: "Boom", args: [], queue: "other", retry: false })),
    ]);
    await until(() => done === 29);
    await verk.stop(); // flushes

    const store = redisStore({ url: fx.url });
    const metrics = await createStatsReader(store).jobMetrics({ minutes: 5 });
    await store.close();
    expect(metrics.points).toHaveLength(5);
    const sum = metrics.points.reduce((a, p) => a + p.processed, 0);
    expect(sum).toBe(29);
    expect(metrics.points.reduce((a, p) => a + p.failed, 0)).toBe(5);
    const byClass = Object.fromEntries(metrics.byClass.map((g) => [g.className, g]));
    expect(byClass.Fast).toMatchObject({ processed: 20, failed: 0, failureRate: 0 });
    expect(byClass.Boom).toMatchObject({ processed: 5, failed: 5, failureRate: 1 });
    expect(byClass.Slow!.p50).toBeGreaterThan(100); // bucket (100, 250] ms
    expect(byClass.Slow!.p50).toBeLessThanOrEqual(250);
    expect(byClass.Slow!.meanMs).toBeGreaterThanOrEqual(115);
    expect(byClass.Fast!.p99).toBeLessThanOrEqual(byClass.Slow!.p50);
    const other = metrics.byQueue.find((g) => g.queue === "other")!;
    expect(other).toMatchObject({ processed: 9, failed: 5 });
    expect(metrics.queues).toEqual(["default", "other"]);
    expect(metrics.classes).toEqual(["Boom", "Fast", "Slow"]);
    const store2 = redisStore({ url: fx.url });
    const filtered = await createStatsReader(store2).jobMetrics({
      minutes: 5,
      queue: "other",
      className: "Slow",
    });
    await store2.close();
    expect(filtered.byClass.map((g) => [g.className, g.processed])).toEqual([["Slow", 4]]);

    // Keys: Verk's per queue + class hash and Sidekiq 7's per class hash, both with an 8 h TTL.
    const verkKeys = await fx.redis.keys("verk:j|*");
    const sidekiqKeys = await fx.redis.keys("j|*");
    expect(verkKeys.length).toBeGreaterThanOrEqual(1);
    expect(verkKeys[0]).toMatch(/^verk:j\|\d{8}\|\d{1,2}:\d{1,2}$/);
    expect(await fx.redis.ttl(verkKeys[0]!)).toBeGreaterThan(8 * 3600 - 60);
    let fastP = 0;
    let boomF = 0;
    for (const key of sidekiqKeys) {
      expect(await fx.redis.ttl(key)).toBeLessThanOrEqual(8 * 3600);
      const hash = await fx.redis.hgetall(key);
      fastP += Number(hash["Fast|p"] ?? 0);
      boomF += Number(hash["Boom|f"] ?? 0);
    }
    expect([fastP, boomF]).toEqual([20, 5]);
  });

  it("memory store keeps the same minutes; percentiles interpolate inside a bucket", async () => {
    const store = new MemoryStore();
    const minute = minuteStart(Date.now());
    const buckets = [0, 0, 0, 0, 10, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0];
    await store.capabilities!.stats!.recordMetrics([
      { minute, cells: [{ queue: "q", className: "C", processed: 12, failed: 2, totalMs: 700, buckets }] },
    ]);
    const m = await createStatsReader(store).jobMetrics({ minutes: 1 });
    expect(m.byClass[0]).toMatchObject({ processed: 12, failed: 2, meanMs: 70 });
    expect(m.byClass[0]!.p50).toBe(75); // halfway through (50, 100]
    expect(histogramPercentile(buckets, 1)).toBe(100);
    expect(histogramPercentile([], 0.5)).toBe(0);
    await expect(createStatsReader(store).jobMetrics({ minutes: 481 })).rejects.toMatchObject({
      code: "INVALID_OPTION",
    });
  });
});
