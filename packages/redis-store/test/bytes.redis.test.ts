import { createVerk, defineWorker, type Verk } from "@verk/core";
import { until, useRedis } from "@verk/test-redis/vitest";
import { afterEach, describe, expect, it } from "vitest";
import { redisStore } from "../src/index.js";

// Issue #11 item 2: payloads that are not valid UTF-8 must be removed by their exact bytes on
// every path (ack, fail, requeue), and dead-lettered with their raw bytes.
const fx = useRedis();
const silent = { debug() {}, info() {}, warn() {}, error() {} };
const nodes: Verk[] = [];
afterEach(async () => {
  await Promise.all(nodes.splice(0).map((n) => n.stop({ timeout: 0 })));
});

/** A valid-looking job whose args hold the byte 0xff (never valid UTF-8). */
function invalidUtf8Job(jid: string): Buffer {
  return Buffer.concat([
    Buffer.from(`{"class":"Bytes","args":["`),
    Buffer.from([0xff, 0xfe]),
    Buffer.from(`"],"jid":"${jid}","queue":"q","retry":true}`),
  ]);
}

function node(ran: string[], nodeId = "bytes-node"): Verk {
  const Bytes = defineWorker("Bytes", (arg: string) => {
    ran.push(arg);
  });
  const verk = createVerk({
    store: redisStore({ url: fx.url, sidekiqProcess: false }),
    queues: { q: 2 },
    workers: [Bytes],
    nodeId,
    logger: silent,
    fetchBlockMs: 100,
    pollIntervalMs: 0,
  });
  nodes.push(verk);
  return verk;
}

describe("payloads that are not valid UTF-8", () => {
  it("go to the dead set with their exact bytes, and nothing is left in progress", async () => {
    const ran: string[] = [];
    const verk = node(ran);
    const malformed: Buffer[] = [];
    verk.on("job:malformed", (event) => {
      malformed.push(event.raw);
    });
    await fx.redis.lpush("queue:q", invalidUtf8Job("bad1"), '{"class":"Bytes","args":["ok"],"jid":"good"}');
    await verk.start();
    await until(() => ran.length === 1 && malformed.length === 1, 5_000, "the good job and the bad one");
    expect(ran).toEqual(["ok"]);
    expect(malformed[0]!.equals(invalidUtf8Job("bad1"))).toBe(true);
    await until(async () => (await fx.redis.zcard("dead")) === 1, 5_000, "the dead entry");
    const [entry] = await fx.redis.zrange("dead", 0, -1);
    const dead = JSON.parse(entry!);
    expect(dead).toMatchObject({
      class: "Verk::MalformedPayload",
      queue: "q",
      error_class: "MalformedPayload",
    });
    expect(dead.error_message).toContain("not valid UTF-8");
    expect(Buffer.from(dead.raw_payload_base64, "base64").equals(invalidUtf8Job("bad1"))).toBe(true);
    expect(await fx.redis.llen("inprogress:q:bytes-node")).toBe(0);
    await verk.stop();
    expect(await fx.redis.exists("inprogress:q:bytes-node")).toBe(0);
  });

  it("are acked, failed and requeued by their exact bytes at the store level", async () => {
    const store = redisStore({ url: fx.url, sidekiqProcess: false });
    await store.connect();
    try {
      await fx.redis.lpush("queue:q", invalidUtf8Job("a"), invalidUtf8Job("b"), invalidUtf8Job("c"));
      const channel = store.openQueue("q", "n1");
      const { jobs } = await channel.fetch(3, 0);
      await channel.close();
      // Oldest first: "a" was pushed first (LPUSH pushes left; fetch takes from the right).
      expect(jobs.map((job, i) => job.equals(invalidUtf8Job(["a", "b", "c"][i]!)))).toEqual([
        true,
        true,
        true,
      ]);
      const [first, second, third] = jobs;
      expect(await store.ack("q", "n1", first!)).toBe(true);
      const limits = { maxJobs: 10, maxAgeSeconds: 1_000 };
      expect(await store.fail("q", "n1", second!, { kind: "dead", raw: "{}", at: 2e9, limits })).toBe(true);
      expect(await store.requeue("q", "n1", [third!])).toBe(1);
      expect(await fx.redis.llen("inprogress:q:n1")).toBe(0);
      const [back] = await fx.redis.lrangeBuffer("queue:q", 0, -1);
      expect(back!.equals(third!)).toBe(true);
    } finally {
      await store.close();
    }
  });
});
