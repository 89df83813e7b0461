import {
  createVerk,
  defineWorker,
  MemoryStore,
  type NodeHandle,
  payloadTimestamp,
  timestampToMs,
} from "@verk/core";
import { describe, expect, it } from "vitest";
import { createKeys, redisStore } from "../src/index.js";
import { resolveSidekiqProcess } from "../src/sidekiq/options.js";
import { SidekiqProcessHeartbeat } from "../src/sidekiq/process-heartbeat.js";
import { promote, useRedis } from "./helpers.js";

const { server, redis } = useRedis();

function fakeNode(overrides: Partial<NodeHandle> = {}): NodeHandle & { calls: string[] } {
  const calls: string[] = [];
  let quieted = false;
  return {
    nodeId: "host-a:4242:0123456789ab",
    startedAt: 1_800_000_000_000,
    logger: { debug() {}, info() {}, warn() {}, error() {} } as unknown as NodeHandle["logger"],
    queues: () => [
      { name: "a", concurrency: 3, running: 1, status: "running" },
      { name: "b", concurrency: 2, running: 0, status: "running" },
    ],
    runningJobs: () => [
      {
        queue: "a",
        raw: Buffer.from('{"class":"W","args":[1],"jid":"abc"}'),
        startedAt: 1_800_000_001_500,
        jid: "abc",
        className: "W",
      },
    ],
    get quieted() {
      return quieted;
    },
    quiet: () => {
      quieted = true;
      calls.push("quiet");
    },
    requestStop: () => calls.push("stop"),
    emit: () => {},
    calls,
    ...overrides,
  };
}

describe("Sidekiq process heartbeat", () => {
  it("writes processes, the process hash and the work hashes with TTLs, and cleans up on stop", async () => {
    const node = fakeNode();
    const options = resolveSidekiqProcess({ intervalMs: 50, tag: "t", labels: ["x"] }, "both")!;
    const beat = new SidekiqProcessHeartbeat(redis(), createKeys(), node, options);
    await beat.start();
    const id = node.nodeId;
    expect(await redis().smembers("processes")).toEqual([id]);
    const hash = await redis().hgetall(id);
    expect(JSON.parse(hash.info!)).toEqual({
      hostname: "host-a",
      started_at: 1_800_000_000.000001,
      pid: process.pid,
      tag: "t",
      concurrency: 5,
      queues: ["a", "b"],
      labels: ["verk", "x"],
      identity: id,
    });
    expect(hash).toMatchObject({ busy: "1", quiet: "false", concurrency: "5" });
    expect(hash.beat).toMatch(/^\d+\.\d+$/);
    expect(Number(hash.rss)).toBeGreaterThan(0);
    expect(Number(hash.rtt_us)).toBeGreaterThanOrEqual(0);
    expect(await redis().ttl(id)).toBeGreaterThan(55);
    for (const name of ["work", "workers"]) {
      const work = await redis().hgetall(`${id}:${name}`);
      expect(work).toEqual({
        abc: JSON.stringify({
          queue: "a",
          payload: '{"class":"W","args":[1],"jid":"abc"}',
          run_at: 1_800_000_001,
        }),
      });
      expect(await redis().ttl(`${id}:${name}`)).toBeGreaterThan(55);
    }
    await beat.stop();
    expect(await redis().smembers("processes")).toEqual([]);
    expect(await redis().exists(`${id}:work`, `${id}:workers`)).toBe(0);
  });

  it("pops one signal per beat: TSTP quiets, TERM quiets and asks to stop", async () => {
    const node = fakeNode();
    const beat = new SidekiqProcessHeartbeat(
      redis(),
      createKeys("ns"),
      node,
      resolveSidekiqProcess(true, undefined)!,
    );
    await redis().rpush(`ns:${node.nodeId}-signals`, "TERM", "TSTP");
    await beat.beat();
    expect(node.calls).toEqual(["quiet"]);
    expect(await redis().hget(`ns:${node.nodeId}`, "quiet")).toBe("false");
    await beat.beat();
    expect(node.calls).toEqual(["quiet", "quiet", "stop"]);
    expect(await redis().hget(`ns:${node.nodeId}`, "quiet")).toBe("true");
    expect(await redis().exists(`ns:${node.nodeId}:workers`)).toBe(0);
    expect(await redis().hlen(`ns:${node.nodeId}:work`)).toBe(1);
    await beat.stop();
  });

  it("is attached by a started node and can be turned off", async () => {
    const worker = defineWorker("W", () => {});
    const on = createVerk({ store: redisStore({ url: server().url }), queues: { q: 2 }, workers: [worker] });
    await on.start();
    expect(await redis().smembers("processes")).toEqual([on.nodeId]);
    await on.stop();
    expect(await redis().smembers("processes")).toEqual([]);
    const off = createVerk({
      store: redisStore({ url: server().url, sidekiqProcess: false }),
      queues: { q: 1 },
    });
    await off.start();
    expect(await redis().scard("processes")).toBe(0);
    await off.stop();
    expect(() => redisStore({ sidekiqWorkersKey: "nope" as "work" })).toThrow(/sidekiqWorkersKey/);
    expect(() => redisStore({ sidekiqProcess: { intervalMs: 0 } })).toThrow(/intervalMs/);
  });
});

