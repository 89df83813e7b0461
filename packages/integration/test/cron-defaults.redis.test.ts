import { defineWorker } from "@verk/core";
import { scheduler } from "@verk/scheduler";
import { until, useRedis } from "@verk/test-redis/vitest";
import { describe, expect, it } from "vitest";
import { node } from "./helpers.js";

describe("cron jobs take the registered worker's options", () => {
  const redis = useRedis();

  it("a periodic job without queue/retry is enqueued on the worker's queue with its retry", async () => {
    const Report = defineWorker("Report", async () => {}, { queue: "reports", retry: 3 });
    const verk = node(redis.url, {
      workers: [Report],
      plugins: [
        scheduler({
          cron: [
            { name: "report", every: 200, job: { class: "Report" } },
            { name: "urgent", every: 200, job: { class: "Report", queue: "urgent", retry: false } },
          ],
        }),
      ],
    });
    await verk.start();
    await until(
      async () =>
        (await redis.redis.llen("queue:reports")) > 0 && (await redis.redis.llen("queue:urgent")) > 0,
      10_000,
      "a tick of each periodic job",
    );
    const [report] = (await redis.redis.lrange("queue:reports", 0, 0)).map((t) => JSON.parse(t));
    expect(report).toMatchObject({ class: "Report", queue: "reports", retry: 3, cron: "report" });
    const [urgent] = (await redis.redis.lrange("queue:urgent", 0, 0)).map((t) => JSON.parse(t));
    expect(urgent).toMatchObject({ queue: "urgent", retry: false, cron: "urgent" });
    expect(await redis.redis.llen("queue:default")).toBe(0);
  });
});
