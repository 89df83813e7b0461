import { createVerk, defineWorker, sleep, type Verk } from "@verk/core";
import { redisStore } from "@verk/redis-store";
import { until, useCluster } from "@verk/test-redis/vitest";
import { afterEach, describe, expect, it } from "vitest";
import { maxOverlap } from "./flow-helpers.js";

describe("flow control on a real Redis Cluster (every script in one slot)", () => {
  const c = useCluster({ masters: 3, replicasPerMaster: 0 });
  const nodes: Verk[] = [];
  afterEach(async () => {
    for (const n of nodes.splice(0)) await n.stop({ timeout: 1_000 }).catch(() => {});
  });
  const node = (options: Parameters<typeof createVerk>[0] extends infer O ? Omit<O, "store"> : never) => {
    const verk = createVerk({
      store: redisStore({ cluster: { nodes: c.cluster.urls }, sidekiqProcess: false }),
      fetchBlockMs: 100,
      pollIntervalMs: 50,
      logLevel: "error",
      ...(options as object),
    });
    nodes.push(verk);
    return verk;
  };

  it("unique pushes, class-wide and per-key limits, and expiry work on queues spread over 3 shards", async () => {
    const spans: [number, number][] = [];
    const keyed: Record<string, [number, number][]> = { x: [], y: [] };
    const Unique = defineWorker("CUnique", async () => {}, { queue: "c-unique", unique: { for: 60 } });
    const Limited = defineWorker(
      "CLimited",
      async () => {
        const start = Date.now();
        await sleep(20);
        spans.push([start, Date.now()]);
      },
      { queue: "c-limited", limit: { concurrency: 1 } },
    );
    const Keyed = defineWorker(
      "CKeyed",
      async (k: string) => {
        const start = Date.now();
        await sleep(20);
        keyed[k]!.push([start, Date.now()]);
      },
      { queue: "c-keyed", limit: { concurrency: 1, key: (k) => k } },
    );
    const Stale = defineWorker("CStale", async () => {}, { queue: "c-stale" });
    const verk = node({
      workers: [Unique, Limited, Keyed, Stale],
      queues: { "c-unique": 2, "c-limited": 4, "c-keyed": 4, "c-stale": 1 },
    });
    const expired: string[] = [];
    verk.on("job:expired", (e) => void expired.push(e.job.jid));
    expect(await Unique.enqueue()).not.toBeNull();
    expect(await Unique.enqueue()).toBeNull();
    expect((await Unique.enqueueBulk([[], []])).filter((j) => j === null)).toHaveLength(2);
    expect(await Unique.scheduleIn(60_000)).toBeNull();
    const stale = await Stale.with({ expiresIn: 1 }).enqueue();
    await sleep(5);
    await verk.start();
    await Limited.enqueueBulk([[], [], [], [], []]);
    await Keyed.enqueueBulk([["x"], ["x"], ["x"], ["y"], ["y"]]);
    await until(
      async () => spans.length === 5 && keyed.x!.length === 3 && keyed.y!.length === 2,
      15_000,
      "all ran",
    );
    expect(maxOverlap(spans)).toBe(1);
    expect(maxOverlap(keyed.x!)).toBe(1);
    await until(async () => expired.length === 1, 5_000, "the stale job skipped");
    expect(expired).toEqual([stale]);
    const counters = await verk.store.capabilities!.flow!.counters(["c-unique", "c-stale"]);
    expect(counters["c-unique"]!.duplicates).toBe(4);
    expect(counters["c-stale"]!.expired).toBe(1);
  });
});
