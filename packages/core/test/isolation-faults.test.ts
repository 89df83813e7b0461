import { until, useRedis } from "@verk/test-redis/vitest";
import { describe, expect, it } from "vitest";
import { defineWorker } from "../src/worker.js";
import { cleanUpAfterEach, node, retrySet } from "./isolation-helpers.js";

const redis = useRedis();
cleanUpAfterEach();

/** A worker of an in-process queue of the same node, to show the node and its other queues go on. */
function localCounter() {
  const state = { runs: 0 };
  const Local = defineWorker(
    "Local",
    () => {
      state.runs++;
    },
    { queue: "other" },
  );
  return { state, Local };
}

describe("a fault in an isolated queue fails only the job that had it; the thread or process is replaced", () => {
  it.each([
    ["thread", "Exits", {}, /^worker thread exited with code 3 while running this job$/],
    [
      "thread",
      "Uncaught",
      {},
      /^worker thread crashed with an uncaught exception \(TypeError: thrown from a timer\) while running this job$/,
    ],
    [
      "thread",
      "Unhandled",
      {},
      /^worker thread crashed with an unhandled rejection \(RangeError: nobody handles this\) while running this job$/,
    ],
    [
      "thread",
      "Hog",
      { maxOldGenerationSizeMb: 32 },
      /^worker thread ran out of memory \(maxOldGenerationSizeMb 32\) while running this job$/,
    ],
    ["process", "Exits", {}, /^worker process exited with code 3 while running this job$/],
    ["process", "Aborts", {}, /^worker process was killed by SIGABRT while running this job$/],
    [
      "process",
      "Hog",
      { maxOldGenerationSizeMb: 32 },
      /^worker process ran out of memory \(maxOldGenerationSizeMb 32\) while running this job$/,
    ],
  ] as const)("%s mode, %s", async (mode, fault, resourceLimits, message) => {
    const { state, Local } = localCounter();
    const verk = node(redis.url, {
      queues: { iso: { concurrency: 1, isolation: mode, resourceLimits }, other: 1 },
      workers: [Local],
    });
    const finished: string[] = [];
    verk.on("job:finished", ({ job }) => {
      finished.push(job.class);
    });
    await verk.start();
    await verk.enqueue({ class: fault, queue: "iso" });
    // Runs after the fault (concurrency 1): on the replacement.
    await verk.enqueue({ class: "Ok", queue: "iso", args: ["after"] });
    await verk.enqueue({ class: "Local", queue: "other" });
    await until(
      async () => (await retrySet(redis.redis)).length === 1 && finished.includes("Ok"),
      15_000,
      "the fault and the next job",
    );
    const [failed] = await retrySet(redis.redis);
    expect(failed).toMatchObject({ class: fault, retry_count: 0, error_class: "WorkerCrashedError" });
    expect(String(failed!.error_message)).toMatch(message);
    expect(state.runs).toBe(1);
    expect(await redis.redis.llen("queue:iso")).toBe(0);
    await verk.stop({ timeout: 2_000 });
    expect(await redis.redis.keys("inprogress:*")).toEqual([]);
  });
});

describe("an isolated queue that keeps crashing", () => {
  it("is backed off: the gaps between crashes grow, and the jobs not yet run wait in the queue", async () => {
    const verk = node(redis.url, { queues: { iso: { concurrency: 1, isolation: "thread" } } });
    await verk.start();
    for (let i = 0; i < 30; i++) await verk.enqueue({ class: "Exits", queue: "iso", args: [i] });
    // Crashes come at once, then after 200, 400, 800 ms: five crashes take about 1.4 s, not a hot loop.
    await until(async () => (await retrySet(redis.redis)).length >= 5, 15_000, "five crashes");
    const times = (await retrySet(redis.redis))
      .map((job) => Number(job.failed_at) * 1000)
      .sort((a, b) => a - b);
    const gaps = times.slice(1).map((t, i) => t - times[i]!);
    expect(gaps[2]!).toBeGreaterThanOrEqual(150); // after the 3rd crash: 200 ms
    expect(gaps[3]!).toBeGreaterThanOrEqual(350); // after the 4th: 400 ms
    expect(times[4]! - times[0]!).toBeGreaterThanOrEqual(700);
    // Not failed en masse: most jobs are still waiting.
    expect(await redis.redis.llen("queue:iso")).toBeGreaterThanOrEqual(20);
  });
});
