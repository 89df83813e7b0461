import { createVerk, defineWorker, type Verk } from "@verk/core";
import { events, type ReceivedEvent, subscribeEvents } from "@verk/events";
import { redisStore } from "@verk/redis-store";
import { scheduleIn, scheduler } from "@verk/scheduler";
import { stats, statsReader } from "@verk/stats";
import { until, useCluster } from "@verk/test-redis/vitest";
import { afterEach, describe, expect, it } from "vitest";
import { recordingLogger } from "./helpers.js";

// The add-ons on a real Redis Cluster (cluster key layout, 3 masters): stats counters (MULTI on
// {verk} keys), the shared event stream, the scheduler's leader lease, promotion of scheduled jobs
// of several queues and cron ticks pushed exactly once into one queue's slot.
const fx = useCluster({ replicasPerMaster: 0 });
const started: Verk[] = [];
afterEach(async () => {
  for (const verk of started.splice(0).reverse()) await verk.stop({ timeout: 1_000 }).catch(() => {});
});

const QUEUES = { alpha: 2, beta: 2, gamma: 2 };

function node(nodeId: string, plugins: Parameters<typeof createVerk>[0]["plugins"], ran: string[]): Verk {
  const Work = defineWorker(
    "Work",
    function (fail: boolean) {
      ran.push(`${this.queue}:${this.jid}`);
      if (fail) throw new Error("nope");
    },
    { retry: false },
  );
  const Tick = defineWorker("Tick", () => {
    ran.push("tick");
  });
  const verk = createVerk({
    store: redisStore({ cluster: { nodes: [...fx.cluster.urls] }, sidekiqProcess: false }),
    queues: QUEUES,
    workers: [Work, Tick],
    plugins,
    nodeId,
    fetchBlockMs: 100,
    logger: recordingLogger(),
    liveness: { maxEventLoopBlockMs: 0 },
  });
  started.push(verk);
  return verk;
}

describe("add-ons on a Redis Cluster", () => {
  it("stats count every queue's jobs; the event stream carries both nodes' events", async () => {
    const reader = redisStore({ cluster: { nodes: [...fx.cluster.urls] } });
    const feed = subscribeEvents(reader, { from: "$", blockMs: 100 });
    const received: ReceivedEvent[] = [];
    const consuming = (async () => {
      for await (const e of feed) received.push(e);
    })();
    const ran: string[] = [];
    const a = node("node-a", [stats({ flushIntervalMs: 100 }), events({ publish: true })], ran);
    const b = node("node-b", [stats({ flushIntervalMs: 100 }), events({ publish: true })], ran);
    await a.start();
    await b.start();
    const jobs = Object.keys(QUEUES).flatMap((queue) =>
      [false, false, true].map((fail) => ({ class: "Work", queue, args: [fail] })),
    );
    await a.enqueueBulk(jobs);
    await until(() => ran.length === 9, 10_000, "9 jobs");
    const totals = statsReader(a.store);
    await until(async () => (await totals.totals()).processed === 9, 10_000, "the counters");
    expect(await totals.totals()).toMatchObject({ processed: 9, failed: 3 });
    const queues = await totals.queues();
    expect(queues.map((q) => [q.name, q.processed, q.failed])).toEqual(
      Object.keys(QUEUES).map((q) => [q, 3, 1]),
    );
    await until(
      () => received.filter((e) => e.event === "job:finished" || e.event === "job:failed").length === 9,
      10_000,
      "9 job events",
    );
    expect(new Set(received.map((e) => e.nodeId))).toEqual(new Set(["node-a", "node-b"]));
    expect(received.filter((e) => e.event === "job:failed")).toHaveLength(3);
    await feed.close();
    await consuming;
  });

  it("one scheduler leader promotes scheduled jobs of every queue; each cron tick is pushed once", async () => {
    const cron = [{ name: "tick", every: 200, job: { class: "Tick", queue: "beta", args: [] } }];
    const plugins = [scheduler({ cron, leaseTtlMs: 1_000 }), scheduler({ cron, leaseTtlMs: 1_000 })];
    const ran: string[] = [];
    const a = node("sched-a", [plugins[0]!], ran);
    const b = node("sched-b", [plugins[1]!], ran);
    await Promise.all([a.start(), b.start()]);
    await until(() => plugins.some((p) => p.isLeader), 5_000, "a leader");
    expect(plugins.filter((p) => p.isLeader)).toHaveLength(1);
    for (const queue of Object.keys(QUEUES))
      await scheduleIn(a, { class: "Work", queue, args: [false] }, 300);
    await until(() => ran.filter((r) => r !== "tick").length === 3, 10_000, "3 scheduled jobs");
    expect(
      ran
        .filter((r) => r !== "tick")
        .map((r) => r.split(":")[0])
        .sort(),
    ).toEqual(Object.keys(QUEUES));
    await until(() => ran.filter((r) => r === "tick").length >= 4, 10_000, "4 ticks");
    await Promise.all([a.stop(), b.stop()]);
    const perMaster = await Promise.all(
      fx.redis.nodes("master").map((m) => m.keys("verk:{beta}:once:cron:tick:*")),
    );
    const marks = perMaster.flat();
    const ticks = ran.filter((r) => r === "tick").length;
    expect(ticks).toBe(marks.length); // every claimed tick ran once, none twice
    const record = JSON.parse((await fx.redis.hget("{verk}:cron", "tick"))!);
    expect(record).toMatchObject({ name: "tick", queue: "beta" });
  });
});
