import { isVerkError } from "@verk/core";
import { useRedis } from "@verk/test-redis/vitest";
import { describe, expect, it } from "vitest";
import { node } from "./helpers.js";

describe("calls after stop() on a Redis store", () => {
  const redis = useRedis();

  it("reject with INVALID_STATE saying the instance is stopped, never a raw 'Connection is closed.'", async () => {
    const verk = node(redis.url, { queues: { q: 1 } });
    await verk.start();
    await verk.enqueue({ class: "W", queue: "other" });
    await verk.stop();
    const calls: [string, () => Promise<unknown>][] = [
      ["enqueue", () => verk.enqueue({ class: "W", queue: "other" })],
      ["enqueueBulk", () => verk.enqueueBulk([{ class: "W", queue: "other" }])],
      ["schedule", () => verk.schedule({ class: "W", queue: "other" }, Date.now() + 60_000)],
      ["pauseQueue", () => verk.pauseQueue("q")],
      ["resumeQueue", () => verk.resumeQueue("q")],
    ];
    for (const [what, call] of calls) {
      const error = await call().catch((e: unknown) => e);
      expect(isVerkError(error), what).toBe(true);
      expect(error, what).toMatchObject({
        code: "INVALID_STATE",
        message: expect.stringMatching(new RegExp(`^cannot ${what}: this Verk instance is stopped`)),
      });
    }
    expect(await redis.redis.llen("queue:other")).toBe(1);
    expect(await redis.redis.zcard("schedule")).toBe(0);
    expect(await redis.redis.smembers("verk:paused")).toEqual([]);
  });

  it("a producer-only instance stopped while an enqueue is in flight gives a typed error or the jid", async () => {
    const verk = node(redis.url);
    await verk.enqueue({ class: "W", queue: "q" });
    const pending = Array.from({ length: 50 }, (_, i) => verk.enqueue({ class: "W", queue: "q", args: [i] }));
    await verk.stop();
    const outcomes = await Promise.allSettled(pending);
    for (const outcome of outcomes) {
      if (outcome.status === "fulfilled") expect(outcome.value).toMatch(/^[0-9a-f]{24}$/);
      else expect(outcome.reason).toMatchObject({ code: "INVALID_STATE" });
    }
  });
});
