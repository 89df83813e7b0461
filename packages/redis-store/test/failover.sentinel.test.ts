import { sleep } from "@verk/core";
import { redisCommand } from "@verk/test-redis";
import { until, useSentinel } from "@verk/test-redis/vitest";
import { describe, expect, it } from "vitest";
import { type RedisStore, redisStore } from "../src/index.js";
import { runThroughFailover } from "./failover-run.js";

// A master, one replica and 3 sentinels: `waitReplicas` and a failover in the middle of a run.
const fx = useSentinel({ replicas: 1, sentinels: 3 });

const store = (waitReplicas?: { replicas: number; timeoutMs: number } | number): RedisStore =>
  redisStore({
    sentinel: { sentinels: [...fx.sentinel.sentinels], name: fx.sentinel.masterName },
    sidekiqProcess: false,
    ...(waitReplicas === undefined ? {} : { waitReplicas }),
  });

const raw = (jid: string) => `{"class":"W","args":[],"jid":"${jid}","queue":"q"}`;

async function replicaPort(): Promise<number> {
  const master = await fx.sentinel.masterAddress();
  return fx.sentinel.nodes.find((n) => n.port !== master.port)!.port;
}

describe("waitReplicas behind Sentinel", () => {
  it("push, schedule and fail resolve once the replica has the write", async () => {
    const s = store(1);
    await s.connect();
    try {
      const replica = await replicaPort();
      await s.push([{ queue: "q", raw: raw("a") }]);
      expect(await redisCommand(replica, "LLEN", "queue:q")).toBe(1);
      await s.schedule([{ queue: "q", raw: raw("s"), at: 2e9 }]);
      expect(await redisCommand(replica, "ZCARD", "schedule")).toBe(1);
      await s.registerNode("n1", ["q"]);
      const channel = s.openQueue("q", "n1");
      const [fetched] = (await channel.fetch(1, 100)).jobs;
      await channel.close();
      expect(await s.fail("q", "n1", fetched!, { kind: "retry", raw: raw("a2"), at: 2e9 })).toBe(true);
      expect(await redisCommand(replica, "ZCARD", "retry")).toBe(1);
    } finally {
      await s.close();
    }
  });

  it("REPLICATION_TIMEOUT when the replica cannot confirm (paused, then stopped); fine again once it is back", async () => {
    const s = store({ replicas: 1, timeoutMs: 300 });
    await s.connect();
    try {
      const replica = await replicaPort();
      const pid = fx.sentinel.server(replica).pid!;
      process.kill(pid, "SIGSTOP");
      try {
        await expect(s.push([{ queue: "q", raw: raw("p") }])).rejects.toMatchObject({
          code: "REPLICATION_TIMEOUT",
          message: expect.stringContaining("only 0 of 1 replica(s) confirmed the write within 300 ms"),
        });
      } finally {
        process.kill(pid, "SIGCONT");
      }
      await s.push([{ queue: "q", raw: raw("p2") }]);
      expect(await redisCommand(replica, "LLEN", "queue:q")).toBe(2); // the refused write was still made on the master
      await fx.sentinel.killNode(replica);
      await expect(s.push([{ queue: "q", raw: raw("p3") }])).rejects.toMatchObject({
        code: "REPLICATION_TIMEOUT",
      });
      await fx.sentinel.restartNode(replica);
      await s.push([{ queue: "q", raw: raw("p4") }]);
      expect(await redisCommand(replica, "LLEN", "queue:q")).toBe(4);
    } finally {
      await s.close();
    }
  });
});

describe("a Sentinel failover in the middle of a run", () => {
  it("workers and producers carry on by themselves; with waitReplicas: 1 no resolved enqueue is lost", async () => {
    const keys = store().keys;
    let killed = 0;
    let restarted: Promise<void> | undefined;
    const result = await runThroughFailover({
      store: () => store(1),
      queues: ["a", "b", "c"],
      async inFlight(nodeIds) {
        let total = 0;
        for (const q of ["a", "b", "c"])
          for (const id of nodeIds) total += await fx.redis.llen(keys.inprogress(q, id));
        return total;
      },
      async failover(unreplicated) {
        // Hold the replica back for 400 ms (frozen, dropped by the master): the master acknowledges
        // writes the replica never gets, as with a replication lag at a crash.
        const master = (await fx.sentinel.masterAddress()).port;
        const pid = fx.sentinel.server(await replicaPort()).pid!;
        process.kill(pid, "SIGSTOP");
        await redisCommand(master, "CLIENT", "KILL", "TYPE", "replica");
        unreplicated.start();
        await sleep(400);
        const failing = fx.sentinel.failover("kill"); // SIGKILL the master: the sentinels promote the replica
        await until(async () => fx.sentinel.killedPorts().includes(master), 5_000, "the kill");
        unreplicated.end();
        process.kill(pid, "SIGCONT");
        const done = await failing;
        killed = done.from.port;
        // back as a replica (meanwhile WAIT cannot confirm: REPLICATION_TIMEOUT, the producer goes on)
        restarted = fx.sentinel.restartNode(killed);
      },
    });
    await restarted;
    console.log("sentinel failover (waitReplicas: 1):", JSON.stringify(result));
    expect(killed).toBeGreaterThan(0);
    expect(result.lost).toBe(0);
    expect(result.resolved).toBeGreaterThan(100);
    expect(result.resolvedAfter).toBeGreaterThan(0);
    expect(result.duplicates).toBeLessThanOrEqual(
      result.inFlightAtKill + result.ranUnreplicated + result.concurrency,
    );
  }, 60_000);
});
