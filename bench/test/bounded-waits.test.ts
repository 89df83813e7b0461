import { describe, expect, it } from "vitest";
import { startBenchRedis } from "../src/redis.js";
import { renderTable } from "../src/report.js";
import { WorkerPool } from "../src/workers.js";
import { completedWithin, timedOut } from "../src/workloads/measure.js";

describe("bounded waits", () => {
  it("a pool that cannot complete the jobs reports a timeout instead of hanging", async () => {
    const redis = await startBenchRedis();
    const pool = await WorkerPool.open({
      system: "verk",
      url: redis.url,
      processes: 1,
      concurrency: 5,
      latency: false,
    });
    try {
      pool.start();
      const t0 = Date.now();
      expect(await completedWithin(pool, 1, 300)).toBe(false); // no job was ever enqueued
      expect(Date.now() - t0).toBeLessThan(5_000);
      expect(await timedOut(redis.admin, "dueAtOnce2kMs", "dueAtOnce2kStallMs")).toEqual({
        timedOut: ["dueAtOnce2kMs"],
        dueAtOnce2kStallMs: 0,
      });
    } finally {
      await pool.close();
      await redis.stop();
    }
  }, 30_000);

  it("the table shows a timed-out workload as timeout and leaves rows nobody measured out", () => {
    const table = renderTable(
      ["verk", "bullmq"],
      { verk: "Verk", bullmq: "BullMQ" },
      { verk: { dueAtOnce2kStallMs: 0 }, bullmq: { dueAtOnce2kMs: 395, dueAtOnce2kStallMs: 0 } },
      { verk: ["dueAtOnce2kMs"] },
    );
    const row = table.split("\n").find((line) => line.includes("2 KB due at one instant"));
    expect(row?.replace(/\s+/g, " ")).toBe(
      "| jobs of 2 KB due at one instant: all done after, ms | timeout | 395 |",
    );
    expect(table).not.toContain("process, 1 worker");
    expect(table).toContain("due at once 2 KB: worst Redis latency event, ms");
  });
});
