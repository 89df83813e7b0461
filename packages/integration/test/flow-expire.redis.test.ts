import { defineWorker, sleep, type VerkEventMap } from "@verk/core";
import { until, useRedis } from "@verk/test-redis/vitest";
import { describe, expect, it } from "vitest";
import { node } from "./helpers.js";

describe.each(["sidekiq", "cluster"] as const)("expiring jobs (%s key layout)", (layout) => {
  const r = useRedis();
  const queueKey = layout === "cluster" ? "verk:{default}:queue" : "queue:default";

  it("a job not started by its expiry is skipped: never run, acked, counted, reported; others run", async () => {
    const ran: string[] = [];
    const Report = defineWorker("Report", async (name: string) => void ran.push(name), {
      expiresIn: 60_000,
      unique: { for: 60 },
    });
    const producer = node(r.url, { workers: [Report] }, { layout });
    await Report.with({ expiresIn: 30 }).enqueue("stale");
    await Report.enqueue("fresh");
    const [stale] = (await r.redis.lrange(queueKey, -1, -1)).map((t) => JSON.parse(t));
    expect(stale.expires_at).toBeGreaterThan(stale.enqueued_at);
    expect(stale.expires_at - stale.enqueued_at).toBeCloseTo(0.03, 2);
    await sleep(60); // let it expire before any node fetches it
    await producer.stop();

    const verk = node(r.url, { workers: [Report], queues: { default: 5 } }, { layout });
    const expired: VerkEventMap["job:expired"][] = [];
    const started: string[] = [];
    const failed: string[] = [];
    verk.on("job:expired", (e) => void expired.push(e));
    verk.on("job:started", (e) => void started.push(e.job.args[0] as string));
    verk.on("job:failed", (e) => void failed.push(e.job.jid));
    await verk.start();
    await until(async () => ran.length === 1 && expired.length === 1, 5_000, "both jobs handled");
    expect(ran).toEqual(["fresh"]);
    expect(started).toEqual(["fresh"]);
    expect(failed).toEqual([]);
    expect(expired[0]).toMatchObject({ queue: "default", job: { jid: stale.jid, args: ["stale"] } });
    expect(expired[0]!.skippedAt).toBeGreaterThanOrEqual(expired[0]!.expiresAt);
    const counters = await verk.store.capabilities!.flow!.counters(["default"]);
    expect(counters.default).toEqual({ expired: 1, limited: 0, duplicates: 0 });
    expect(await r.redis.keys("*inprogress*")).toEqual([]);
    const retry = layout === "cluster" ? "verk:{default}:retry" : "retry";
    expect(await r.redis.zcard(retry)).toBe(0);
    // Its unique lock went with it (the fresh job's went on success).
    await until(async () => (await r.redis.keys("*unique:*")).length === 0, 5_000, "locks released");
  });

  it("a scheduled job's expiry counts from its run time", async () => {
    const Report = defineWorker("Report", async () => {}, { expiresIn: 5_000 });
    const verk = node(r.url, { workers: [Report] }, { layout });
    const at = Date.now() + 60_000;
    await Report.scheduleAt(at);
    const schedule = layout === "cluster" ? "verk:{default}:schedule" : "schedule";
    const [raw] = await r.redis.zrange(schedule, 0, 0);
    const job = JSON.parse(raw!);
    expect(job.expires_at * 1000).toBeCloseTo(at + 5_000, -1);
    await verk.enqueue({ class: "Report", expiresIn: 1_000, timestampsNote: "x" });
    const [queued] = (await r.redis.lrange(queueKey, 0, 0)).map((t) => JSON.parse(t));
    expect(queued.expires_at - queued.enqueued_at).toBeCloseTo(1, 2);
    expect(queued).not.toHaveProperty("expiresIn");
  });

  it("a payload pushed by Sidekiq (no flow fields) runs as before", async () => {
    const ran: unknown[] = [];
    const Plain = defineWorker("Plain", async (n: number) => void ran.push(n), {
      limit: { concurrency: 2 },
    });
    const verk = node(r.url, { workers: [Plain], queues: { default: 5 } }, { layout });
    await verk.start();
    await r.redis.lpush(
      queueKey,
      JSON.stringify({
        class: "Plain",
        args: [1],
        jid: "a1b2c3d4e5f6a1b2c3d4e5f6",
        queue: "default",
        retry: true,
      }),
    );
    await until(async () => ran.length === 1, 5_000, "the Sidekiq job ran");
    expect(ran).toEqual([1]);
  });
});
