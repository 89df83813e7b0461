import { createHash } from "node:crypto";
import { createVerk, defineWorker, type Verk } from "@verk/core";
import { freePort, startRedis, type TestRedis } from "@verk/test-redis";
import { until as waitUntil } from "@verk/test-redis/vitest";
import { Redis } from "ioredis";
import { afterEach, describe, expect, it } from "vitest";
import { scripts } from "../src/generated/scripts.js";
import { redisStore } from "../src/index.js";
import { scriptSource } from "../src/scripts.js";

const wait = (ms: number) => new Promise((resolve) => setTimeout(resolve, ms));
const until = (check: () => Promise<boolean> | boolean, timeoutMs = 15_000) => waitUntil(check, timeoutMs);
const silent = { debug() {}, info() {}, warn() {}, error() {} };

const cleanup: (() => Promise<unknown>)[] = [];
afterEach(async () => {
  for (const fn of cleanup.splice(0).reverse()) await fn().catch(() => {});
});

function recorder(queue: string, runs: Map<string, number>, sleepMs = 0) {
  return defineWorker(
    `Rec_${queue.replace(/\W/g, "_")}`,
    async (id: string) => {
      runs.set(id, (runs.get(id) ?? 0) + 1);
      if (sleepMs > 0) await wait(sleepMs);
    },
    { queue },
  );
}

describe("Redis going away", () => {
  it("stops fetching, reconnects, resumes by itself, reloads scripts and lands pending acks once", async () => {
    const server: TestRedis = await startRedis({ args: ["--appendonly", "yes", "--appendfsync", "always"] });
    cleanup.push(() => server.stop());
    const runs1 = new Map<string, number>();
    const runs2 = new Map<string, number>();
    const verk: Verk = createVerk({
      store: redisStore({ url: server.url, heartbeatMs: 100, nodeTtlMs: 400, sidekiqProcess: false }),
      queues: { q1: 5, q2: 5 },
      workers: [recorder("q1", runs1, 40), recorder("q2", runs2, 40)],
      fetchBlockMs: 200,
      pollIntervalMs: 0,
      logger: silent,
    });
    cleanup.push(() => verk.stop({ timeout: 1_000 }));
    await verk.start();
    const ids = (p: string, n: number) => Array.from({ length: n }, (_, i) => `${p}${i}`);
    await verk.enqueueBulk(ids("a", 100).map((id) => ({ class: "Rec_q1", queue: "q1", args: [id] })));
    await verk.enqueueBulk(ids("b", 100).map((id) => ({ class: "Rec_q2", queue: "q2", args: [id] })));
    await until(() => runs1.size > 10 && runs2.size > 10);

    await server.kill(); // SIGKILL while jobs run: their acks cannot be written
    await wait(1_000);
    await server.restart();
    const admin = new Redis(server.url);
    cleanup.push(() => admin.quit());
    // The script cache is empty after a restart: ioredis must reload scripts on NOSCRIPT.
    await admin.script("FLUSH");
    const fetchSha = createHash("sha1")
      .update(scriptSource(scripts.find((script) => script.name === "fetch")!, { flags: true }))
      .digest("hex");

    await verk.enqueueBulk(ids("c", 50).map((id) => ({ class: "Rec_q1", queue: "q1", args: [id] })));
    await until(() => runs1.size === 150 && runs2.size === 100);
    await until(
      async () =>
        (await admin.llen(`inprogress:q1:${verk.nodeId}`)) +
          (await admin.llen(`inprogress:q2:${verk.nodeId}`)) ===
        0,
    );
    expect(await admin.llen("queue:q1")).toBe(0);
    expect(await admin.llen("queue:q2")).toBe(0);
    expect(await admin.zcard("retry")).toBe(0);
    // One node, AOF on: every job ran exactly once, no ack was applied twice or lost.
    expect([...runs1.values(), ...runs2.values()].every((n) => n === 1)).toBe(true);
    expect(verk.queues().map((q) => q.status)).toEqual(["running", "running"]);
    expect(await admin.script("EXISTS", fetchSha)).toEqual([1]);
  }, 40_000);

  it("start() waits for a Redis that comes up within connectTimeoutMs", async () => {
    const port = await freePort();
    const verk = createVerk({
      store: redisStore({ url: `redis://127.0.0.1:${port}`, connectTimeoutMs: 8_000, sidekiqProcess: false }),
      queues: { q: 1 },
      pollIntervalMs: 0,
      logger: silent,
    });
    const starting = verk.start();
    await wait(500);
    const server = await startRedis({ port });
    cleanup.push(() => server.stop());
    cleanup.push(() => verk.stop({ timeout: 0 }));
    await starting;
    expect(verk.state).toBe("running");
  }, 20_000);

  it("start() fails with CONNECTION_FAILED (never hangs) when Redis stays unreachable", async () => {
    const port = await freePort();
    const verk = createVerk({
      store: redisStore({ url: `redis://127.0.0.1:${port}`, connectTimeoutMs: 500, sidekiqProcess: false }),
      queues: { q: 1 },
      pollIntervalMs: 0,
      logger: silent,
    });
    const started = Date.now();
    await expect(verk.start()).rejects.toMatchObject({ code: "CONNECTION_FAILED" });
    expect(Date.now() - started).toBeLessThan(3_000);
  });
});

describe("names and payloads", () => {
  it.each(["a:b", "{braces}", "with space", "ünïcødé-队列-🚀"])(
    "round-trips queue %j and unicode args through Redis",
    async (queue) => {
      const server = await startRedis();
      cleanup.push(() => server.stop());
      const seen: unknown[][] = [];
      const W = defineWorker("W", (...args: unknown[]) => {
        seen.push(args);
      });
      const verk = createVerk({
        store: redisStore({ url: server.url, sidekiqProcess: false }),
        queues: { [queue]: 1 },
        workers: [W],
        fetchBlockMs: 100,
        pollIntervalMs: 0,
        logger: silent,
      });
      cleanup.push(() => verk.stop({ timeout: 0 }));
      await verk.start();
      const args = ["héllo wörld", "日本語", "🚀🔥", { ключ: "значение" }, "\u0000\u2028"];
      await verk.enqueue({ class: "W", queue, args });
      await until(() => seen.length === 1);
      expect(seen[0]).toEqual(args);
      const admin = new Redis(server.url);
      cleanup.push(() => admin.quit());
      expect(await admin.smembers("queues")).toEqual([queue]);
      await until(async () => (await admin.llen(`inprogress:${queue}:${verk.nodeId}`)) === 0);
    },
  );
});
