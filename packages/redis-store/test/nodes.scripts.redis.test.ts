import { describe, expect, it } from "vitest";
import { createKeys } from "../src/keys.js";
import { recoverPeer, recoveryOf } from "../src/nodes/recover-peer.js";
import { runScript } from "../src/scripts.js";
import { job, useRedis } from "./helpers.js";

const { redis } = useRedis();
const HB = "verk:node:dead1";
const IP = "inprogress:q:dead1";
const K = [HB, IP, "queue:q", "dead"];
const head = ["1700000000.5", 10_000, "1600000000.0"];
const options = { batchSize: 2, maxRecoveries: 3, deadLimits: { maxJobs: 10_000, maxAgeSeconds: 1e9 } };

describe("recover-peer.lua", () => {
  it("does nothing while the peer's heartbeat key exists", async () => {
    await redis().set(HB, "1", "PX", 10_000);
    await redis().lpush(IP, job("a"));
    expect(await runScript(redis(), "recover-peer", K, [...head, "back", job("a"), job("a")])).toEqual([-1]);
    expect(await redis().lrange(IP, 0, -1)).toEqual([job("a")]);
    expect(await redis().exists("queue:q")).toBe(0);
  });

  it("moves named members (newest first) to the FRONT of the queue, skipping ones already gone", async () => {
    await redis().lpush("queue:q", job("waiting"));
    await redis().lpush(IP, job("a"), job("b")); // b fetched after a: b is on the left
    const reply = await runScript(redis(), "recover-peer", K, [
      ...head,
      ...["back", job("b"), job("b", ',"recoveries":1')],
      ...["back", job("gone"), job("gone")],
      ...["back", job("a"), job("a", ',"recoveries":1')],
    ]);
    expect(reply).toEqual([2, 0, 0]);
    expect(await redis().lrange("queue:q", 0, -1)).toEqual([
      job("waiting"),
      job("b", ',"recoveries":1'),
      job("a", ',"recoveries":1'),
    ]);
  });

  it("sends poison pills to the dead set and trims it", async () => {
    await redis().zadd("dead", 1, "ancient");
    await redis().lpush(IP, job("p"));
    const reply = await runScript(redis(), "recover-peer", K, [...head, "dead", job("p"), "pill-entry"]);
    expect(reply).toEqual([0, 1, 0]);
    expect(await redis().zrange("dead", 0, -1, "WITHSCORES")).toEqual(["pill-entry", "1700000000.5"]);
  });
});

describe("recoverPeer (the client side of recover-peer.lua)", () => {
  it("counts recoveries by editing the payload text only (no re-encoding)", () => {
    const raw = Buffer.from('{"class":"W","args":[{}, [], 1.50],"jid":"x","recoveries":2,"queue":"q"}');
    expect(String(recoveryOf(raw, "n", 3, 1700000000.5).replacement)).toBe(
      '{"class":"W","args":[{}, [], 1.50],"jid":"x","queue":"q","recoveries":3}',
    );
    const pill = recoveryOf(
      Buffer.from(job("p", ',"error_message":"old","recoveries":3')),
      "dead1",
      3,
      1700000000.5,
    );
    expect(pill.op).toBe("dead");
    expect(JSON.parse(String(pill.replacement))).toMatchObject({
      recoveries: 4,
      error_class: "Verk::PoisonPill",
      error_message: expect.stringContaining("more than maxRecoveries = 3; last from node dead1"),
      failed_at: 1700000000.5,
    });
    expect(recoveryOf(Buffer.from("not json"), "n", 3, 1).replacement.toString()).toBe("not json");
  });

  it("moves each job exactly once, oldest running first, when several nodes recover the same peer together", async () => {
    const keys = createKeys();
    await redis().sadd("verk:node:ghost:queues", "q");
    const jobs = Array.from({ length: 3_000 }, (_, i) => job(`j${i}`));
    await redis().lpush("inprogress:q:ghost", ...jobs);
    const clients = Array.from({ length: 4 }, () => redis().duplicate());
    const { defineScripts } = await import("../src/scripts.js");
    for (const c of clients) defineScripts(c);
    const results = await Promise.all(
      clients.map((c) => recoverPeer(c, keys, "ghost", { ...options, batchSize: 50 })),
    );
    await Promise.all(clients.map((c) => c.quit()));
    expect(results.reduce((n, r) => n + r.recovered, 0)).toBe(3_000);
    const queue = await redis().lrange("queue:q", 0, -1);
    expect(queue).toHaveLength(3_000);
    expect(new Set(queue).size).toBe(3_000);
    expect(queue.at(-1)).toBe(job("j0", ',"recoveries":1'));
  });
});

