import { type ControlMessage, isVerkError } from "@verk/core";
import { freePort } from "@verk/test-redis";
import { Redis } from "ioredis";
import { afterEach, beforeEach, describe, expect, it } from "vitest";
import { type RedisStore, redisStore } from "../src/index.js";
import { job, useRedis } from "./helpers.js";

const fx = useRedis();
let store: RedisStore;

beforeEach(async () => {
  store = redisStore({ url: fx.server().url });
  await store.connect();
});
afterEach(async () => {
  await store.close();
});

const texts = (jobs: Buffer[]) => jobs.map((j) => j.toString());
const wait = (ms: number) => new Promise((resolve) => setTimeout(resolve, ms));

describe("connect", () => {
  it("is idempotent and checks the version", async () => {
    await Promise.all([store.connect(), store.connect()]);
    expect(store.client.status).toBe("ready");
  });

  it("rejects with CONNECTION_FAILED naming the masked URL when Redis is unreachable", async () => {
    const port = await freePort();
    const url = `redis://:hunter2@127.0.0.1:${port}`;
    const bad = redisStore({ url, connectTimeoutMs: 300 });
    const started = Date.now();
    const error = await bad.connect().catch((e: unknown) => e);
    expect(Date.now() - started).toBeLessThan(2_000);
    expect(isVerkError(error) && error.code).toBe("CONNECTION_FAILED");
    expect((error as Error).message).toContain(`redis://:***@127.0.0.1:${port}`);
    expect((error as Error).message).not.toContain("hunter2");
    await bad.close();
  });

  it("uses a given client without closing it", async () => {
    const client = new Redis(fx.server().url, { enableAutoPipelining: true });
    const own = redisStore({ client });
    await own.connect();
    await own.push([{ queue: "q", raw: job("a") }]);
    const channel = own.openQueue("q", "n1");
    expect(texts((await channel.fetch(1, 0)).jobs)).toEqual([job("a")]);
    await own.close();
    expect(client.status).toBe("ready");
    await client.quit();
  });
});

describe("push and schedule", () => {
  it("pushes FIFO, registers queues and chunks large batches", async () => {
    const jobs = Array.from({ length: 2_500 }, (_, i) => ({ queue: i % 2 ? "b" : "a", raw: job(String(i)) }));
    await store.push(jobs);
    expect(
      await fx
        .redis()
        .smembers("queues")
        .then((s) => s.sort()),
    ).toEqual(["a", "b"]);
    expect(await fx.redis().llen("queue:a")).toBe(1_250);
    expect(await fx.redis().lindex("queue:a", -1)).toBe(job("0"));
    expect(await store.counts()).toEqual({ queues: { a: 1_250, b: 1_250 }, schedule: 0, retry: 0, dead: 0 });
  });

  it("handles many concurrent one-job pushes", async () => {
    await Promise.all(
      Array.from({ length: 500 }, (_, i) => store.push([{ queue: "q", raw: job(String(i)) }])),
    );
    expect(await fx.redis().llen("queue:q")).toBe(500);
  });

  it("schedules with full float precision", async () => {
    await store.schedule([{ queue: "q", raw: job("a"), at: 1764265302.123456 }]);
    expect(await fx.redis().zrange("schedule", 0, -1, "WITHSCORES")).toEqual([job("a"), "1764265302.123456"]);
  });
});

