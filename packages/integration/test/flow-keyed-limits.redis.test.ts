import { mkdtempSync, readFileSync, rmSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { fileURLToPath } from "node:url";
import { defineWorker, sleep, type VerkEventMap } from "@verk/core";
import { until, useRedis } from "@verk/test-redis/vitest";
import { describe, expect, it } from "vitest";
import { maxInWindow, maxOverlap } from "./flow-helpers.js";
import { node } from "./helpers.js";

describe.each(["sidekiq", "cluster"] as const)("per-key limits (%s key layout)", (layout) => {
  const r = useRedis();

  it("concurrency per key: one job per customer at a time, customers in parallel; put back, never failed", async () => {
    const running = new Map<string, number>();
    const spans: Record<string, [number, number][]> = { a: [], b: [] };
    let peakTotal = 0;
    let total = 0;
    const Bill = defineWorker(
      "Bill",
      async (customer: string) => {
        running.set(customer, (running.get(customer) ?? 0) + 1);
        total++;
        peakTotal = Math.max(peakTotal, total);
        const start = Date.now();
        await sleep(40);
        spans[customer]!.push([start, Date.now()]);
        running.set(customer, running.get(customer)! - 1);
        total--;
      },
      { limit: { concurrency: 1, key: (customer) => customer } },
    );
    const nodes = [1, 2].map((i) =>
      node(
        r.url,
        { workers: [Bill], queues: { default: 5 }, pollIntervalMs: 50, nodeId: `k${i}` },
        { layout },
      ),
    );
    const limited: VerkEventMap["job:limited"][] = [];
    const failed: string[] = [];
    for (const n of nodes) {
      n.on("job:limited", (e) => void limited.push(e));
      n.on("job:failed", (e) => void failed.push(e.job.jid));
    }
    await Promise.all(nodes.map((n) => n.start()));
    await Bill.enqueueBulk([["a"], ["a"], ["a"], ["a"], ["b"], ["b"], ["b"], ["b"]]);
    await until(async () => spans.a!.length === 4 && spans.b!.length === 4, 10_000, "8 jobs done");
    expect(maxOverlap(spans.a!)).toBe(1);
    expect(maxOverlap(spans.b!)).toBe(1);
    expect(peakTotal).toBe(2); // a and b ran side by side
    expect(failed).toEqual([]);
    expect(limited.length).toBeGreaterThan(0);
    expect(limited.every((e) => e.reason === "concurrency" && (e.key === "a" || e.key === "b"))).toBe(true);
    expect(limited.every((e) => e.job.retry_count === undefined && e.job.error_message === undefined)).toBe(
      true,
    );
    const counters = await nodes[0]!.store.capabilities!.flow!.counters(["default"]);
    expect(counters.default!.limited).toBe(limited.length);
    // Parked jobs went back through the front of the queue on release, not after a slot TTL (30 s).
    const schedule = layout === "cluster" ? "verk:{default}:schedule" : "schedule";
    expect(await r.redis.zcard(schedule)).toBe(0);
  });

  it("rate per key: each key's starts stay within its window; other keys are not held up", async () => {
    const starts: Record<string, number[]> = { a: [], b: [] };
    const Call = defineWorker("Call", async (token: string) => void starts[token]!.push(Date.now()), {
      limit: { rate: 2, per: 400, key: (token) => token },
    });
    const verk = node(r.url, { workers: [Call], queues: { default: 10 }, pollIntervalMs: 50 }, { layout });
    const limited: VerkEventMap["job:limited"][] = [];
    verk.on("job:limited", (e) => void limited.push(e));
    await verk.start();
    await Call.enqueueBulk([...Array.from({ length: 6 }, (): [string] => ["a"]), ["b"], ["b"]]);
    await until(async () => starts.a!.length === 6 && starts.b!.length === 2, 10_000, "8 starts");
    expect(maxInWindow(starts.a!, 400 - 50)).toBeLessThanOrEqual(2);
    expect(Math.max(...starts.b!) - Math.min(...starts.a!)).toBeLessThan(300); // b ran in the first window
    expect(limited.length).toBeGreaterThanOrEqual(4);
    expect(limited.every((e) => e.reason === "rate" && e.key === "a")).toBe(true);
    expect(Math.max(...starts.a!) - Math.min(...starts.a!)).toBeLessThan(2_500); // spread, not re-tried per TTL
  });
});

describe("limits apply to isolated queues", () => {
  const r = useRedis();

  it("a class-wide limit declared only in the workerModule holds across two nodes' worker threads", async () => {
    const dir = mkdtempSync(join(tmpdir(), "verk-flow-"));
    const file = join(dir, "spans.txt");
    const workerModule = fileURLToPath(new URL("./fixtures/flow-workers.mjs", import.meta.url));
    try {
      const nodes = [1, 2].map((i) =>
        node(r.url, {
          workerModule,
          queues: { iso: { concurrency: 4, isolation: "thread", poolSize: 2, classes: ["IsoLimited"] } },
          nodeId: `iso${i}`,
        }),
      );
      await Promise.all(nodes.map((n) => n.start()));
      await nodes[0]!.enqueueBulk(
        Array.from({ length: 8 }, () => ({ class: "IsoLimited", queue: "iso", args: [file] })),
      );
      const spans = () =>
        readFileSync(file, "utf8")
          .trim()
          .split("\n")
          .filter(Boolean)
          .map((line) => line.split(" ").map(Number) as [number, number]);
      await until(
        async () => {
          try {
            return spans().length === 8;
          } catch {
            return false;
          }
        },
        15_000,
        "8 isolated jobs done",
      );
      expect(maxOverlap(spans())).toBe(1);
    } finally {
      rmSync(dir, { recursive: true, force: true });
    }
  });
});