describe("Sidekiq 8 millisecond timestamps", () => {
  it("promotion writes enqueued_at in the unit of the job's created_at", async () => {
    const ms = '{"class":"W","args":[],"jid":"m","queue":"q","created_at":1800000000123}';
    const s = '{"class":"W","args":[],"jid":"s","queue":"q","created_at":1800000000.5}';
    await redis().zadd("schedule", "1", ms, "2", s);
    expect(await promote(redis(), "schedule", 1800000001.25, 10)).toBe(2);
    const [second, first] = await redis().lrange("queue:q", 0, -1);
    expect(first).toBe(
      '{"class":"W","args":[],"jid":"m","queue":"q","created_at":1800000000123,"enqueued_at":1800000001250}',
    );
    expect(second).toBe(
      '{"class":"W","args":[],"jid":"s","queue":"q","created_at":1800000000.5,"enqueued_at":1800000001.25}',
    );
  });

  it('a node with timestamps: "milliseconds" writes integer ms and keeps scores in seconds', async () => {
    const store = redisStore({ url: server().url, sidekiqProcess: false });
    const fail = defineWorker("F", () => {
      throw new Error("x");
    });
    const verk = createVerk({
      store,
      queues: { q: 1 },
      workers: [fail],
      timestamps: "milliseconds",
      pollIntervalMs: 0,
    });
    await verk.enqueue({ class: "F", queue: "q" });
    const queued = JSON.parse((await redis().lindex("queue:q", 0))!);
    expect(Number.isInteger(queued.created_at) && queued.created_at > 1e12).toBe(true);
    expect(Number.isInteger(queued.enqueued_at) && queued.enqueued_at >= queued.created_at).toBe(true);
    await verk.start();
    for (let i = 0; i < 100 && (await redis().zcard("retry")) === 0; i++)
      await new Promise((r) => setTimeout(r, 20));
    const [member, score] = await redis().zrange("retry", 0, -1, "WITHSCORES");
    const failed = JSON.parse(member!);
    expect(Number.isInteger(failed.failed_at) && failed.failed_at > 1e12).toBe(true);
    expect(Number(score)).toBeLessThan(1e11);
    expect(Number(score) - failed.failed_at / 1000).toBeGreaterThanOrEqual(15);
    await verk.stop();
    expect(() => createVerk({ store: new MemoryStore(), timestamps: "hours" as "seconds" })).toThrow(
      /timestamps/,
    );
  });

  it("timestampToMs reads both units", () => {
    expect(timestampToMs(1_800_000_000.5)).toBe(1_800_000_000_500);
    expect(timestampToMs(1_800_000_000_123)).toBe(1_800_000_000_123);
    expect(timestampToMs("1800000000.25")).toBe(1_800_000_000_250);
    expect(timestampToMs(null)).toBeUndefined();
    expect(payloadTimestamp("milliseconds", 1_800_000_000_123.4)).toBe(1_800_000_000_123);
    expect(payloadTimestamp("seconds", 1_800_000_000_000)).toBe(1_800_000_000.000001);
  });
});