describe("queue channels", () => {
  it("a blocking fetch returns a job pushed 50 ms later quickly", async () => {
    const channel = store.openQueue("q", "n1");
    const started = Date.now();
    setTimeout(() => void store.push([{ queue: "q", raw: job("late") }]), 50);
    const result = await channel.fetch(5, 5_000);
    expect({ ...result, jobs: texts(result.jobs) }).toEqual({ paused: false, jobs: [job("late")] });
    expect(Date.now() - started).toBeLessThan(500);
    expect(await fx.redis().lrange("inprogress:q:n1", 0, -1)).toEqual([job("late")]);
  });

  it("tops up a blocking fetch with the jobs that arrived with it", async () => {
    const channel = store.openQueue("q", "n1");
    setTimeout(
      () =>
        void store.push([
          { queue: "q", raw: job("a") },
          { queue: "q", raw: job("b") },
        ]),
      50,
    );
    expect(texts((await channel.fetch(5, 2_000)).jobs)).toEqual([job("a"), job("b")]);
  });

  it("interrupt() ends a block early", async () => {
    const channel = store.openQueue("q", "n1");
    await channel.fetch(1, 10); // connect the channel
    const started = Date.now();
    const pending = channel.fetch(1, 10_000);
    await wait(50);
    channel.interrupt();
    expect(await pending).toEqual({ paused: false, jobs: [] });
    expect(Date.now() - started).toBeLessThan(1_000);
  });

  it("interrupt() right after fetch() starts still ends the block", async () => {
    const channel = store.openQueue("q", "n1");
    const started = Date.now();
    const pending = channel.fetch(1, 10_000);
    channel.interrupt();
    expect(await pending).toEqual({ paused: false, jobs: [] });
    expect(Date.now() - started).toBeLessThan(1_000);
  });

  it("two queues' channels don't block each other", async () => {
    const a = store.openQueue("a", "n1");
    const b = store.openQueue("b", "n1");
    const blocked = a.fetch(1, 5_000);
    await wait(30);
    await store.push([{ queue: "b", raw: job("b1") }]);
    const started = Date.now();
    expect(texts((await b.fetch(1, 5_000)).jobs)).toEqual([job("b1")]);
    expect(await store.counts()).toMatchObject({ queues: { b: 0 } });
    expect(Date.now() - started).toBeLessThan(300);
    a.interrupt();
    expect((await blocked).jobs).toEqual([]);
  });

  it("reports pause and puts nothing in progress", async () => {
    await store.push([{ queue: "q", raw: job("a") }]);
    await store.setPaused("q", true);
    const channel = store.openQueue("q", "n1");
    expect(await channel.fetch(5, 100)).toEqual({ paused: true, jobs: [] });
    expect(await store.pausedQueues()).toEqual(["q"]);
    await store.setPaused("q", false);
    expect(texts((await channel.fetch(5, 100)).jobs)).toEqual([job("a")]);
  });

  it("close() ends a pending fetch and is idempotent", async () => {
    const channel = store.openQueue("q", "n1");
    await channel.fetch(1, 10);
    const pending = channel.fetch(1, 10_000);
    await wait(30);
    await Promise.all([channel.close(), channel.close()]);
    expect((await pending).jobs).toEqual([]);
  });
});

