import { until, useRedis } from "@verk/test-redis/vitest";
import { describe, expect, it } from "vitest";
import { cleanUpAfterEach, lines, node, retrySet, tempFile } from "./isolation-helpers.js";

const redis = useRedis();
cleanUpAfterEach();

describe("timeouts are real in isolated queues", () => {
  it("thread: an endless loop past its timeout fails with JobTimeoutError and its thread is terminated, freeing the slot", async () => {
    const verk = node(redis.url, {
      queues: { iso: { concurrency: 1, isolation: "thread", timeoutGraceMs: 100 } },
    });
    const finished: string[] = [];
    verk.on("job:finished", ({ job }) => {
      finished.push(job.class);
    });
    await verk.start();
    await verk.enqueue({ class: "Loop", queue: "iso" });
    // Concurrency 1: this one can only run once the looping body is gone.
    await verk.enqueue({ class: "Ok", queue: "iso" });
    await until(() => finished.includes("Ok"), 10_000, "the job after the endless loop");
    const [failed] = await retrySet(redis.redis);
    expect(failed).toMatchObject({
      class: "Loop",
      error_class: "JobTimeoutError",
      error_message: "Loop timed out after 200 ms",
    });
  });

  it("process: never more handler bodies alive than the concurrency, though none honours its signal", async () => {
    const log = tempFile("loops.log");
    const verk = node(redis.url, {
      queues: { iso: { concurrency: 2, isolation: "process", timeoutGraceMs: 100 } },
    });
    await verk.start();
    for (let i = 0; i < 5; i++) await verk.enqueue({ class: "Loop", queue: "iso", args: [log] });
    await until(async () => (await retrySet(redis.redis)).length === 5, 15_000, "five timeouts");
    const started = lines(log).map((line) => line.split(" "));
    expect(started).toHaveLength(5);
    // Each body counted the other Loop processes still alive when it started: at most 2 - 1.
    for (const [, , alive] of started) expect(Number(alive)).toBeLessThanOrEqual(1);
    for (const job of await retrySet(redis.redis)) expect(job.error_class).toBe("JobTimeoutError");
  });

  it("a handler that honours its signal frees its slot when it ends, not after the grace", async () => {
    const verk = node(redis.url, {
      queues: { iso: { concurrency: 1, isolation: "thread", timeoutGraceMs: 30_000 } },
    });
    const finished: string[] = [];
    verk.on("job:finished", ({ job }) => {
      finished.push(job.class);
    });
    await verk.start();
    await verk.enqueue({ class: "Polite", queue: "iso" });
    await verk.enqueue({ class: "Ok", queue: "iso" });
    await until(
      () => finished.includes("Ok"),
      8_000,
      "the job after the polite one (well within the 30 s grace)",
    );
    const [failed] = await retrySet(redis.redis);
    expect(failed).toMatchObject({ class: "Polite", error_class: "JobTimeoutError" });
  });
});
