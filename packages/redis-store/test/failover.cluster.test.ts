import { sleep } from "@verk/core";
import { redisCommand } from "@verk/test-redis";
import { useCluster } from "@verk/test-redis/vitest";
import { describe, expect, it } from "vitest";
import { type RedisStore, redisStore } from "../src/index.js";
import { runThroughFailover } from "./failover-run.js";

// A real Redis Cluster of 3 masters with a replica each: `waitReplicas` (one WAIT per master)
// and a master killed in the middle of a run.
const fx = useCluster({ replicasPerMaster: 1 });

const store = (waitReplicas?: number | { replicas: number; timeoutMs: number }): RedisStore =>
  redisStore({
    cluster: { nodes: [...fx.cluster.urls] },
    sidekiqProcess: false,
    ...(waitReplicas === undefined ? {} : { waitReplicas }),
  });

/** One queue per master (names whose slots three different masters serve), with those masters. */
async function queuesPerMaster(s: RedisStore): Promise<{ queue: string; port: number }[]> {
  const found = new Map<number, string>();
  for (let i = 0; found.size < 3; i++) {
    const master = await fx.cluster.masterOf(s.keys.queue(`f${i}`));
    if (!found.has(master.port)) found.set(master.port, `f${i}`);
  }
  return [...found].map(([port, queue]) => ({ queue, port }));
}

const replicaOf = async (masterPort: number) => {
  const nodes = await fx.cluster.topology();
  const master = nodes.find((n) => n.port === masterPort)!;
  return nodes.find((n) => n.role === "replica" && n.masterId === master.id && !n.failing)!;
};

describe("waitReplicas on a Redis Cluster", () => {
  it("resolves once each master's replica has the write, and fails with REPLICATION_TIMEOUT where none confirms", async () => {
    const s = store({ replicas: 1, timeoutMs: 500 });
    await s.connect();
    try {
      const targets = await queuesPerMaster(s);
      const raw = (q: string) => `{"class":"W","args":[],"queue":"${q}"}`;
      await s.push(targets.map((t) => ({ queue: t.queue, raw: raw(t.queue) })));
      for (const t of targets) {
        const replica = await replicaOf(t.port);
        // READONLY replica reads of the key's slot: the job is there the moment push resolved
        expect(await redisCommand(replica.port, "READONLY")).toBe("OK");
        expect(await redisCommand(replica.port, "LLEN", s.keys.queue(t.queue))).toBe(1);
      }
      // one push spanning three masters waits on each: a frozen replica of the LAST one fails it
      const frozen = fx.cluster.server((await replicaOf(targets[2]!.port)).port).pid!;
      process.kill(frozen, "SIGSTOP");
      try {
        await expect(
          s.push(targets.map((t) => ({ queue: t.queue, raw: raw(t.queue) }))),
        ).rejects.toMatchObject({
          code: "REPLICATION_TIMEOUT",
        });
      } finally {
        process.kill(frozen, "SIGCONT");
      }
      // a push also confirms the queue registry on the {verk} master: stop a replica of another one
      const verkMaster = (await fx.cluster.masterOf(s.keys.queues)).port;
      const stopped = targets.find((t) => t.port !== verkMaster)!;
      const others = targets.filter((t) => t !== stopped);
      const replica = await replicaOf(stopped!.port);
      await fx.cluster.killNode(replica.port);
      await expect(s.push([{ queue: stopped!.queue, raw: raw(stopped!.queue) }])).rejects.toMatchObject({
        code: "REPLICATION_TIMEOUT",
        message: expect.stringContaining("written on the master but may be lost"),
      });
      // other masters still have their replica
      await s.push(others.map((t) => ({ queue: t.queue, raw: raw(t.queue) })));
      await fx.cluster.restartNode(replica.port);
    } finally {
      await s.close();
    }
  });
});

