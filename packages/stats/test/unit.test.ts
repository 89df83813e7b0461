import { MemoryStore, VerkError } from "@verk/core";
import { describe, expect, it } from "vitest";
import { Collector, escapeLabel, rank, renderPrometheus, SlidingWindow, stats } from "../src/index.js";
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
    const c = new Collector(60_000, 100, [0.1, 1]);
    c.started("q");
    c.ended("q", "A", 50, false);
    c.started("q");
    c.ended("q", "A", 500, true);
    const d = c.takePending();
    expect(d).toEqual({ processed: 2, failed: 1, byQueue: { q: { processed: 2, failed: 1 } } });
    expect(c.takePending().processed).toBe(0);
    c.restorePending(d);
    expect(c.takePending()).toEqual(d);
    const [s] = c.series();
    expect(s).toMatchObject({ finished: 1, failed: 1, buckets: [1, 2], count: 2 });
  });

  it("escapes label values so the output parses back", () => {
    const c = new Collector(60_000, 100, [1]);
    c.ended('we"ird\\q\n', "Cls", 10, false);
    const text = renderPrometheus({ buckets: c.buckets, series: c.series(), live: c.queues() });
    const { samples } = parsePrometheus(text);
    expect(find(samples, "verk_jobs_finished_total", { queue: 'we"ird\\q\n', class: "Cls" })).toBe(1);
    expect(escapeLabel('a"b')).toBe('a\\"b');
  });
});

describe("options and capabilities", () => {
  it("rejects bad options and stores without the capability", () => {
    expect(() => stats({ flushIntervalMs: 0 })).toThrow(VerkError);
    expect(() => stats({ buckets: [-1] })).toThrow(/buckets/);
    const bare = Object.assign(Object.create(MemoryStore.prototype), { kind: "bare" });
    const plugin = stats();
    expect(() => plugin.setup?.({ store: bare, on: () => () => {} } as never)).toThrow(/capability/);
  });
});
