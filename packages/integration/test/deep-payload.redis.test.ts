import { defineWorker, UNENCODABLE_CLASS } from "@verk/core";
import { events } from "@verk/events";
import { stats } from "@verk/stats";
import { until, useRedis } from "@verk/test-redis/vitest";
import { describe, expect, it } from "vitest";
import { node, recordingLogger } from "./helpers.js";

/** Args nested `depth` levels deep, as only a raw producer can write them (Verk's enqueue refuses them). */
function deepPayload(jid: string, className: string, depth: number): string {
  const args = `${"[".repeat(depth)}1${"]".repeat(depth)}`;
  return `{"class":"${className}","args":[${args}],"jid":"${jid}","queue":"deep","retry":true,"created_at":1800000000.5}`;
}

describe("a payload nested 10,000 levels deep (beyond JSON.stringify's stack) never kills the node", () => {
  const redis = useRedis();

  it("a failing handler: the job ends in dead with its original text and a message; the node keeps running", async () => {
    const raw = deepPayload("d".repeat(24), "Deep", 10_000);
    await redis.redis.lpush("queue:deep", raw);
    let ran = 0;
    const Deep = defineWorker(
      "Deep",
      () => {
        ran++;
        throw new Error("handler failed");
      },
      { queue: "deep" },
    );
    const Fine = defineWorker("Fine", () => {}, { queue: "deep" });
    const logger = recordingLogger();
    const verk = node(redis.url, {
      nodeId: "fixed-node",
      queues: { deep: 1 },
      workers: [Deep, Fine],
      logger,
      plugins: [stats(), events({ publish: true })],
    });
    const failed: unknown[] = [];
    verk.on("job:failed", (e) => void failed.push(e.outcome));
    await verk.start();
    await until(async () => (await redis.redis.zcard("dead")) === 1, 10_000, "the deep job in dead");
    expect(ran).toBe(1);
    const [entry] = (await redis.redis.zrange("dead", 0, -1)).map((text) => JSON.parse(text));
    expect(entry).toMatchObject({
      class: UNENCODABLE_CLASS,
      original_class: "Deep",
      jid: "d".repeat(24),
      queue: "deep",
      retry: false,
      error_class: "UnencodablePayload",
      raw_payload: raw,
    });
    expect(entry.error_message).toMatch(
      /^the failure payload cannot be encoded as JSON \(RangeError: Maximum call stack size exceeded\).*handler failed/,
    );
    expect(failed).toEqual(["dead"]);
    expect(await redis.redis.llen("inprogress:deep:fixed-node")).toBe(0);
    expect(await redis.redis.zcard("retry")).toBe(0);

    // The node survived: a normal job still runs and is acked.
    await verk.enqueue({ class: "Fine" });
    await until(async () => (await redis.redis.llen("queue:deep")) === 0 && verk.runningJobs().length === 0);
    await verk.stop();

    // A restart with the same node id finds nothing to take back.
    const again = node(redis.url, { nodeId: "fixed-node", queues: { deep: 1 }, workers: [Deep, Fine] });
    let recovered = 0;
    again.on("jobs:recovered", (e) => {
      recovered += e.count;
    });
    await again.start();
    expect(recovered).toBe(0);
    expect(ran).toBe(1);
  });

  it("a succeeding handler: acked, job:finished emitted, listeners (stats, events publish) contained", async () => {
    const raw = deepPayload("e".repeat(24), "DeepOk", 10_000);
    await redis.redis.lpush("queue:deep", raw);
    const DeepOk = defineWorker("DeepOk", () => {}, { queue: "deep" });
    const verk = node(redis.url, {
      queues: { deep: 1 },
      workers: [DeepOk],
      plugins: [stats(), events({ publish: true })],
    });
    let finished = 0;
    verk.on("job:finished", () => void finished++);
    await verk.start();
    await until(() => finished === 1, 10_000, "job:finished");
    await until(async () => (await redis.redis.keys("inprogress:*")).length === 0);
    expect(await redis.redis.llen("queue:deep")).toBe(0);
    expect(await redis.redis.zcard("dead")).toBe(0);
    // The shared event log still gets the event, with the job summarised.
    await until(async () => (await redis.redis.xlen("verk:events")) >= 2, 5_000, "published events");
    const published = (await redis.redis.xrange("verk:events", "-", "+")).map(([, fields]) =>
      JSON.parse(fields[1]!),
    );
    const done = published.find((e) => e.event === "job:finished");
    expect(done?.payload.job).toEqual({
      class: "DeepOk",
      jid: "e".repeat(24),
      queue: "deep",
      unencodable: true,
    });
  });
});
