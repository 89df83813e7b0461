import { describe, expect, it } from "vitest";
import { runScript } from "../src/scripts.js";
import { job, useRedis } from "./helpers.js";

const { redis } = useRedis();
const HB = "verk:node:dead1";
const IP = "inprogress:q:dead1";
const K = [HB, IP, "queue:q", "dead"];
const NOW = "1700000000.5";
const args = (batch: number, max = 3) => [batch, max, NOW, 10_000, "1600000000.0", "dead1"];

describe("recover-dead.lua", () => {
  it("does nothing while the peer's heartbeat key exists", async () => {
    await redis().set(HB, "1", "PX", 10_000);
    await redis().lpush(IP, job("a"));
    expect(await runScript(redis(), "recover-dead", K, args(10))).toEqual([-1, 0, 0]);
    expect(await redis().lrange(IP, 0, -1)).toEqual([job("a")]);
    expect(await redis().exists("queue:q")).toBe(0);
  });

  it("moves jobs to the FRONT of the queue in order, counting the recovery in the payload", async () => {
    await redis().lpush("queue:q", job("waiting"));
    // in-progress: newest on the left (b fetched after a)
    await redis().lpush(IP, job("a"), job("b"), job("c"));
    expect(await runScript(redis(), "recover-dead", K, args(2))).toEqual([2, 0, 1]);
    expect(await runScript(redis(), "recover-dead", K, args(2))).toEqual([1, 0, 0]);
    // taken from the right: a first, then b, c, then the job that was waiting
    expect(await redis().lrange("queue:q", 0, -1)).toEqual([
      job("waiting"),
      job("c", ',"recoveries":1'),
      job("b", ',"recoveries":1'),
      job("a", ',"recoveries":1'),
    ]);
    expect(await redis().exists(IP)).toBe(0);
  });

  it("increments an existing count by editing the string (no re-encoding)", async () => {
    const raw = '{"class":"W","args":[{}, [], 1.50],"jid":"x","recoveries":2,"queue":"q"}';
    await redis().lpush(IP, raw);
    expect(await runScript(redis(), "recover-dead", K, args(10))).toEqual([1, 0, 0]);
    expect(await redis().lrange("queue:q", 0, -1)).toEqual([
      '{"class":"W","args":[{}, [], 1.50],"jid":"x","queue":"q","recoveries":3}',
    ]);
  });

  it("sends a job recovered more than maxRecoveries times to the dead set with an error_message", async () => {
    const raw = job("p", ',"error_message":"old \\"quoted\\"","recoveries":3');
    await redis().lpush(IP, raw, job("ok"));
    expect(await runScript(redis(), "recover-dead", K, args(10))).toEqual([1, 1, 0]);
    expect(await redis().lrange("queue:q", 0, -1)).toEqual([job("ok", ',"recoveries":1')]);
    const dead = await redis().zrange("dead", 0, -1, "WITHSCORES");
    expect(dead).toHaveLength(2);
    expect(dead[1]).toBe("1700000000.5");
    expect(dead[0]).toBe(
      `${job("p", ',"recoveries":4,"error_class":"Verk::PoisonPill","error_message":"recovered from dead nodes 4 times (more than maxRecoveries = 3; last from node dead1): moved to the dead set as a poison pill","failed_at":1700000000.5')}`,
    );
    const parsed = JSON.parse(dead[0]!);
    expect(parsed.error_message).toContain("poison pill");
  });

  it("moves an unreadable payload unchanged", async () => {
    await redis().lpush(IP, "not json");
    expect(await runScript(redis(), "recover-dead", K, args(10))).toEqual([1, 0, 0]);
    expect(await redis().lrange("queue:q", 0, -1)).toEqual(["not json"]);
  });
});

describe("forget-node.lua", () => {
  const F = [HB, "verk_nodes", "verk:node:dead1:queues"];
  const A = ["dead1", "inprogress:"];

  it("removes a dead, empty node from the registry once", async () => {
    await redis().sadd("verk_nodes", "dead1", "other");
    await redis().sadd("verk:node:dead1:queues", "q", "r");
    expect(await runScript(redis(), "forget-node", F, A)).toBe(1);
    expect(await redis().smembers("verk_nodes")).toEqual(["other"]);
    expect(await redis().exists("verk:node:dead1:queues")).toBe(0);
    expect(await runScript(redis(), "forget-node", F, A)).toBe(0);
  });

  it("keeps a node that is alive again or still owns jobs", async () => {
    await redis().sadd("verk_nodes", "dead1");
    await redis().sadd("verk:node:dead1:queues", "q", "r");
    await redis().lpush("inprogress:r:dead1", job("a"));
    expect(await runScript(redis(), "forget-node", F, A)).toBe(0);
    await redis().del("inprogress:r:dead1");
    await redis().set(HB, "1");
    expect(await runScript(redis(), "forget-node", F, A)).toBe(0);
    expect(await redis().smembers("verk_nodes")).toEqual(["dead1"]);
    expect(await redis().scard("verk:node:dead1:queues")).toBe(2);
  });
});
