import { defineWorker, UnknownWorkerError } from "@verk/core";
import { until, useRedis } from "@verk/test-redis/vitest";
import { describe, expect, it } from "vitest";
import { node, recordingLogger } from "./helpers.js";

describe("a job of a class no worker knows", () => {
  const redis = useRedis();

  it("without a retry field is dropped as Sidekiq does, with a warning and a job:failed saying so", async () => {
    const noRetry = `{"class":"NoSuchJob","args":[1],"jid":"${"a".repeat(24)}","queue":"q","created_at":1800000000.5}`;
    const withRetry = `{"class":"NoSuchJob","args":[2],"jid":"${"b".repeat(24)}","queue":"q","retry":true,"created_at":1800000000.5}`;
    await redis.redis.lpush("queue:q", noRetry, withRetry);
    const logger = recordingLogger();
    const verk = node(redis.url, {
      queues: { q: 1 },
      workers: [defineWorker("Known", () => {}, { queue: "q" })],
      logger,
      logLevel: "warn",
    });
    const failed: { jid: string; outcome: string; error: unknown }[] = [];
    verk.on("job:failed", (e) => void failed.push({ jid: e.job.jid, outcome: e.outcome, error: e.error }));
    await verk.start();
    await until(() => failed.length === 2, 10_000, "two job:failed events");

    const dropped = failed.find((f) => f.jid === "a".repeat(24))!;
    expect(dropped.outcome).toBe("discard");
    expect(dropped.error).toBeInstanceOf(UnknownWorkerError);
    expect(dropped.error).toMatchObject({ code: "UNKNOWN_WORKER", dropped: true });
    expect((dropped.error as Error).message).toMatch(
      /no worker registered for class "NoSuchJob".*no "retry" field: the job was dropped, as Sidekiq does/,
    );
    const warning = logger.lines.find((l) => l.level === "warn" && l.message.includes("a".repeat(24)));
    expect(warning?.message).toBe(`NoSuchJob ${"a".repeat(24)} failed (discard)`);

    // With `retry: true` it is retried, so that a later deploy can run it.
    const retried = failed.find((f) => f.jid === "b".repeat(24))!;
    expect(retried.outcome).toBe("retry");
    const entries = (await redis.redis.zrange("retry", 0, -1)).map((t) => JSON.parse(t));
    expect(entries).toEqual([
      expect.objectContaining({
        jid: "b".repeat(24),
        error_class: "UnknownWorkerError",
        error_message: 'no worker registered for class "NoSuchJob" on this node',
      }),
    ]);
    expect(await redis.redis.zcard("dead")).toBe(0);
  });
});