describe("forget-node.lua", () => {
  const F = [HB, "verk_nodes", "verk:node:dead1:queues", "inprogress:q:dead1", "inprogress:r:dead1"];

  it("removes a dead, empty node from the registry once", async () => {
    await redis().sadd("verk_nodes", "dead1", "other");
    await redis().sadd("verk:node:dead1:queues", "q", "r");
    expect(await runScript(redis(), "forget-node", F, ["dead1"])).toBe(1);
    expect(await redis().smembers("verk_nodes")).toEqual(["other"]);
    expect(await redis().exists("verk:node:dead1:queues")).toBe(0);
    expect(await runScript(redis(), "forget-node", F, ["dead1"])).toBe(0);
  });

  it("keeps a node that is alive again or still owns jobs", async () => {
    await redis().sadd("verk_nodes", "dead1");
    await redis().sadd("verk:node:dead1:queues", "q", "r");
    await redis().lpush("inprogress:r:dead1", job("a"));
    expect(await runScript(redis(), "forget-node", F, ["dead1"])).toBe(0);
    await redis().del("inprogress:r:dead1");
    await redis().set(HB, "1");
    expect(await runScript(redis(), "forget-node", F, ["dead1"])).toBe(0);
    expect(await redis().smembers("verk_nodes")).toEqual(["dead1"]);
    expect(await redis().scard("verk:node:dead1:queues")).toBe(2);
  });
});

describe("node-beat.lua", () => {
  const B = ["verk:node:n1", "verk_nodes", "verk:node:n1:queues", "verk:epoch"];

  it("reports the previous value, whether the node was registered and the data epoch, and sets a PX TTL", async () => {
    expect(await runScript(redis(), "node-beat", B, ["n1", "tok:0", 5_000, "e1", "q", "r"])).toEqual([
      "",
      0,
      "e1",
    ]);
    expect(await runScript(redis(), "node-beat", B, ["n1", "tok:1", 5_000, "e2", "q"])).toEqual([
      "tok:0",
      1,
      "e1",
    ]);
    const ttl = await redis().pttl("verk:node:n1");
    expect(ttl).toBeGreaterThan(4_000);
    expect((await redis().smembers("verk:node:n1:queues")).sort()).toEqual(["q", "r"]);
    expect(await redis().pttl("verk:epoch")).toBe(-1); // never expires
    await redis().srem("verk_nodes", "n1"); // removed by a peer: same epoch
    expect(await runScript(redis(), "node-beat", B, ["n1", "tok:2", 5_000, "e3"])).toEqual([
      "tok:1",
      0,
      "e1",
    ]);
    await redis().flushall(); // the data was lost: a new epoch
    expect(await runScript(redis(), "node-beat", B, ["n1", "tok:3", 5_000, "e4"])).toEqual(["", 0, "e4"]);
  });
});

describe("push.lua", () => {
  it("pushes a batch once: a re-sent call with the same token changes nothing", async () => {
    const P = ["verk:push:t1", "queue:q", "queues"];
    const args = [60_000, "registry", "q", job("a"), job("b")];
    expect(await runScript(redis(), "push", P, args)).toBe(2);
    expect(await runScript(redis(), "push", P, args)).toBe(-1);
    expect(await redis().lrange("queue:q", 0, -1)).toEqual([job("b"), job("a")]);
    expect(await redis().smembers("queues")).toEqual(["q"]);
    // a later batch deletes acknowledged tokens
    expect(
      await runScript(
        redis(),
        "push",
        ["verk:push:t2", "queue:q", "queues", "verk:push:t1"],
        [60_000, "registry", "q", job("c")],
      ),
    ).toBe(1);
    expect(await redis().exists("verk:push:t1")).toBe(0);
    expect(await redis().pttl("verk:push:t2")).toBeGreaterThan(50_000);
  });
});
