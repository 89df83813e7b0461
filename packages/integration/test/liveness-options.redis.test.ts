import { createVerk, defineWorker, livenessLoops } from "@verk/core";
import { redisStore } from "@verk/redis-store";
import { until, useRedis } from "@verk/test-redis/vitest";
import { describe, expect, it } from "vitest";
import { node } from "./helpers.js";

/**
 * Issue #11 item 11: with only one of `heartbeatMs` / `nodeTtlMs` given, the other is derived
 * (TTL = 6 heartbeats), in both places they can be set (`createVerk({ liveness })` and the older
 * `redisStore({ heartbeatMs, nodeTtlMs })`); a TTL under 3 heartbeats is rejected.
 */
describe("liveness settings", () => {
  const redis = useRedis();

  /** The heartbeat's TTL right after a beat, and how many beats came in `ms`. */
  async function observe(nodeId: string, ms: number): Promise<{ maxTtl: number; beats: number }> {
    const seq = async () => Number((await redis.redis.get(`verk:node:${nodeId}`))?.split(":")[1] ?? -1);
    const first = await seq();
    let maxTtl = 0;
    const end = Date.now() + ms;
    while (Date.now() < end) {
      maxTtl = Math.max(maxTtl, await redis.redis.pttl(`verk:node:${nodeId}`));
      await new Promise((resolve) => setTimeout(resolve, 20));
    }
    return { maxTtl, beats: (await seq()) - first };
  }

  it("redisStore({ heartbeatMs }) alone gets a TTL of 6 heartbeats, and a dead peer is recovered that fast", async () => {
    const Hold = defineWorker("Hold", () => new Promise<void>(() => {}));
    const a = createVerk({
      store: redisStore({ url: redis.url, heartbeatMs: 200, sidekiqProcess: false }),
      nodeId: "store-set-a",
      queues: { q: 1 },
      workers: [Hold],
      fetchBlockMs: 100,
      pollIntervalMs: 0,
      logLevel: "error",
    });
    await a.start();
    try {
      const seen = await observe("store-set-a", 1_000);
      expect(seen.maxTtl).toBeGreaterThan(900);
      expect(seen.maxTtl).toBeLessThanOrEqual(1_200);
      expect(seen.beats).toBeGreaterThanOrEqual(3);
      await a.enqueue({ class: "Hold", queue: "q" });
      await until(
        async () => (await redis.redis.llen("inprogress:q:store-set-a")) === 1,
        5_000,
        "a running job",
      );
      // A stops beating (as if paused); B, with the same store settings, recovers its job after ~1.2 s.
      a.quiet();
      livenessLoops.get("store-set-a")!.suspend();
      const recovered: number[] = [];
      const peer = createVerk({
        store: redisStore({ url: redis.url, heartbeatMs: 200, sidekiqProcess: false }),
        queues: { other: 1 },
        pollIntervalMs: 0,
        logLevel: "error",
      });
      peer.on("jobs:recovered", (event) => {
        recovered.push(event.count);
      });
      const t0 = Date.now();
      await peer.start();
      try {
        await until(() => recovered.length > 0, 4_000, "the dead peer's job recovered");
        expect(Date.now() - t0).toBeLessThan(4_000); // not the default 30 s TTL
        expect(await redis.redis.llen("queue:q")).toBe(1);
      } finally {
        await peer.stop({ timeout: 0 });
      }
    } finally {
      livenessLoops.get("store-set-a")?.resume();
      await a.stop({ timeout: 0 });
    }
  });

  it("createVerk({ liveness }) with only one of the two derives the other", async () => {
    const fromTtl = node(redis.url, { nodeId: "ttl-only", liveness: { nodeTtlMs: 1_200 } });
    await fromTtl.start();
    const ttlOnly = await observe("ttl-only", 1_000);
    expect(ttlOnly.maxTtl).toBeLessThanOrEqual(1_200);
    expect(ttlOnly.beats).toBeGreaterThanOrEqual(3); // heartbeat 200 ms
    const fromBeat = node(redis.url, { nodeId: "beat-only", liveness: { heartbeatMs: 300 } });
    await fromBeat.start();
    const beatOnly = await observe("beat-only", 700);
    expect(beatOnly.maxTtl).toBeGreaterThan(1_400);
    expect(beatOnly.maxTtl).toBeLessThanOrEqual(1_800); // 6 × 300 ms
  });

  it("rejects a TTL under 3 heartbeats, naming the field, wherever it is set", async () => {
    const tooShort = { code: "INVALID_OPTION", message: expect.stringContaining("at least 3 heartbeats") };
    expect(() =>
      createVerk({
        store: redisStore({ url: redis.url }),
        liveness: { heartbeatMs: 1_000, nodeTtlMs: 2_000 },
      }),
    ).toThrow(expect.objectContaining({ ...tooShort, field: "liveness.nodeTtlMs" }));
    expect(() => redisStore({ url: redis.url, heartbeatMs: 1_000, nodeTtlMs: 2_000 })).toThrow(
      expect.objectContaining({ ...tooShort, field: "redisStore.nodeTtlMs" }),
    );
    // One in each place: checked when both meet, at start().
    const mixed = createVerk({
      store: redisStore({ url: redis.url, heartbeatMs: 1_000, sidekiqProcess: false }),
      queues: { q: 1 },
      liveness: { nodeTtlMs: 2_000 },
      logLevel: "error",
    });
    await expect(mixed.start()).rejects.toMatchObject(tooShort);
    expect(await redis.redis.scard("verk_nodes")).toBe(0);
  });
});
