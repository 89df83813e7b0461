import { createVerk, defineWorker, type Verk } from "@verk/core";
import { redisStore } from "@verk/redis-store";
import { until, useRedis } from "@verk/test-redis/vitest";
import { afterEach, describe, expect, it } from "vitest";
import { node, recordingLogger } from "./helpers.js";

/**
 * Issue #11 item 6: Redis at maxmemory with `noeviction`. `maxmemory 1` keeps the server past its
 * limit for the whole test, however much the workers free: every command that may grow memory is
 * refused unless it runs in an `allow-oom` script (Redis 7).
 */
describe("Redis at maxmemory (noeviction)", () => {
  const redis = useRedis({ args: ["--maxmemory-policy", "noeviction"] });
  const stops: Verk[] = [];
  afterEach(async () => {
    await redis.redis.config("SET", "maxmemory", "0");
    for (const verk of stops.splice(0)) await verk.stop({ timeout: 1_000 }).catch(() => {});
  });

  it("workers drain, fail, requeue and recover; a node starts and beats; producers get STORE_FULL", async () => {
    const ran = new Map<string, number>();
    let release: (() => void) | undefined;
    const count = (jid: string) => ran.set(jid, (ran.get(jid) ?? 0) + 1);
    const Ok = defineWorker("Ok", function (this: { jid: string }) {
      count(this.jid);
    });
    const Boom = defineWorker("Boom", () => {
      throw new Error("boom");
    });
    const Slow = defineWorker("Slow", () => new Promise<void>((resolve) => (release = resolve)));
    const producer = node(redis.url);
    await producer.enqueueBulk(Array.from({ length: 250 }, (_, i) => ({ class: "Ok", args: [i] })));
    await producer.enqueueBulk(
      Array.from({ length: 50 }, (_, i) => ({ class: "Boom", args: [i], retry: 3 })),
    );
    // A crashed earlier run of the node left 5 jobs in its in-progress list.
    for (let i = 0; i < 5; i++) {
      await redis.redis.lpush(
        "inprogress:default:full-node",
        JSON.stringify({ class: "Ok", args: [`left-${i}`], jid: `left${i}`, queue: "default", retry: true }),
      );
    }
    await redis.redis.sadd("verk_nodes", "full-node");
    await redis.redis.sadd("verk:node:full-node:queues", "default");
    await redis.redis.config("SET", "maxmemory", "1");

    const full = await producer.enqueue({ class: "Ok" }).catch((e: unknown) => e);
    expect(full).toMatchObject({ code: "STORE_FULL", message: expect.stringContaining("maxmemory") });
    await expect(producer.schedule({ class: "Ok" }, Date.now() + 60_000)).rejects.toMatchObject({
      code: "STORE_FULL",
    });
    await expect(producer.enqueueBulk([{ class: "Ok" }, { class: "Ok" }])).rejects.toMatchObject({
      code: "STORE_FULL",
    });

    const logger = recordingLogger();
    const worker = createVerk({
      store: redisStore({ url: redis.url }), // with the Sidekiq process entry, as by default
      nodeId: "full-node",
      queues: { default: 5 },
      workers: [Ok, Boom, Slow],
      liveness: { heartbeatMs: 250 },
      fetchBlockMs: 100,
      logger,
    });
    stops.push(worker);
    await worker.start();
    const beat = await redis.redis.get("verk:node:full-node");
    expect(beat).toMatch(/^[0-9a-f]{16}:\d+$/);
    await until(
      async () => (await redis.redis.llen("queue:default")) === 0 && ran.size === 255,
      15_000,
      "the queue to drain",
    );
    expect([...ran.values()].every((n) => n === 1)).toBe(true);
    expect(ran.has("left0") && ran.has("left4")).toBe(true);
    await until(async () => (await redis.redis.zcard("retry")) === 50, 5_000, "the failures in retry");
    expect(await redis.redis.llen("inprogress:default:full-node")).toBe(0);
    // Still full: the heartbeat keeps beating, the registration is there.
    await until(async () => (await redis.redis.get("verk:node:full-node")) !== beat, 2_000, "a new beat");
    expect(await redis.redis.sismember("verk_nodes", "full-node")).toBe(1);
    await expect(producer.enqueue({ class: "Ok" })).rejects.toMatchObject({ code: "STORE_FULL" });
    // An empty queue at maxmemory (BLMOVE refused) is waited on quietly, not reported as failing.
    expect(logger.lines.filter((l) => /fetch from .* failed/.test(l.message))).toEqual([]);

    // Requeue at stop: a job still running when the timeout ends goes back to the queue.
    await redis.redis.config("SET", "maxmemory", "0");
    await producer.enqueue({ class: "Slow" });
    await redis.redis.config("SET", "maxmemory", "1");
    await until(() => release !== undefined, 5_000, "the slow job to start");
    await worker.stop({ timeout: 50 });
    expect(await redis.redis.llen("inprogress:default:full-node")).toBe(0);
    const back = await redis.redis.lrange("queue:default", 0, -1);
    expect(back.map((raw) => JSON.parse(raw).class)).toEqual(["Slow"]);
    release?.();
  });
});