describe("ack, fail, requeue, recover", () => {
  it("coalesces acks of one tick and returns per-job booleans", async () => {
    await store.push([job("a"), job("b"), job("c")].map((raw) => ({ queue: "q", raw })));
    const channel = store.openQueue("q", "n1");
    await channel.fetch(3, 0);
    const monitor = fx.redis().duplicate();
    const seen: string[] = [];
    await monitor.monitor().then((m) => m.on("monitor", (_t: string, args: string[]) => seen.push(args[0]!)));
    const results = await Promise.all([
      store.ack("q", "n1", Buffer.from(job("a"))),
      store.ack("q", "n1", Buffer.from(job("x"))),
      store.ack("q", "n1", Buffer.from(job("c"))),
      store.ack("q", "n1", Buffer.from(job("a"))),
    ]);
    expect(results).toEqual([true, false, true, false]);
    expect(await fx.redis().lrange("inprogress:q:n1", 0, -1)).toEqual([job("b")]);
    await wait(20);
    monitor.disconnect();
    expect(seen.filter((c) => /^eval/i.test(c)).length).toBe(1);
  });

  it("fail applies the outcome, and changes nothing for a late failure", async () => {
    await store.push([{ queue: "q", raw: job("a") }]);
    await store.openQueue("q", "n1").fetch(1, 0);
    const limits = { maxJobs: 10, maxAgeSeconds: 100 };
    expect(
      await store.fail("q", "n1", Buffer.from(job("zz")), { kind: "dead", raw: "x", at: 5.5, limits }),
    ).toBe(false);
    expect(
      await store.fail("q", "n1", Buffer.from(job("a")), { kind: "dead", raw: "x", at: 5.5, limits }),
    ).toBe(true);
    expect(await fx.redis().zrange("dead", 0, -1, "WITHSCORES")).toEqual(["x", "5.5"]);
    expect(await fx.redis().exists("inprogress:q:n1")).toBe(0);
  });

  it("requeue and recoverNode put jobs back at the front in order", async () => {
    await store.push(["a", "b", "c", "d"].map((id) => ({ queue: "q", raw: job(id) })));
    await store.registerNode("n1", ["q"]);
    const channel = store.openQueue("q", "n1");
    await channel.fetch(3, 0);
    expect(await store.requeue("q", "n1", [Buffer.from(job("b"))])).toBe(1);
    await store.deregisterNode("n1"); // kept: a and c are still in progress
    expect(await fx.redis().sismember("verk_nodes", "n1")).toBe(1);
    expect(await store.recoverNode("n1")).toBe(2);
    // b went back first; recovery then put c and a in front of it, oldest (a) rightmost.
    expect(await fx.redis().lrange("queue:q", 0, -1)).toEqual([job("d"), job("b"), job("c"), job("a")]);
    await store.deregisterNode("n1");
    expect(await fx.redis().exists("verk_nodes", "verk:node:n1:queues")).toBe(0);
  });

  it("promoteDue moves due jobs with a fractional enqueued_at", async () => {
    await store.schedule([
      { queue: "q", raw: job("a"), at: 100 },
      { queue: "q", raw: job("b"), at: 300 },
    ]);
    expect(await store.promoteDue("schedule", 200, 10)).toBe(1);
    expect(await fx.redis().lrange("queue:q", 0, -1)).toEqual([job("a", ',"enqueued_at":200.0')]);
  });
});

describe("control and namespaces", () => {
  it("delivers pause/resume to subscribers until they unsubscribe", async () => {
    const other = redisStore({ url: fx.server().url });
    const got: ControlMessage[] = [];
    const unsubscribe = await other.subscribeControl((m) => got.push(m));
    await fx.redis().publish("verk:control", "garbage");
    await store.setPaused("q", true);
    await store.setPaused("q", false);
    await wait(50);
    expect(got).toEqual([
      { type: "pause", queue: "q" },
      { type: "resume", queue: "q" },
    ]);
    await unsubscribe();
    await store.setPaused("q", true);
    await wait(50);
    expect(got).toHaveLength(2);
    await other.close();
  });

  it("prefixes every key and the channel with the namespace", async () => {
    const ns = redisStore({ url: fx.server().url, namespace: "app" });
    const got: ControlMessage[] = [];
    await ns.subscribeControl((m) => got.push(m));
    await ns.push([{ queue: "q", raw: job("a") }]);
    await ns.schedule([{ queue: "q", raw: job("s"), at: 1 }]);
    await ns.registerNode("n1", ["q"]);
    await ns.openQueue("q", "n1").fetch(1, 0);
    await ns.setPaused("q", true);
    await wait(30);
    const all = (await fx.redis().keys("*")).sort();
    // The push's batch token (app:verk:push:<token>) lives until a later push, close() or its TTL.
    expect(all.filter((key) => key.startsWith("app:verk:push:"))).toHaveLength(1);
    expect(all.filter((key) => !key.startsWith("app:verk:push:"))).toEqual([
      "app:inprogress:q:n1",
      "app:queues",
      "app:schedule",
      "app:verk:node:n1:queues",
      "app:verk:paused",
      "app:verk_nodes",
    ]);
    expect(got).toEqual([{ type: "pause", queue: "q" }]);
    expect(await ns.promoteDue("schedule", 10, 10)).toBe(1);
    expect(await fx.redis().llen("app:queue:q")).toBe(1);
    await ns.close();
  });
});
