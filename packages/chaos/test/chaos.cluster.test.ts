import { describe, expect, it } from "vitest";
// @ts-expect-error: plain ESM harness without type declarations
import { runChaos, summary } from "../src/harness.mjs";

describe("chaos on a Redis Cluster (cluster key layout): SIGKILLed workers and a master restart lose no job", () => {
  it("runs every job of 3 queues on 3 masters at least once, leaves nothing behind, bounds duplicates", async () => {
    const result = await runChaos({
      topology: "cluster",
      jobs: 2_400,
      workers: 3,
      produceMs: 12_000,
      killEveryMs: 1_500,
      redisRestarts: 1,
      drainTimeoutMs: 25_000,
    });
    console.log(summary(result), `(in flight at kills ${result.inFlightAtKills})`);
    expect(result.lost).toBe(0);
    expect(result.leftovers).toEqual({});
    expect(result.kills).toBeGreaterThanOrEqual(3);
    expect(result.redisRestarts).toBe(1);
    expect(result.duplicates).toBeLessThanOrEqual(result.inFlightAtKills + result.inFlightAtRedisRestarts);
  }, 90_000);
});
