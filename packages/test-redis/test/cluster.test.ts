import { Redis } from "ioredis";
import { describe, expect, it } from "vitest";
import { CLUSTER_SLOTS, type ClusterNodeInfo, redisCommand } from "../src/index.js";
import { useCluster } from "../src/vitest.js";

const cluster = useCluster();

function slotCount(node: ClusterNodeInfo): number {
  return node.slots.reduce((sum, [from, to]) => sum + to - from + 1, 0);
}

describe("startCluster", () => {
  it("forms 3 masters that own all 16,384 slots, each followed by one replica in sync", async () => {
    const nodes = await cluster.cluster.topology();
    expect(nodes).toHaveLength(6);
    const masters = nodes.filter((node) => node.role === "master");
    expect(masters).toHaveLength(3);
    expect(masters.reduce((sum, node) => sum + slotCount(node), 0)).toBe(CLUSTER_SLOTS);
    for (const master of masters) {
      const replicas = nodes.filter((node) => node.masterId === master.id);
      expect(replicas.map((replica) => replica.masterPort)).toEqual([master.port]);
    }
    for (const node of nodes) {
      const info = String(await redisCommand(node.port, "CLUSTER", "INFO"));
      expect(info).toContain("cluster_state:ok");
      expect(info).toContain(`cluster_slots_ok:${CLUSTER_SLOTS}`);
    }
    expect(cluster.cluster.startupNodes.map((node) => node.port).sort()).toEqual(
      nodes.map((node) => node.port).sort(),
    );
  });

  it("puts keys of different hash tags on different masters", async () => {
    // Find one hash tag per master, write a key under each through the ioredis Cluster client.
    const tagOf = new Map<number, string>();
    for (let n = 0; tagOf.size < 3 && n < 100; n++) {
      const master = await cluster.cluster.masterOf(`{queue-${n}}`);
      if (!tagOf.has(master.port)) tagOf.set(master.port, `{queue-${n}}`);
    }
    expect(tagOf.size).toBe(3);
    for (const tag of tagOf.values()) {
      await cluster.redis.rpush(`${tag}:waiting`, "a", "b");
      await cluster.redis.set(`${tag}:paused`, "1");
    }
    for (const [port, tag] of tagOf) {
      expect(await redisCommand(port, "DBSIZE")).toBe(2);
      expect(await redisCommand(port, "LRANGE", `${tag}:waiting`, 0, -1)).toEqual(["a", "b"]);
    }
  });

  it("keeps a WAIT-confirmed write when its master is killed and its replica takes over", async () => {
    const key = "{survivor}:job";
    const before = await cluster.cluster.masterOf(key);
    const replica = (await cluster.cluster.topology()).find((node) => node.masterId === before.id);
    const direct = new Redis(before.port);
    try {
      await direct.set(key, "payload");
      expect(await direct.call("WAIT", 1, 5_000)).toBe(1);
    } finally {
      direct.disconnect();
    }
    const failover = await cluster.cluster.failover(before.port);
    expect(failover.killed.port).toBe(before.port);
    expect(failover.promoted.port).toBe(replica?.port);
    expect(cluster.cluster.killedPorts()).toEqual([before.port]);
    expect(await redisCommand(failover.promoted.port, "GET", key)).toBe("payload");
    expect((await cluster.cluster.masterOf(key)).port).toBe(failover.promoted.port);
    // The ioredis client follows the slot to its new master.
    expect(await cluster.redis.get(key)).toBe("payload");
    await cluster.redis.set(key, "after");
    expect(await redisCommand(failover.promoted.port, "GET", key)).toBe("after");

    // Restarted, the old master comes back as a replica of the promoted node.
    await cluster.cluster.restartNode(before.port);
    const back = (await cluster.cluster.topology()).find((node) => node.port === before.port);
    expect(back?.role).toBe("replica");
    expect(back?.masterPort).toBe(failover.promoted.port);
    expect(cluster.cluster.killedPorts()).toEqual([]);
  });

  it("restarts the nodes an earlier test killed before the next test", async () => {
    const [victim] = (await cluster.cluster.topology()).filter((node) => node.role === "replica");
    await cluster.cluster.killNode(victim!.port);
    expect(await redisCommand(victim!.port, "PING").catch(() => "down")).toBe("down");
    // The fixture's beforeEach brings it back for the next test (checked there).
    expect(cluster.cluster.killedPorts()).toEqual([victim!.port]);
  });

  it("(after the previous test) is whole again: every node up and healthy", async () => {
    expect(cluster.cluster.killedPorts()).toEqual([]);
    const nodes = await cluster.cluster.waitUntilHealthy();
    expect(nodes.filter((node) => !node.failing)).toHaveLength(6);
  });
});
