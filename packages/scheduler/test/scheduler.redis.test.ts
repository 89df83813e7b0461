import { createVerk, MemoryStore, sleep, type Verk } from "@verk/core";
import { redisStore } from "@verk/redis-store";
import { until, useRedis } from "@verk/test-redis/vitest";
import { describe, expect, it } from "vitest";
import { type SchedulerOptions, type SchedulerPlugin, scheduleIn, scheduler } from "../src/index.js";

const quiet = { debug() {}, info() {}, warn() {}, error() {} };
const fx = useRedis();

/** A node that runs no queue (jobs stay in Redis, where we count them). */
function node(options: SchedulerOptions, nodeId: string): { verk: Verk; plugin: SchedulerPlugin } {
  const plugin = scheduler(options);
  const verk = createVerk({
    store: redisStore({ url: fx.url }),
    queues: { unused: 1 },
    workers: [],
    plugins: [plugin],
    logger: quiet,
    nodeId,
    pollIntervalMs: 100,
  } as never);
  return { verk, plugin };
}

describe("leader election and promotion", () => {
  it("one leader; when it stops, the other takes over and promotes", async () => {
    const a = node({ leaseTtlMs: 600, maxSleepMs: 60_000 }, "a");
    const b = node({ leaseTtlMs: 600, maxSleepMs: 60_000 }, "b");
    await a.verk.start();
    await until(() => a.plugin.isLeader);
    await b.verk.start();
    await sleep(300);
    expect(a.plugin.isLeader).toBe(true);
    expect(b.plugin.isLeader).toBe(false);
    expect(await fx.redis.get("verk:lease:scheduler")).toMatch(/^a:/);
    await a.verk.stop();
    await until(() => b.plugin.isLeader, 1_000); // released at stop: well within the TTL
    const jid = await scheduleIn(b.verk, { class: "X", queue: "q", args: [1] }, 300);
    const scheduledAt = Date.now();
    await until(async () => (await fx.redis.llen("queue:q")) === 1, 3_000);
    const waited = Date.now() - scheduledAt;
    expect(waited).toBeGreaterThanOrEqual(250);
    expect(waited).toBeLessThan(1_500); // woke for it, although maxSleepMs is 60 s
    expect(JSON.parse((await fx.redis.lindex("queue:q", 0))!)).toMatchObject({ jid, class: "X" });
    await b.verk.stop();
    expect(await fx.redis.exists("verk:lease:scheduler")).toBe(0);
  });

  it("a crashed leader's lease expires and a standby takes over within about the TTL", async () => {
    await fx.redis.set("verk:lease:scheduler", "dead-node:x", "PX", 500); // a leader that vanished
    const b = node({ leaseTtlMs: 500, maxSleepMs: 60_000 }, "b");
    await b.verk.start();
    expect(b.plugin.isLeader).toBe(false);
    const t0 = Date.now();
    await until(() => b.plugin.isLeader, 2_000);
    expect(Date.now() - t0).toBeLessThan(1_000);
    // The leader promotes due retries and scheduled jobs in batches.
    const now = Date.now() / 1000;
    const args: (string | number)[] = [];
    for (let i = 0; i < 250; i++)
      args.push(now - 1, JSON.stringify({ class: "X", queue: "q", jid: `j${i}` }));
    await fx.redis.zadd("schedule", ...args);
    await fx.redis.zadd("retry", now - 1, JSON.stringify({ class: "X", queue: "r", jid: "r1" }));
    await fx.redis.publish("verk:due", "1.0");
    await until(
      async () => (await fx.redis.llen("queue:q")) === 250 && (await fx.redis.llen("queue:r")) === 1,
      3_000,
    );
    expect(await fx.redis.zcard("schedule")).toBe(0);
    await b.verk.stop();
  });
});

