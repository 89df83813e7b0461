import { createVerk, defineWorker, sleep } from "@verk/core";
import { redisStore } from "@verk/redis-store";
import { until, useRedis } from "@verk/test-redis/vitest";
import { describe, expect, it } from "vitest";
import { serveMetrics, stats } from "../src/index.js";
import { find, parsePrometheus } from "./prom-parser.js";

const fx = useRedis();

function setup(flushIntervalMs = 60_000) {
  let done = 0;
  const Ok = defineWorker("Ok", async (ms: number) => {
    await sleep(ms);
    done++;
  });
  const Boom = defineWorker("Boom", async () => {
    done++;
    throw new Error("boom");
  });
  const verkStats = stats({ flushIntervalMs, windowMs: 60_000 });
  const verk = createVerk({
    store: redisStore({ url: fx.url }),
    queues: { default: 5, other: 2 },
    workers: [Ok, Boom],
    plugins: [verkStats],
    logger: { debug() {}, info() {}, warn() {}, error() {} },
  } as never);
  return { verk, verkStats, done: () => done };
}

describe("@verk/stats on Redis", () => {
  it("persists counters at a graceful stop: processed counts every execution, failed the failures", async () => {
    const { verk, verkStats, done } = setup();
    await verk.start();
    const jobs = [
      ...Array.from({ length: 30 }, () => ({ class: "Ok", args: [1], queue: "default" })),
      ...Array.from({ length: 7 }, () => ({ class: "Boom", args: [], queue: "other", retry: false })),
    ];
    await verk.enqueueBulk(jobs);
    await until(() => done() === 37);
    // Nothing flushed yet (interval 60 s): the counts must come from the flush at stop.
    expect(await fx.redis.get("stat:processed")).toBeNull();
    expect(verkStats.live().get("default")).toMatchObject({ finished: 30, failed: 0 });
    await verk.stop();
    const day = new Date().toISOString().slice(0, 10);
    expect(await fx.redis.get("stat:processed")).toBe("37");
    expect(await fx.redis.get("stat:failed")).toBe("7");
    expect(await fx.redis.get(`stat:processed:${day}`)).toBe("37");
    expect(await fx.redis.get(`stat:failed:${day}`)).toBe("7");
    expect(await fx.redis.ttl(`stat:processed:${day}`)).toBeGreaterThan(157_000_000);
    expect(await fx.redis.get("verk:stat:processed:queue:default")).toBe("30");
    expect(await fx.redis.get("verk:stat:processed:queue:other")).toBe("7");
    expect(await fx.redis.get("verk:stat:failed:queue:other")).toBe("7");
    expect(await fx.redis.exists("verk:stat:failed:queue:default")).toBe(0);
  });

  it("flushes on the interval and adds to existing Sidekiq counters", async () => {
    await fx.redis.set("stat:processed", "100");
    const { verk, done } = setup(50);
    await verk.start();
    await verk.enqueueBulk(Array.from({ length: 5 }, () => ({ class: "Ok", args: [0], queue: "default" })));
    await until(() => done() === 5);
    await until(async () => (await fx.redis.get("stat:processed")) === "105");
    await verk.stop();
    expect(await fx.redis.get("stat:processed")).toBe("105");
  });

  it("Prometheus output parses back with the right values; served over HTTP", async () => {
    const { verk, verkStats, done } = setup();
    await verk.start();
    await verk.enqueueBulk([
      ...Array.from({ length: 4 }, () => ({ class: "Ok", args: [20], queue: "default" })),
      { class: "Boom", args: [], queue: "other", retry: false },
    ]);
    await until(() => done() === 5);
    await fx.redis.sadd("queues", "waiting");
    await fx.redis.lpush(
      "queue:waiting",
      JSON.stringify({ class: "X", enqueued_at: Date.now() / 1000 - 30 }),
    );
    const http = await serveMetrics(verkStats, { port: 0 });
    try {
      const text = await (await fetch(http.url)).text();
      const { samples, types } = parsePrometheus(text);
      expect(types.get("verk_job_duration_seconds")).toBe("histogram");
      expect(types.get("verk_jobs_finished_total")).toBe("counter");
      expect(find(samples, "verk_jobs_finished_total", { queue: "default", class: "Ok" })).toBe(4);
      expect(find(samples, "verk_jobs_failed_total", { queue: "other", class: "Boom" })).toBe(1);
      expect(find(samples, "verk_job_duration_seconds_count", { queue: "default", class: "Ok" })).toBe(4);
      expect(
        find(samples, "verk_job_duration_seconds_bucket", { queue: "default", class: "Ok", le: "+Inf" }),
      ).toBe(4);
      expect(
        find(samples, "verk_job_duration_seconds_bucket", { queue: "default", class: "Ok", le: "0.01" }),
      ).toBe(0);
      expect(
        find(samples, "verk_job_duration_seconds_sum", { queue: "default", class: "Ok" }),
      ).toBeGreaterThan(0.07);
      expect(find(samples, "verk_jobs_running", { queue: "default" })).toBe(0);
      expect(find(samples, "verk_queue_size", { queue: "waiting" })).toBe(1);
      expect(find(samples, "verk_queue_latency_seconds", { queue: "waiting" })).toBeGreaterThan(29);
      expect(
        find(samples, "verk_job_duration_window_seconds", { queue: "default", quantile: "0.5" }),
      ).toBeGreaterThan(0.015);
      expect((await fetch(http.url.replace("/metrics", "/nope"))).status).toBe(404);
    } finally {
      await http.close();
      await verk.stop();
    }
  });

  it("queues() merges stored size/latency with live running counts and percentiles", async () => {
    const { verk, verkStats } = setup();
    await verk.start();
    await verk.enqueueBulk(Array.from({ length: 6 }, () => ({ class: "Ok", args: [300], queue: "default" })));
    await until(() => (verkStats.live().get("default")?.running ?? 0) === 5);
    const rows = await verkStats.queues();
    const row = rows.find((q) => q.name === "default")!;
    expect(row.running).toBe(5);
    expect(row.size).toBe(1);
    expect(row.latencySeconds).toBeGreaterThanOrEqual(0);
    await until(() => (verkStats.live().get("default")?.finished ?? 0) === 6, 5_000);
    const after = (await verkStats.queues()).find((q) => q.name === "default")!;
    expect(after.durations.count).toBe(6);
    expect(after.durations.p50).toBeGreaterThanOrEqual(290);
    await verk.stop();
  });
});
