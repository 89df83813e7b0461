import { describe, expect, it } from "vitest";
import { SIDEKIQ, useInterop } from "./fixture.js";
import { startSidekiq, waitFor } from "./harness.js";

describe.skipIf(!SIDEKIQ)("case 2: Verk enqueues and schedules, a real Sidekiq runs", () => {
  const ctx = useInterop();

  it("Sidekiq's API reads Verk's entries and its server runs them in order", async () => {
    const verk = ctx.node({});
    const first = await verk.enqueue({
      class: "InteropJob",
      queue: "interop",
      args: [1, "two", { three: 3 }],
    });
    const bulk = await verk.enqueueBulk(
      [2, 3, 4].map((i) => ({ class: "InteropJob", queue: "interop", args: [i] })),
    );
    const later = await verk.schedule(
      { class: "InteropJob", queue: "interop", args: ["scheduled"] },
      Date.now() + 1_500,
    );

    const seen = await ctx.ruby<{
      queues: string[];
      jobs: {
        jid: string;
        args: unknown[];
        klass: string;
        latency: number;
        enqueued_at: number;
        created_at: number;
      }[];
      latency: number;
      scheduled: { jid: string; at: number; args: unknown[] }[];
    }>(`
      q = Sidekiq::Queue.new("interop")
      out({
        "queues" => Sidekiq::Queue.all.map(&:name),
        "jobs" => q.map { |j| {"jid" => j.jid, "args" => j.args, "klass" => j.klass, "latency" => j.latency,
                              "enqueued_at" => j.enqueued_at.to_f, "created_at" => j.created_at.to_f} },
        "latency" => q.latency,
        "scheduled" => Sidekiq::ScheduledSet.new.map { |e| {"jid" => e.jid, "at" => e.at.to_f, "args" => e.args} },
      })
    `);
    expect(seen.queues).toEqual(["interop"]);
    // Sidekiq::Queue#each walks from the newest (left) to the oldest (right).
    expect(seen.jobs.map((j) => j.jid).reverse()).toEqual([first, ...bulk]);
    expect(seen.jobs.at(-1)!.args).toEqual([1, "two", { three: 3 }]);
    const nowS = Date.now() / 1000;
    for (const job of seen.jobs) {
      expect(job.klass).toBe("InteropJob");
      expect(Math.abs(job.enqueued_at - nowS)).toBeLessThan(10);
      expect(job.latency).toBeGreaterThanOrEqual(0);
      expect(job.latency).toBeLessThan(10);
    }
    expect(seen.latency).toBeGreaterThanOrEqual(0);
    expect(seen.latency).toBeLessThan(10);
    expect(seen.scheduled).toHaveLength(1);
    expect(seen.scheduled[0]!.jid).toBe(later);
    expect(seen.scheduled[0]!.at - nowS).toBeGreaterThan(0.5);
    expect(seen.scheduled[0]!.at - nowS).toBeLessThan(2);

    ctx.track(await startSidekiq(ctx.redis, ctx.url, ["interop"], 1));
    await waitFor(async () => (await ctx.sidekiqRuns()).length === 5, 20_000);
    const runs = await ctx.sidekiqRuns();
    expect(runs.map((r) => r.jid)).toEqual([first, ...bulk, later]);
    expect(runs.map((r) => r.args)).toEqual([[1, "two", { three: 3 }], [2], [3], [4], ["scheduled"]]);
    expect(runs.every((r) => r.class === "InteropJob")).toBe(true);
    expect(await ctx.redis.zcard("schedule")).toBe(0);
  });
});
