import { DEFAULT_DEAD_LIMITS } from "@verk/core";
import { useCluster } from "@verk/test-redis/vitest";
import { beforeAll, describe, expect, it } from "vitest";
import { createKeys } from "../src/keys.js";
import { promoteSet, ReadSizer } from "../src/moves/promote.js";
import { recoverPeer } from "../src/nodes/recover-peer.js";
import { defineScripts, runScript } from "../src/scripts.js";
import { job } from "./helpers.js";

// Every Lua script on a real Redis Cluster with the cluster layout's keys, as the store passes
// them. A cluster refuses a script whose keys span slots (CROSSSLOT), so each passing call proves
// the script gets all its keys, in one slot.
const fx = useCluster({ replicasPerMaster: 0 });
const k = createKeys(undefined, "cluster");
const r = () => fx.redis;
beforeAll(() => {
  defineScripts(fx.redis);
});

const Q = [k.queue("q"), k.inprogress("q", "n1"), k.pauseFlag("q").key];
const IP = k.inprogress("q", "n1");

it("the cluster refuses a script whose keys span slots (so the other tests prove one slot each)", async () => {
  await expect(
    runScript(r(), "fetch", [k.queue("q"), k.inprogress("other", "n1"), k.pauseFlag("q").key], ["", 1]),
  ).rejects.toThrow(/CROSSSLOT/);
});

describe("fetch, claim-blocked, ack, fail, requeue, recover (one queue's slot)", () => {
  it("fetch moves FIFO up to max and stops while the queue's pause flag exists", async () => {
    await r().lpush(k.queue("q"), job("a"), job("b"), job("c"));
    expect(await runScript(r(), "fetch", Q, ["", 2])).toEqual([0, job("a"), job("b")]);
    expect(await r().lrange(IP, 0, -1)).toEqual([job("b"), job("a")]);
    await r().set(k.pauseFlag("q").key, "1");
    expect(await runScript(r(), "fetch", Q, ["", 5])).toEqual([1]);
    expect(await r().llen(k.queue("q"))).toBe(1);
  });

  it("claim-blocked tops the batch up, or gives the job back at the front when paused", async () => {
    await r().lpush(k.queue("q"), job("a"), job("b"), job("c"));
    expect(await r().lmove(k.queue("q"), IP, "RIGHT", "LEFT")).toBe(job("a"));
    expect(await runScript(r(), "claim-blocked", Q, ["", job("a"), 1])).toEqual([0, job("a"), job("b")]);
    expect(await r().lmove(k.queue("q"), IP, "RIGHT", "LEFT")).toBe(job("c"));
    await r().set(k.pauseFlag("q").key, "1");
    expect(await runScript(r(), "claim-blocked", Q, ["", job("c"), 5])).toEqual([1]);
    expect(await r().lrange(k.queue("q"), 0, -1)).toEqual([job("c")]);
  });

  it("ack, fail (retry and dead with trimming), requeue and recover", async () => {
    await r().lpush(IP, job("a"), job("b"), job("c"), job("d"), job("e"));
    expect(await runScript(r(), "ack", [IP], [job("a"), job("x")])).toEqual([1, 0]);
    const F = [IP, k.setOf("retry", "q"), k.setOf("dead", "q")];
    expect(await runScript(r(), "fail", F, [job("b"), "retry", job("b2"), "10.5", "0", "0"])).toBe(1);
    await r().zadd(k.setOf("dead", "q"), 1, "old");
    expect(await runScript(r(), "fail", F, [job("c"), "dead", job("c2"), "20.5", "1", "5"])).toBe(1);
    expect(await r().zrange(k.setOf("retry", "q"), 0, -1)).toEqual([job("b2")]);
    expect(await r().zrange(k.setOf("dead", "q"), 0, -1)).toEqual([job("c2")]);
    expect(await runScript(r(), "requeue", [IP, k.queue("q")], [job("d")])).toBe(1);
    expect(await runScript(r(), "recover", [IP, k.queue("q")], [10])).toEqual([1, 0]);
    expect(await r().lrange(k.queue("q"), 0, -1)).toEqual([job("d"), job("e")]); // e recovered last: runs next
  });
});