describe("waitReplicas on a Redis Cluster: unique pushes and schedules", () => {
  it("also wait for the {verk} master's replica (queue registry, due index)", async () => {
    const s = store({ replicas: 1, timeoutMs: 500 });
    await s.connect();
    try {
      const verkMaster = (await fx.cluster.masterOf(s.keys.queues)).port;
      const target = (await queuesPerMaster(s)).find((t) => t.port !== verkMaster)!;
      const job = (jid: string) => ({
        queue: target.queue,
        raw: `{"jid":"${jid}","class":"W","queue":"${target.queue}","args":[]}`,
        jid,
        lock: { digest: `d-${jid}`, ttlMs: 60_000 },
      });
      const flow = s.capabilities.flow;
      // both masters' replicas answer: resolved
      expect((await flow.pushUnique([job("a")]))?.map((o) => o.pushed)).toEqual([true]);
      // the queue's own master has its replica, the {verk} master's is frozen: not confirmed
      const frozen = fx.cluster.server((await replicaOf(verkMaster)).port).pid!;
      process.kill(frozen, "SIGSTOP");
      try {
        await expect(flow.pushUnique([job("b")])).rejects.toMatchObject({ code: "REPLICATION_TIMEOUT" });
        await expect(
          flow.scheduleUnique([{ ...job("c"), at: Date.now() / 1000 + 60 }]),
        ).rejects.toMatchObject({ code: "REPLICATION_TIMEOUT" });
      } finally {
        process.kill(frozen, "SIGCONT");
      }
      // written on the masters all the same (the error says so): the jobs are there
      expect(await fx.redis.llen(s.keys.queue(target.queue))).toBe(2);
      expect(await fx.redis.zcard(s.keys.setOf("schedule", target.queue))).toBe(1);
    } finally {
      await s.close();
    }
  });
});

/**
 * Kill the master of the global {verk} slot (registry, heartbeats) in the middle of a run, after
 * holding its replica back for 400 ms (its link to the master cut, the process stopped): the
 * master acknowledges writes its replica never gets, as with a replication lag at a crash. The
 * replica resumes and takes over; the old master comes back as a replica.
 */
async function runWithMasterKilled(waitReplicas: number | undefined, drainTimeoutMs?: number) {
  const probe = store();
  const targets = await queuesPerMaster(probe);
  const victim = (await fx.cluster.masterOf(probe.keys.nodes)).port;
  let restarted: Promise<void> | undefined;
  const result = await runThroughFailover({
    store: () => store(waitReplicas),
    ...(drainTimeoutMs === undefined ? {} : { drainTimeoutMs }),
    queues: targets.map((t) => t.queue),
    async inFlight(nodeIds) {
      const keys = targets.flatMap((t) => nodeIds.map((id) => probe.keys.inprogress(t.queue, id)));
      const lengths = await Promise.all(keys.map((key) => fx.redis.llen(key)));
      return lengths.reduce((a, b) => a + b, 0);
    },
    async failover(unreplicated) {
      const replica = (await replicaOf(victim)).port;
      const pid = fx.cluster.server(replica).pid!;
      // freeze it, then have the master drop it: nothing written from now on reaches it
      process.kill(pid, "SIGSTOP");
      await redisCommand(victim, "CLIENT", "KILL", "TYPE", "replica");
      unreplicated.start();
      await sleep(400);
      await fx.cluster.killNode(victim);
      unreplicated.end();
      process.kill(pid, "SIGCONT");
      await fx.cluster.waitForFailover(victim);
      // back as a replica (meanwhile WAIT cannot confirm: REPLICATION_TIMEOUT, the producer goes on)
      restarted = fx.cluster.restartNode(victim);
    },
  });
  await restarted;
  await probe.close();
  expect(targets.map((t) => t.port)).toContain(victim); // a queue lived on the killed master
  return result;
}

describe("a master killed in the middle of a run (its replica lagging)", () => {
  it("with waitReplicas: 1, no resolved enqueue is lost; workers and producers carry on by themselves", async () => {
    const result = await runWithMasterKilled(1);
    console.log("cluster failover, waitReplicas: 1:", JSON.stringify(result));
    expect(result.lost).toBe(0);
    expect(result.resolved).toBeGreaterThan(100);
    expect(result.resolvedAfter).toBeGreaterThan(0);
    expect(result.duplicates).toBeLessThanOrEqual(
      result.inFlightAtKill + result.ranUnreplicated + result.concurrency,
    );
  }, 60_000);

  it("without waitReplicas, jobs acknowledged in the lag window are lost (what the option prevents); the rest runs", async () => {
    const result = await runWithMasterKilled(undefined, 4_000);
    console.log("cluster failover, no waitReplicas:", JSON.stringify(result));
    expect(result.lost).toBeGreaterThan(0);
    expect(result.resolvedAfter).toBeGreaterThan(0);
    expect(result.duplicates).toBeLessThanOrEqual(
      result.inFlightAtKill + result.ranUnreplicated + result.concurrency,
    );
  }, 60_000);
});