describe("periodic jobs", () => {
  it("each tick is enqueued exactly once with two nodes on one Redis; the schedule is in verk:cron", async () => {
    const cron = [
      { name: "fast", every: 100, job: { class: "Tick", queue: "ticks", args: [] } },
      {
        name: "sec",
        pattern: "* * * * * *",
        timezone: "Europe/Berlin",
        job: { class: "Sec", queue: "secs", args: [] },
      },
    ];
    const a = node({ cron, leaseTtlMs: 1_000 }, "a");
    const b = node({ cron, leaseTtlMs: 1_000 }, "b");
    await Promise.all([a.verk.start(), b.verk.start()]);
    const t0 = Date.now();
    await sleep(1_600);
    await Promise.all([a.verk.stop(), b.verk.stop()]);
    const t1 = Date.now();
    const ticks = (await fx.redis.lrange("queue:ticks", 0, -1)).map(
      (raw) => JSON.parse(raw) as { cron_at: number },
    );
    const times = ticks.map((j) => Math.round(j.cron_at * 1000));
    expect(new Set(times).size).toBe(times.length); // no tick twice
    expect(times.every((ms) => ms % 100 === 0)).toBe(true);
    const expected = Math.floor(t1 / 100) - Math.floor(t0 / 100);
    expect(times.length).toBeGreaterThanOrEqual(expected - 2);
    expect(times.length).toBeLessThanOrEqual(expected + 1);
    const secs = (await fx.redis.lrange("queue:secs", 0, -1)).map(
      (raw) => JSON.parse(raw) as { cron_at: number },
    );
    expect(new Set(secs.map((s) => s.cron_at)).size).toBe(secs.length);
    expect(secs.length).toBeGreaterThanOrEqual(1);
    const record = JSON.parse((await fx.redis.hget("verk:cron", "fast"))!);
    expect(record).toMatchObject({
      name: "fast",
      every: 100,
      class: "Tick",
      queue: "ticks",
      catchUp: "latest",
    });
    expect(record.lastRun).toBe(Math.max(...times));
    expect(JSON.parse((await fx.redis.hget("verk:cron", "sec"))!)).toMatchObject({
      pattern: "* * * * * *",
      timezone: "Europe/Berlin",
    });
  });

  it("missed ticks: latest enqueues one, all enqueues each (bounded), none skips", async () => {
    for (const [policy, expected] of [
      ["latest", 1],
      ["all", 5],
      ["none", 0],
    ] as const) {
      await fx.redis.flushall();
      const every = 60_000;
      const lastRun = (Math.floor(Date.now() / every) - 10) * every; // 10 ticks missed
      await fx.redis.hset("verk:cron", "m", JSON.stringify({ name: "m", lastRun }));
      const n = node(
        {
          cron: [{ name: "m", every, job: { class: "M", queue: "m", args: [] } }],
          catchUp: policy,
          maxCatchUp: 5,
        },
        "n",
      );
      await n.verk.start();
      await n.verk.stop();
      const jobs = (await fx.redis.lrange("queue:m", 0, -1)).map(
        (raw) => JSON.parse(raw) as { cron_at: number },
      );
      expect(jobs.length, policy).toBe(expected);
      if (policy === "latest") expect(Math.round(jobs[0]!.cron_at * 1000)).toBe(lastRun + 10 * every);
    }
  });

  it("needs the store capabilities; validates options", () => {
    const bare = Object.assign(Object.create(MemoryStore.prototype), { kind: "bare" });
    expect(() =>
      createVerk({ store: bare, queues: {}, workers: [], plugins: [scheduler()] } as never),
    ).toThrow(/"lease" capability/);
    expect(() => scheduler({ cron: [{ name: "x", job: { class: "A", queue: "q" } }] })).toThrow(/pattern/);
    expect(() =>
      scheduler({
        cron: [{ name: "x", pattern: "* * * * *", timezone: "Mars/Base", job: { class: "A", queue: "q" } }],
      }),
    ).toThrow(/time zone/);
    expect(() => scheduler({ leaseTtlMs: 0 })).toThrow(/leaseTtlMs/);
  });
});
