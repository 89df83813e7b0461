import { defineWorker, displayClass, type JobPayload } from "@verk/core";
import { describe, expect, it } from "vitest";
import { SIDEKIQ, useInterop } from "./fixture.js";
import { waitFor } from "./harness.js";

describe.skipIf(!SIDEKIQ)("case 1: Sidekiq::Client pushes, Verk runs", () => {
  const ctx = useInterop();

  it("runs push and push_bulk jobs FIFO per queue with the right args, and scheduled jobs when due", async () => {
    const pushed = await ctx.ruby<{ one: string; bulk: string[]; other: string; at: string; aj: string }>(`
      one = Sidekiq::Client.push("class" => "InteropJob", "queue" => "interop", "args" => [1, "two", {"three" => 3}])
      bulk = Sidekiq::Client.push_bulk("class" => "InteropJob", "queue" => "interop", "args" => (1..5).map { |i| [i] })
      other = Sidekiq::Client.push("class" => "InteropJob", "queue" => "other", "args" => ["other"])
      at = Sidekiq::Client.push("class" => "InteropJob", "queue" => "interop", "args" => ["scheduled"], "at" => Time.now.to_f + 1.5)
      aj = Sidekiq::Client.push("class" => "ActiveJob::QueueAdapters::SidekiqAdapter::JobWrapper", "wrapped" => "AjJob",
        "queue" => "other", "args" => [{"job_class" => "AjJob", "arguments" => [7, "x"]}])
      out({"one" => one, "bulk" => bulk, "other" => other, "at" => at, "aj" => aj})
    `);
    const runs: {
      queue: string;
      class: string;
      args: unknown[];
      jid: string;
      job: JobPayload;
      at: number;
    }[] = [];
    const record = function (this: { job: JobPayload; queue: string }, ...args: unknown[]) {
      runs.push({
        queue: this.queue,
        class: displayClass(this.job),
        args,
        jid: this.job.jid,
        job: this.job,
        at: Date.now(),
      });
    };
    const verk = ctx.node({
      queues: { interop: 1, other: 1 },
      workers: [defineWorker("InteropJob", record), defineWorker("AjJob", record)],
    });
    const started = Date.now();
    await verk.start();
    await waitFor(
      () => runs.length === 9,
      15_000,
      () => `ran ${JSON.stringify(runs.map((r) => r.args))}`,
    );

    const interop = runs.filter((r) => r.queue === "interop");
    expect(interop.map((r) => r.args)).toEqual([
      [1, "two", { three: 3 }],
      [1],
      [2],
      [3],
      [4],
      [5],
      ["scheduled"],
    ]);
    expect(interop.map((r) => r.jid)).toEqual([pushed.one, ...pushed.bulk, pushed.at]);
    const scheduled = interop[6]!;
    expect(scheduled.at - started).toBeGreaterThanOrEqual(1_000);
    // The promoted job got a fresh enqueued_at (float seconds), after its created_at.
    expect(scheduled.job.enqueued_at! - scheduled.job.created_at).toBeGreaterThan(1);

    const other = runs.filter((r) => r.queue === "other");
    expect(other.map((r) => [r.class, r.jid])).toEqual([
      ["InteropJob", pushed.other],
      ["AjJob", pushed.aj],
    ]);
    expect(other[1]!.args).toEqual([{ job_class: "AjJob", arguments: [7, "x"] }]);
    expect(other[1]!.job.class).toBe("ActiveJob::QueueAdapters::SidekiqAdapter::JobWrapper");
    expect(await ctx.redis.llen("queue:interop")).toBe(0);
  });
});
