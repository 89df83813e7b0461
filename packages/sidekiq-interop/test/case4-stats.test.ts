import { defineWorker } from "@verk/core";
import { redisStore } from "@verk/redis-store";
import { stats, statsReader } from "@verk/stats";
import { describe, expect, it } from "vitest";
import { SIDEKIQ, useInterop } from "./fixture.js";
import { startSidekiq, waitFor } from "./harness.js";

interface SidekiqStats {
  processed: number;
  failed: number;
  enqueued: number;
  retry_size: number;
  dead_size: number;
  scheduled_size: number;
  queues: Record<string, number>;
  latency: number;
  history: { processed: Record<string, number>; failed: Record<string, number> };
}

const READ_STATS = `
  s = Sidekiq::Stats.new
  h = Sidekiq::Stats::History.new(1)
  out({"processed" => s.processed, "failed" => s.failed, "enqueued" => s.enqueued, "retry_size" => s.retry_size,
       "dead_size" => s.dead_size, "scheduled_size" => s.scheduled_size, "queues" => s.queues,
       "latency" => Sidekiq::Queue.new("waiting").latency,
       "history" => {"processed" => h.processed, "failed" => h.failed}})
`;

describe.skipIf(!SIDEKIQ)("case 4: Sidekiq::Stats agrees with Verk's numbers after a mixed run", () => {
  const ctx = useInterop();

  it("processed, failed, enqueued, retry, dead, scheduled and queue latency", async () => {
    const fail = () => {
      throw new Error("stats failure");
    };
    const verkStats = stats({ flushIntervalMs: 100 });
    const verk = ctx.node({
      queues: { vk: 2 },
      workers: [defineWorker("InteropJob", () => {}), defineWorker("InteropFailJob", fail)],
      plugins: [verkStats],
    });
    // Waiting jobs and scheduled jobs from both sides; the oldest waiting job is Verk's.
    await verk.enqueue({ class: "InteropJob", queue: "waiting", args: ["w1"] });
    const enqueuedAt = Date.now();
    await verk.enqueue({ class: "InteropJob", queue: "waiting", args: ["w2"] });
    await verk.schedule({ class: "InteropJob", queue: "vk", args: ["later"] }, Date.now() + 3_600_000);
    await ctx.ruby(`
      Sidekiq::Client.push("class" => "InteropJob", "queue" => "waiting", "args" => ["w3"])
      Sidekiq::Client.push("class" => "InteropJob", "queue" => "sk", "args" => ["later"], "at" => Time.now.to_f + 3600)
      4.times { |i| Sidekiq::Client.push("class" => "InteropJob", "queue" => "sk", "args" => [i]) }
      Sidekiq::Client.push("class" => "InteropFailJob", "queue" => "sk", "args" => ["dies"], "retry" => 0)
      out(true)
    `);
    // Verk: 5 successes, 2 failures that go to retry, 1 that dies (retry: 0).
    await verk.enqueueBulk([
      ...[1, 2, 3, 4, 5].map((i) => ({ class: "InteropJob", queue: "vk", args: [i] })),
      { class: "InteropFailJob", queue: "vk", args: ["r1"] },
      { class: "InteropFailJob", queue: "vk", args: ["r2"] },
      { class: "InteropFailJob", queue: "vk", args: ["d1"], retry: 0 },
    ]);
    const sidekiq = ctx.track(await startSidekiq(ctx.redis, ctx.url, ["sk"], 2));
    await verk.start();
    await waitFor(
      async () => (await ctx.redis.llen("queue:vk")) + (await ctx.redis.llen("queue:sk")) === 0,
      15_000,
    );
    await waitFor(
      async () => (await ctx.redis.zcard("retry")) === 2 && (await ctx.redis.zcard("dead")) === 2,
    );
    await waitFor(() => verk.runningJobs().length === 0);
    await sidekiq.stop(); // Sidekiq flushes its counters at exit
    await verk.stop(); // and so does Verk's stats plugin

    const sk = await ctx.ruby<SidekiqStats>(READ_STATS);
    const store = redisStore({ url: ctx.url, sidekiqProcess: false });
    const reader = statsReader(store);
    const [totals, queues, history] = await Promise.all([
      reader.totals(),
      reader.queues(),
      reader.history(1),
    ]);
    await store.close();

    expect(sk).toMatchObject({
      processed: 13,
      failed: 4,
      enqueued: 3,
      retry_size: 2,
      dead_size: 2,
      scheduled_size: 2,
    });
    expect(totals).toMatchObject({
      processed: sk.processed,
      failed: sk.failed,
      enqueued: sk.enqueued,
      retries: sk.retry_size,
      dead: sk.dead_size,
      scheduled: sk.scheduled_size,
    });
    expect(Object.fromEntries(queues.map((q) => [q.name, q.size]))).toEqual(sk.queues);

    const today = new Date().toISOString().slice(0, 10);
    expect(sk.history.processed[today]).toBe(13);
    expect(sk.history.failed[today]).toBe(4);
    expect(history[0]).toMatchObject({ processed: 13, failed: 4 });

    // Latency of "waiting": now − enqueued_at of its oldest job, read by both sides.
    const elapsed = (Date.now() - enqueuedAt) / 1000;
    const verkLatency = queues.find((q) => q.name === "waiting")!.latencySeconds;
    expect(sk.latency).toBeGreaterThan(elapsed - 1);
    expect(sk.latency).toBeLessThan(elapsed + 5);
    expect(Math.abs(verkLatency - sk.latency)).toBeLessThan(2);
  });
});
