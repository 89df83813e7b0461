import { defineWorker, type JobPayload } from "@verk/core";
import { describe, expect, it } from "vitest";
import { SIDEKIQ, useInterop } from "./fixture.js";
import { startSidekiq, waitFor } from "./harness.js";

class InteropError extends Error {
  override name = "InteropError";
}

interface Entry {
  score: number;
  at: number;
  jid: string;
  klass: string;
  queue: string;
  args: unknown[];
  error_class: string;
  error_message: string;
  retry_count: number;
  failed_at: number;
  retried_at: number | null;
  "error?": boolean;
}

const READ_SETS = `out({"retry" => Sidekiq::RetrySet.new.map { |e| entry_fields(e) }, "dead" => Sidekiq::DeadSet.new.map { |e| entry_fields(e) }})`;

describe.skipIf(!SIDEKIQ)("case 3: retries and dead jobs cross between Verk and Sidekiq", () => {
  const ctx = useInterop();
  const sets = () => ctx.ruby<{ retry: Entry[]; dead: Entry[] }>(READ_SETS);

  it("a Verk failure is a correct RetrySet entry; Sidekiq's poller moves it back and Sidekiq carries the count to dead", async () => {
    const jid = await ctx.ruby<string>(
      `out(Sidekiq::Client.push("class" => "InteropFailJob", "queue" => "interop", "args" => ["boom"], "retry" => 2))`,
    );
    let attempts = 0;
    const fail = defineWorker("InteropFailJob", () => {
      attempts++;
      throw new InteropError("interop: failed under Verk");
    });
    const verk = ctx.node({ queues: { interop: 1 }, workers: [fail] });
    await verk.start();
    await waitFor(async () => (await ctx.redis.zcard("retry")) === 1);
    await verk.stop();
    const before = Date.now() / 1000;

    const { retry } = await sets();
    expect(retry).toHaveLength(1);
    const entry = retry[0]!;
    expect(entry).toMatchObject({
      jid,
      klass: "InteropFailJob",
      queue: "interop",
      args: ["boom"],
      error_class: "InteropError",
      error_message: "interop: failed under Verk",
      retry_count: 0,
      retried_at: null,
      "error?": true,
    });
    expect(Math.abs(entry.failed_at - before)).toBeLessThan(5);
    // Sidekiq's backoff for count 0: 15 + rand(10) seconds.
    expect(entry.at - entry.failed_at).toBeGreaterThanOrEqual(15);
    expect(entry.at - entry.failed_at).toBeLessThan(25);
    expect(attempts).toBe(1);

    // Make it due with Sidekiq's own API, then let a real Sidekiq's poller take it.
    await ctx.ruby(`Sidekiq::RetrySet.new.each { |e| e.reschedule(Time.now.to_f - 1) }; out(true)`);
    const sidekiq = ctx.track(await startSidekiq(ctx.redis, ctx.url, ["interop"], 1));
    // Two Sidekiq runs (retry_in 1 s) behind a poller that first waits up to 5 s; generous bound.
    await waitFor(
      async () => (await ctx.redis.zcard("dead")) === 1,
      45_000,
      () => `no dead entry; sidekiq output:\n${sidekiq.output().slice(-3000)}`,
    );
    const runs = await ctx.sidekiqRuns();
    expect(runs.map((r) => r.jid)).toEqual([jid, jid]);
    const { dead } = await sets();
    expect(dead[0]).toMatchObject({ jid, error_class: "InteropError", retry_count: 2, "error?": true });
    // failed_at is still the time of Verk's first failure.
    expect(dead[0]!.failed_at).toBeCloseTo(entry.failed_at, 5);
  }, 90_000);

  it("a Sidekiq failure is retried by Verk with its count carried on, then Verk's dead entry is read and retried by Sidekiq's API", async () => {
    const sidekiq = ctx.track(await startSidekiq(ctx.redis, ctx.url, ["interop"], 1));
    const jid = await ctx.ruby<string>(
      `out(Sidekiq::Client.push("class" => "InteropFailJob", "queue" => "interop", "args" => ["carry"], "retry" => 1))`,
    );
    await waitFor(async () => (await ctx.redis.zcard("retry")) === 1, 10_000);
    await sidekiq.stop();
    const { retry } = await sets();
    expect(retry[0]).toMatchObject({ jid, retry_count: 0, error_class: "InteropError" });

    const seen: JobPayload[] = [];
    let succeed = false;
    const fail = defineWorker("InteropFailJob", function () {
      seen.push(this.job);
      if (!succeed) throw new InteropError("interop: failed again under Verk");
    });
    const verk = ctx.node({ queues: { interop: 1 }, workers: [fail] });
    await verk.start();
    await waitFor(async () => (await ctx.redis.zcard("dead")) === 1, 10_000);
    expect(seen).toHaveLength(1);
    expect(seen[0]).toMatchObject({ jid, retry_count: 0, error_class: "InteropError" });

    const { dead, retry: none } = await sets();
    expect(none).toHaveLength(0);
    const entry = dead[0]!;
    expect(entry).toMatchObject({
      jid,
      retry_count: 1,
      error_class: "InteropError",
      error_message: "interop: failed again under Verk",
      "error?": true,
    });
    expect(entry.failed_at).toBeCloseTo(retry[0]!.failed_at, 5);
    expect(entry.retried_at).toBeGreaterThan(entry.failed_at);
    expect(Math.abs(entry.score - entry.retried_at!)).toBeLessThan(1);

    // Sidekiq's DeadSet#retry_all pushes Verk's dead entry back; Verk runs it again.
    succeed = true;
    await ctx.ruby(`Sidekiq::DeadSet.new.retry_all; out(true)`);
    await waitFor(() => seen.length === 2, 10_000);
    expect(seen[1]).toMatchObject({ jid, retry_count: 0, args: ["carry"] });
    expect(typeof seen[1]!.enqueued_at).toBe("number");
  });

  it("payloads without `retry` end where Sidekiq puts them: the worker's option, or dropped for an unknown class", async () => {
    const payload = (cls: string, jid: string, queue: string, extra = "") =>
      `{"class":"${cls}","args":["no retry"],"jid":"${jid}","queue":"${queue}","created_at":1800000000.5${extra}}`;
    const cases = [
      ["InteropFailJob", "a"],
      ["NoSuchJob", "b"],
      ["NoSuchJob", "c", ',"retry":true'],
    ] as const;
    for (const [queue, prefix] of [
      ["sk", "1"],
      ["vk", "2"],
    ] as const) {
      for (const [cls, id, extra] of cases) {
        await ctx.redis.lpush(
          `queue:${queue}`,
          payload(cls, `${prefix}${id}`.padEnd(24, "0"), queue, extra ?? ""),
        );
      }
    }
    const sidekiq = ctx.track(await startSidekiq(ctx.redis, ctx.url, ["sk"], 1));
    const fail = defineWorker(
      "InteropFailJob",
      () => {
        throw new InteropError("no retry key");
      },
      { retry: 2 },
    );
    const verk = ctx.node({ queues: { vk: 1 }, workers: [fail] });
    await verk.start();
    const where = async (prefix: string) => {
      const out: Record<string, [string, unknown]> = {};
      for (const set of ["retry", "dead"]) {
        for (const raw of await ctx.redis.zrange(set, 0, -1)) {
          const job = JSON.parse(raw) as { jid: string; retry: unknown };
          if (job.jid.startsWith(prefix)) out[job.jid[1]!] = [set, job.retry];
        }
      }
      return out;
    };
    // Where each job FIRST lands. Sidekiq's app retries after 1 s, so its "a" cycles between
    // `retry` and the queue (and is held in memory while it runs): sample until both sides have
    // placed two jobs, keeping the first place seen, and once more after Sidekiq stopped.
    const seen: Record<string, Record<string, [string, unknown]>> = { "1": {}, "2": {} };
    const sample = async () => {
      for (const prefix of ["1", "2"]) {
        for (const [id, place] of Object.entries(await where(prefix))) seen[prefix]![id] ??= place;
      }
    };
    await waitFor(async () => {
      await sample();
      return Object.keys(seen["1"]!).length >= 2 && Object.keys(seen["2"]!).length >= 2;
    });
    await waitFor(() => verk.runningJobs().length === 0);
    await sidekiq.stop();
    await sample();
    expect(seen["1"]).toEqual({ a: ["retry", 2], c: ["retry", true] });
    expect(seen["2"]).toEqual(seen["1"]);
  });

  it("the dead set keeps Sidekiq's age limit and at most maxJobs entries", async () => {
    const old = JSON.stringify({ class: "Old", args: [], jid: "0".repeat(24), queue: "interop", retry: 0 });
    await ctx.redis.zadd("dead", String(Date.now() / 1000 - 181 * 24 * 3600), old);
    const fail = defineWorker("InteropFailJob", () => {
      throw new InteropError("dead at once");
    });
    const verk = ctx.node({ queues: { interop: 1 }, workers: [fail], dead: { maxJobs: 3 } });
    for (let i = 0; i < 5; i++)
      await verk.enqueue({ class: "InteropFailJob", queue: "interop", args: [i], retry: 0 });
    await verk.start();
    await waitFor(
      async () => (await ctx.redis.llen("queue:interop")) === 0 && verk.runningJobs().length === 0,
    );
    await waitFor(async () => (await ctx.redis.zscore("dead", old)) === null);
    const { dead } = await sets();
    expect(dead.map((e) => e.args)).toEqual([[4], [3], [2]]);
    expect(dead.every((e) => e.retry_count === 0 && e.klass === "InteropFailJob")).toBe(true);
  });
});
