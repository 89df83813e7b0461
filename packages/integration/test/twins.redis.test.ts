import { createVerk } from "@verk/core";
import { redisStore } from "@verk/redis-store";
import { until, useRedis } from "@verk/test-redis/vitest";
import { describe, expect, it } from "vitest";
import { startNodeProcess } from "./node-process.js";

/**
 * Issue #11 item 10 (Verk's #155): two live processes with the same `nodeId` would put each
 * other's long jobs back, so every such job runs twice. The second `start()` refuses with
 * `NODE_ID_IN_USE`; a restart after a crash (SIGKILL) still takes its own jobs back.
 */
describe("two processes with one nodeId", () => {
  const redis = useRedis();

  it("the second start() rejects with NODE_ID_IN_USE; after a SIGKILL the restart takes its jobs back", async () => {
    const env = { VERK_URL: redis.url, VERK_NODE_ID: "twin" };
    const first = startNodeProcess(env);
    await first.waitFor((l) => l.event === "started", "the first node to start");
    const producer = createVerk({ store: redisStore({ url: redis.url, sidekiqProcess: false }) });
    await producer.enqueueBulk([1, 2].map((n) => ({ class: "Hold", queue: "q", args: [`long-${n}`] })));
    await until(() => first.lines.filter((l) => l.event === "ran").length === 2, 5_000, "two long jobs");

    const twin = startNodeProcess(env);
    const refused = await twin.waitFor((l) => l.event === "start-failed", "the twin to be refused");
    expect(refused).toMatchObject({
      code: "NODE_ID_IN_USE",
      message: expect.stringContaining('another live process runs as node "twin"'),
    });
    expect(await twin.exited).toBe(3);
    expect(twin.lines.filter((l) => l.event === "ran")).toEqual([]); // it took nothing
    expect(await redis.redis.llen("inprogress:q:twin")).toBe(2); // the first node still holds them
    expect(first.lines.filter((l) => l.event === "ran")).toHaveLength(2); // and nothing ran twice

    first.child.kill("SIGKILL");
    expect(await first.exited).toBe("SIGKILL");
    const restarted = startNodeProcess(env);
    await restarted.waitFor((l) => l.event === "started", "the restart after the crash");
    await until(() => restarted.lines.filter((l) => l.event === "ran").length === 2, 5_000, "its jobs back");
    expect(
      restarted.lines
        .filter((l) => l.event === "ran")
        .map((l) => l.id)
        .sort(),
    ).toEqual(["long-1", "long-2"]);
    expect(
      restarted.lines.some(
        (l) => l.event === "log" && /left in progress by an earlier run of node twin/.test(String(l.message)),
      ),
    ).toBe(true);
    await producer.stop();
  });
});
