import { createVerk, defineWorker } from "@verk/core";
import { redisCommand } from "@verk/test-redis";
import { until, useCluster } from "@verk/test-redis/vitest";
import { describe, expect, it } from "vitest";
import { type RedisStore, redisStore } from "../src/index.js";
import type { RedisQueueChannel } from "../src/queue-channel.js";

// The store on a real Redis Cluster: connection checks and blocking fetches sent to the right node.
const fx = useCluster({ replicasPerMaster: 0 });

const clusterStore = (): RedisStore =>
  redisStore({ cluster: { nodes: [...fx.cluster.urls] }, sidekiqProcess: false });

/** Three queue names whose slots are served by three different masters, and those masters' ports. */
async function queuesOnThreeMasters(store: RedisStore): Promise<{ queue: string; port: number }[]> {
  const found = new Map<number, string>();
  for (let i = 0; found.size < 3; i++) {
    const queue = `q${i}`;
    const master = await fx.cluster.masterOf(store.keys.queue(queue));
    if (!found.has(master.port)) found.set(master.port, queue);
  }
  return [...found].map(([port, queue]) => ({ queue, port }));
}

async function blockedClients(port: number): Promise<number> {
  const info = String(await redisCommand(port, "INFO", "clients"));
  return Number(/blocked_clients:(\d+)/.exec(info)?.[1] ?? -1);
}

describe("connecting", () => {
  it("a plain URL to a cluster node fails with INVALID_OPTION saying to use the cluster option", async () => {
    const store = redisStore({ url: fx.cluster.urls[0] });
    await expect(store.connect()).rejects.toMatchObject({
      code: "INVALID_OPTION",
      field: "cluster",
      message: expect.stringContaining("is a Redis Cluster node: use redisStore({ cluster: { nodes:"),
    });
    await store.close();
  });

  it("the cluster option refuses the Sidekiq key layout, which cannot spread over shards", () => {
    expect(() => redisStore({ cluster: { nodes: [...fx.cluster.urls] }, layout: "sidekiq" })).toThrow(
      expect.objectContaining({ code: "INVALID_OPTION", field: "layout" }),
    );
  });
});

describe("CLIENT UNBLOCK goes to the node serving the queue's slot", () => {
  it("interrupt() ends blocking fetches on three masters at once; their connections stay open", async () => {
    const store = clusterStore();
    await store.connect();
    try {
      const targets = await queuesOnThreeMasters(store);
      await store.registerNode(
        "n1",
        targets.map((t) => t.queue),
      );
      const channels = targets.map((t) => store.openQueue(t.queue, "n1") as RedisQueueChannel);
      const pending = channels.map((c) => c.fetch(1, 60_000));
      for (const t of targets)
        await until(async () => (await blockedClients(t.port)) === 1, 10_000, `a BLMOVE on ${t.port}`);
      for (const c of channels) c.interrupt();
      // Only an UNBLOCK on the right node ends a 60 s BLMOVE now (the test would time out otherwise).
      expect(await Promise.all(pending)).toEqual(targets.map(() => ({ paused: false, jobs: [] })));
      for (const t of targets) expect(await blockedClients(t.port)).toBe(0);
      expect(channels.map((c) => c.connection.status)).toEqual(targets.map(() => "ready"));
      // and each channel still fetches afterwards
      await store.push(
        targets.map((t) => ({ queue: t.queue, raw: `{"class":"W","args":[],"queue":"${t.queue}"}` })),
      );
      const next = await Promise.all(channels.map((c) => c.fetch(1, 1_000)));
      expect(next.map((r) => r.jobs.length)).toEqual([1, 1, 1]);
      await Promise.all(channels.map((c) => c.close()));
    } finally {
      await store.close();
    }
  });

  it("stop() of a node whose queues block on three masters unblocks each on its own master", async () => {
    const probe = clusterStore();
    const targets = await queuesOnThreeMasters(probe);
    await probe.close();
    const W = defineWorker("W", () => {});
    const verk = createVerk({
      store: clusterStore(),
      queues: Object.fromEntries(targets.map((t) => [t.queue, 2])),
      workers: [W],
      fetchBlockMs: 60_000,
      logLevel: "warn",
      liveness: { maxEventLoopBlockMs: 0 },
    });
    await verk.start();
    for (const t of targets)
      await until(async () => (await blockedClients(t.port)) === 1, 10_000, `a BLMOVE on ${t.port}`);
    for (const t of targets) await redisCommand(t.port, "CONFIG", "RESETSTAT");
    await verk.stop({ timeout: 1_000 });
    for (const t of targets) {
      expect(await blockedClients(t.port)).toBe(0);
      // exactly one CLIENT UNBLOCK per master: each BLMOVE was cut short by its own node
      expect(String(await redisCommand(t.port, "INFO", "commandstats"))).toMatch(
        /cmdstat_client\|unblock:calls=1,/,
      );
      expect(await fx.redis.llen((verk.store as RedisStore).keys.inprogress(t.queue, verk.nodeId))).toBe(0);
    }
  });
});