describe("push, once-push, lease (mode none: the registry lives in {verk})", () => {
  it("push writes a batch once per token and deletes acknowledged tokens", async () => {
    const P = [k.pushToken("q", "t1"), k.queue("q"), k.queue("q")];
    expect(await runScript(r(), "push", P, [60_000, "none", "q", job("a"), job("b")])).toBe(2);
    expect(await runScript(r(), "push", P, [60_000, "none", "q", job("a"), job("b")])).toBe(-1);
    const P2 = [k.pushToken("q", "t2"), k.queue("q"), k.queue("q"), k.pushToken("q", "t1")];
    expect(await runScript(r(), "push", P2, [60_000, "none", "q", job("c")])).toBe(1);
    expect(await r().exists(k.pushToken("q", "t1"))).toBe(0);
    expect(await r().lrange(k.queue("q"), 0, -1)).toEqual([job("c"), job("b"), job("a")]);
  });

  it("once-push pushes only for the first claim of the queue's marker; lease keeps one holder", async () => {
    const O = [k.onceMarker("q", "tick:1"), k.queue("q"), k.queue("q")];
    expect(await runScript(r(), "once-push", O, [5_000, "none", 3, job("a"), "q"])).toBe(1);
    expect(await runScript(r(), "once-push", O, [5_000, "none", 3, job("a"), "q"])).toBe(0);
    expect(await r().lrange(k.queue("q"), 0, -1)).toEqual([job("a")]);
    expect(await runScript(r(), "lease", [k.lease("s")], ["acquire", "a", 5_000])).toBe(1);
    expect(await runScript(r(), "lease", [k.lease("s")], ["acquire", "b", 5_000])).toBe(0);
    expect(await runScript(r(), "lease", [k.lease("s")], ["release", "a", 1])).toBe(1);
  });
});

describe("node-beat, recover-peer, forget-node", () => {
  const B = [k.heartbeat("n1"), k.nodes, k.nodeQueues("n1"), k.epoch];

  it("node-beat reports the previous beat, the registration and the data epoch", async () => {
    expect(await runScript(r(), "node-beat", B, ["n1", "t:0", 5_000, "e1", "q"])).toEqual(["", 0, "e1"]);
    expect(await runScript(r(), "node-beat", B, ["n1", "t:1", 5_000, "e2", "q"])).toEqual(["t:0", 1, "e1"]);
    expect(await r().smembers(k.nodeQueues("n1"))).toEqual(["q"]);
  });

  it("register-node adds a starting node and its queues in the {verk} slot", async () => {
    const N = [k.nodes, k.nodeQueues("n9")];
    expect(await runScript(r(), "register-node", N, ["n9", "q", "other"])).toBe(1);
    expect(await runScript(r(), "register-node", N, ["n9"])).toBe(0);
    expect(await r().sismember(k.nodes, "n9")).toBe(1);
    expect((await r().smembers(k.nodeQueues("n9"))).sort()).toEqual(["other", "q"]);
  });

  it("recover-peer checks the queue's alive marker and moves jobs back or to the queue's dead set", async () => {
    const ghost = k.inprogress("q", "ghost");
    const R = [k.aliveMarker("q", "ghost"), ghost, k.queue("q"), k.setOf("dead", "q")];
    await r().lpush(ghost, job("a"), job("p"));
    await r().set(k.aliveMarker("q", "ghost"), "1", "PX", 10_000);
    const args = ["1700000000.5", 100, "1600000000.0", "back", job("p"), job("p2"), "dead", job("a"), "pill"];
    expect(await runScript(r(), "recover-peer", R, args)).toEqual([-1]);
    await r().del(k.aliveMarker("q", "ghost"));
    expect(await runScript(r(), "recover-peer", R, args)).toEqual([1, 1, 0]);
    expect(await r().lrange(k.queue("q"), 0, -1)).toEqual([job("p2")]);
    expect(await r().zrange(k.setOf("dead", "q"), 0, -1)).toEqual(["pill"]);
  });

  it("recoverPeer walks the peer's queues on several shards; forget-node then drops it", async () => {
    const queues = ["q", "r", "s", "t"];
    await r().sadd(k.nodeQueues("ghost"), ...queues);
    await r().sadd(k.nodes, "ghost");
    for (const q of queues) await r().lpush(k.inprogress(q, "ghost"), job(`${q}1`), job(`${q}2`));
    const F = [k.heartbeat("ghost"), k.nodes, k.nodeQueues("ghost")];
    const options = { batchSize: 1, maxRecoveries: 3, deadLimits: DEFAULT_DEAD_LIMITS };
    expect(await recoverPeer(r(), k, "ghost", options)).toEqual({ recovered: 8, poisoned: 0, dead: true });
    for (const q of queues) expect(await r().llen(k.queue(q))).toBe(2);
    expect(await runScript(r(), "forget-node", F, ["ghost"])).toBe(1);
    expect(await r().sismember(k.nodes, "ghost")).toBe(0);
    expect(await runScript(r(), "forget-node", F, ["ghost"])).toBe(0);
  });
});

