import { createVerk, defineWorker, MemoryStore, VerkError } from "@verk/core";
import { until } from "@verk/test-redis/vitest";
import { describe, expect, it } from "vitest";
import { Collector, rank, SlidingWindow, stats } from "../src/index.js";
import { find, parsePrometheus } from "./prom-parser.js";

describe("percentiles", () => {
  it("nearest rank over 1..100", () => {
    const sorted = Array.from({ length: 100 }, (_, i) => i + 1);
    expect(rank(sorted, 0.5)).toBe(50);
    expect(rank(sorted, 0.95)).toBe(95);
    expect(rank(sorted, 0.99)).toBe(99);
    expect(rank([], 0.5)).toBe(0);
    expect(rank([7], 0.99)).toBe(7);
  });

  it("the sliding window forgets old samples and caps its size", () => {
    const w = new SlidingWindow(1_000, 50);
    for (let i = 1; i <= 10; i++) w.add(1000, 0); // old
    for (let i = 1; i <= 100; i++) w.add(i, 5_000);
    const p = w.percentiles(5_500);
    expect(p.count).toBe(50); // capped to the 50 newest: 51..100
    expect(p.p50).toBe(75);
    expect(p.p99).toBe(100);
    expect(w.percentiles(7_000)).toEqual({ p50: 0, p95: 0, p99: 0, count: 0 });
  });
});

describe("collector and exposition", () => {
  it("counts executions and pending deltas, restores them after a failed flush", () => {
    const c = new Collector(60_000, 100);
    c.started("q");
    c.ended("q", 50, false);
    c.started("q");
    c.ended("q", 500, true);
    const d = c.takePending();
    expect(d).toEqual({ processed: 2, failed: 1, byQueue: { q: { processed: 2, failed: 1 } } });
    expect(c.takePending().processed).toBe(0);
    c.restorePending(d);
    expect(c.takePending()).toEqual(d);
    expect(c.queues().get("q")).toMatchObject({ running: 0, finished: 1, failed: 1 });
  });

  it("escapes label values (prom-client's exposition) so the output parses back", async () => {
    const queue = 'we"ird\\q\n';
    let ran = 0;
    const Cls = defineWorker("Cls", async () => {
      ran++;
    });
    const verkStats = stats();
    const verk = createVerk({
      store: new MemoryStore(),
      queues: { [queue]: 1 },
      workers: [Cls],
      plugins: [verkStats],
      pollIntervalMs: 0,
    });
    await verk.start();
    try {
      await verk.enqueue({ class: "Cls", queue });
      await until(() => ran === 1);
      await until(() => verkStats.live().get(queue)?.finished === 1);
      const { samples } = parsePrometheus(await verkStats.metrics());
      expect(find(samples, "verk_jobs_total", { queue, class: "Cls", outcome: "success" })).toBe(1);
    } finally {
      await verk.stop({ timeout: 500 });
    }
  });
});

describe("options and capabilities", () => {
  it("rejects bad options and stores without the capability", () => {
    expect(() => stats({ flushIntervalMs: 0 })).toThrow(VerkError);
    expect(() => stats({ buckets: [-1] })).toThrow(/buckets/);
    expect(() => stats({ flushIntervalMS: 5 } as never)).toThrow(/flushIntervalMs/);
    expect(() => stats({ registry: {} as never })).toThrow(/prom-client Registry/);
    const bare = Object.assign(Object.create(MemoryStore.prototype), { kind: "bare" });
    const plugin = stats();
    expect(() => plugin.setup?.({ store: bare, on: () => () => {} } as never)).toThrow(/capability/);
  });
});
