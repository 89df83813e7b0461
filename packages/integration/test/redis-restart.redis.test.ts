import { defineWorker } from "@verk/core";
import { until, useRedis } from "@verk/test-redis/vitest";
import { describe, expect, it } from "vitest";
import { node, recordingLogger } from "./helpers.js";

/**
 * Issue #11 item 9: a Redis without persistence restarted mid-run comes back empty. The node says
 * (as an error, and an `error` event) that jobs may have been lost, and each late ack names that
 * cause instead of "recovered elsewhere".
 */
describe("Redis restarted empty mid-run", () => {
  const redis = useRedis();

  it("logs that jobs may have been lost, and the late acks name the real cause", async () => {
    const releases: (() => void)[] = [];
    const ran: string[] = [];
    const Hold = defineWorker("Hold", (id: string) => {
      ran.push(id);
      if (id.startsWith("held")) return new Promise<void>((resolve) => releases.push(resolve));
    });
    const logger = recordingLogger();
    const verk = node(redis.url, {
      queues: { q: 3 },
      workers: [Hold],
      liveness: { heartbeatMs: 250 },
      logger,
    });
    const errors: { context?: string }[] = [];
    verk.on("error", (event) => {
      errors.push(event);
    });
    await verk.start();
    await verk.enqueueBulk(
      ["held-1", "held-2", "held-3"].map((id) => ({ class: "Hold", queue: "q", args: [id] })),
    );
    await verk.enqueueBulk(
      Array.from({ length: 20 }, (_, i) => ({ class: "Hold", queue: "q", args: [`w${i}`] })),
    );
    await until(() => releases.length === 3, 5_000, "three jobs running");
    expect(await redis.redis.llen("queue:q")).toBe(20);

    await redis.server.kill();
    await redis.server.restart(); // no persistence: empty
    await until(
      () =>
        logger.lines.some(
          (l) => l.level === "error" && /jobs waiting or in progress may have been lost/.test(l.message),
        ),
      10_000,
      "the data-loss error",
    );
    expect(errors.map((e) => e.context)).toContain("data-lost");
    await until(
      () => logger.lines.some((l) => /restarted \(run_id changed\)/.test(l.message)),
      5_000,
      "run_id",
    );

    for (const release of releases) release();
    await until(
      () => logger.lines.filter((l) => /^late ack/.test(l.message)).length === 3,
      5_000,
      "late acks",
    );
    for (const line of logger.lines.filter((l) => /^late ack/.test(l.message))) {
      expect(line.message).toContain(
        "the store lost its data meanwhile: Redis restarted empty or was flushed",
      );
      expect(line.message).not.toContain("recovered elsewhere");
    }
    // Nothing claims a peer recovered the jobs, and the node goes on working on the new Redis.
    expect(logger.lines.filter((l) => /heartbeat expired/.test(l.message))).toEqual([]);
    await verk.enqueue({ class: "Hold", queue: "q", args: ["after"] });
    await until(() => ran.includes("after"), 5_000, "a job after the restart");
    expect(ran.filter((id) => id.startsWith("w"))).toEqual([]); // the 20 waiting jobs were lost with the data
  });
});