describe("move-entries and promotion (per queue, outbox for other queues)", () => {
  it("move-entries pushes in the queue's slot, writes outbox records, dead-letters and deletes", async () => {
    await r().zadd(k.setOf("schedule", "q"), 1, "m1", 2, "m2", 3, "m3", 4, "m4");
    const M = [k.setOf("schedule", "q"), k.setOf("dead", "q"), k.outbox("q"), k.queue("q")];
    const codes = await runScript(r(), "move-entries", M, [
      ...["outbox", "1700000000.5", 100, "1600000000.0"],
      ...["push", "m1", "p1", 4, ""],
      ...["outbox", "m2", "1:rp2", 0, ""],
      ...["dead", "m3", "d3", 0, ""],
      ...["delete", "m4", "", 0, ""],
      ...["push", "gone", "x", 4, ""],
    ]);
    expect(codes).toEqual([1, 1, 1, 1, 0]);
    expect(await r().lrange(k.queue("q"), 0, -1)).toEqual(["p1"]);
    expect(await r().lrange(k.outbox("q"), 0, -1)).toEqual(["1:rp2"]);
    expect(await r().zrange(k.setOf("dead", "q"), 0, -1)).toEqual(["d3"]);
    expect(await r().exists(k.setOf("schedule", "q"))).toBe(0);
  });

  it("promoteSet moves a queue's due jobs and delivers jobs of queues on other shards through the outbox", async () => {
    const own = '{"class":"W","args":[],"jid":"o","queue":"q"}';
    const elsewhere = ["r", "s", "t"].map((q) => `{"class":"W","args":[],"jid":"${q}","queue":"${q}"}`);
    await r().zadd(
      k.setOf("retry", "q"),
      1,
      own,
      ...elsewhere.flatMap((m, i) => [2 + i, m]),
      9e9,
      job("later"),
    );
    const ctx = { redis: r(), keys: k, sizer: new ReadSizer(), deadLimits: DEFAULT_DEAD_LIMITS };
    expect(await promoteSet(ctx, "retry", "q", 1_700_000_000.5, 100)).toBe(4);
    expect((await r().lrange(k.queue("q"), 0, -1)).map((raw) => JSON.parse(raw).jid)).toEqual(["o"]);
    for (const q of ["r", "s", "t"]) {
      const [raw] = await r().lrange(k.queue(q), 0, -1);
      expect(JSON.parse(raw!)).toMatchObject({ jid: q, enqueued_at: 1_700_000_000.5 });
    }
    expect(await r().llen(k.outbox("q"))).toBe(0);
    expect((await r().smembers(k.queues)).sort()).toEqual(["r", "s", "t"]);
    expect(await r().zcard(k.setOf("retry", "q"))).toBe(1);
  });

  it("promotion dead-letters a job whose own queue key is not a list, or whose other queue's key is not", async () => {
    await r().set(k.queue("q"), "not a list");
    await r().set(k.queue("r"), "not a list either");
    await r().zadd(
      k.setOf("schedule", "q"),
      1,
      '{"class":"W","args":[],"jid":"own","queue":"q"}',
      2,
      '{"class":"W","args":[],"jid":"far","queue":"r"}',
      3,
      "not json",
    );
    const ctx = { redis: r(), keys: k, sizer: new ReadSizer(), deadLimits: DEFAULT_DEAD_LIMITS };
    expect(await promoteSet(ctx, "schedule", "q", 1_700_000_000.5, 100)).toBe(3);
    const dead = (await r().zrange(k.setOf("dead", "q"), 0, -1)).map((raw) => JSON.parse(raw));
    expect(dead.map((d) => d.raw_payload ?? d.jid).sort()).toEqual(["far", "not json", "own"]);
    expect(dead.filter((d) => d.error_class === "Verk::PromotionFailed")).toHaveLength(2);
    expect(await r().llen(k.outbox("q"))).toBe(0);
    expect(await r().get(k.queue("r"))).toBe("not a list either");
  });
});
