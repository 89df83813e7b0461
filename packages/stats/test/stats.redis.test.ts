import { createVerk, defineWorker, sleep } from "@verk/core";
import { redisStore } from "@verk/redis-store";
import { until, useRedis } from "@verk/test-redis/vitest";
import { Registry } from "prom-client";
import { describe, expect, it } from "vitest";
import { serveMetrics, stats } from "../src/index.js";
import { find, parsePrometheus } from "./prom-parser.js";

const fx = useRedis();

function setup(flushIntervalMs = 60_000, registry?: Registry) {
  let done = 0;
  const Ok = defineWorker("Ok", async (ms: number) => {
    await sleep(ms);
    done++;
  });
  const Boom = defineWorker("Boom", async () => {
    done++;
    throw new Error("boom");
  });
  const verkStats = stats({ flushIntervalMs, windowMs: 60_000, ...(registry ? { registry } : {}) });
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
      expect(types.get("verk_jobs_total")).toBe("counter");
      expect(find(samples, "verk_jobs_total", { queue: "default", class: "Ok", outcome: "success" })).toBe(4);
      expect(find(samples, "verk_jobs_total", { queue: "other", class: "Boom", outcome: "discard" })).toBe(1);
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
      expect(find(samples, "verk_queue_jobs", { queue: "waiting" })).toBe(1);
      expect(find(samples, "verk_queue_latency_seconds", { queue: "waiting" })).toBeGreaterThan(29);
      expect(
        find(samples, "verk_job_duration_window_seconds", { queue: "default", quantile: "0.5" }),
      ).toBeGreaterThan(0.015);
      expect((await fetch(http.url.replace("/metrics", "/nope"))).status).toBe(404);
    } finally {
      await verk.stop();
    }
    // verk.stop() closed the server the plugin was served by.
    await expect(fetch(http.url)).rejects.toThrow();
    await http.close();
  });

  it("registers into the user's prom-client registry, values matching what ran; removed at stop", async () => {
    const registry = new Registry();
    await fx.redis.set("stat:processed", "10");
    const { verk, done } = setup(60_000, registry);
    await verk.start();
    await verk.enqueueBulk([
      ...Array.from({ length: 3 }, () => ({ class: "Ok", args: [5], queue: "default" })),
      ...Array.from({ length: 2 }, () => ({ class: "Boom", args: [], queue: "other", retry: 1 })),
      { class: "Boom", args: [], queue: "other", retry: false },
    ]);
    await until(() => done() === 6);
    await fx.redis.sadd("queues", "idle");
    await fx.redis.lpush("queue:idle", JSON.stringify({ class: "Ok", args: [0], jid: "w1" }));
    await fx.redis.sadd("verk:paused", "idle");
    const value = async (name: string, labels: Record<string, string> = {}) => {
      const metric = registry.getSingleMetric(name);
      const data = await metric!.get();
      return data.values.find(
        (v) => !("le" in v.labels) && Object.entries(labels).every(([k, x]) => String(v.labels[k]) === x),
      )?.value;
    };
    try {
      expect(await value("verk_jobs_total", { queue: "default", class: "Ok", outcome: "success" })).toBe(3);
      expect(await value("verk_jobs_total", { queue: "other", class: "Boom", outcome: "retry" })).toBe(2);
      expect(await value("verk_jobs_total", { queue: "other", class: "Boom", outcome: "discard" })).toBe(1);
      const text = await registry.metrics();
      const { samples, types } = parsePrometheus(text);
      expect(types.get("verk_job_duration_seconds")).toBe("histogram");
      expect(find(samples, "verk_job_duration_seconds_count", { queue: "default", class: "Ok" })).toBe(3);
      expect(find(samples, "verk_queue_paused", { queue: "idle" })).toBe(1);
      expect(find(samples, "verk_queue_paused", { queue: "default" })).toBe(0);
      expect(find(samples, "verk_queue_jobs", { queue: "idle" })).toBe(1);
      expect(find(samples, "verk_retry_jobs")).toBe(2);
      expect(find(samples, "verk_processed_total")).toBe(10); // not flushed yet
      await verk.enqueue({ class: "Nope", queue: "nowhere" }); // waits: nowhere is not served
      const after = parsePrometheus(await registry.metrics()).samples;
      expect(find(after, "verk_queue_jobs", { queue: "nowhere" })).toBe(1);
    } finally {
      await verk.stop();
    }
    expect(await fx.redis.get("stat:processed")).toBe("16");
    expect(registry.getSingleMetric("verk_jobs_total")).toBeUndefined();
    expect(await registry.metrics()).not.toContain("verk_");
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
