import { describe, expect, it } from "vitest";
// @ts-expect-error: plain ESM harness without type declarations
import { detail, runChaos, summary } from "../src/harness.mjs";

describe("chaos: SIGKILLed workers and a Redis restart lose no job", () => {
  it("runs every job at least once, leaves nothing behind, bounds duplicates", async () => {
    const result = await runChaos({
      jobs: 4_000,
      workers: 4,
      produceMs: 20_000,
      killEveryMs: 1_500,
      redisRestarts: 1,
      drainTimeoutMs: 25_000,
    });
    console.log(summary(result), detail(result));
    expect(result.lost).toBe(0);
    expect(result.leftovers).toEqual({});
    expect(result.kills).toBeGreaterThanOrEqual(5);
    expect(result.redisRestarts).toBe(1);
    // A duplicate is a job that ran on a worker killed before its ack, whose outcome was in
    // flight when Redis went away, or that a peer recovered from a live worker starved past the
    // TTL (at-least-once by design; counted from the workers' jobs:recovered events).
    expect(result.duplicates).toBeLessThanOrEqual(
      result.inFlightAtKills + result.inFlightAtRedisRestarts + result.recoveredFromLive,
    );
  }, 90_000);
});
