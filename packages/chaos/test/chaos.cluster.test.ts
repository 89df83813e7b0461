import { describe, it } from "vitest";
// @ts-expect-error: plain ESM harness without type declarations
import { detail, runChaos, summary } from "../src/harness.mjs";
import { expectGuaranteesHeld } from "./expect-held.js";

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
      // 3 masters and 3 workers share 2 cores with the other suites: a 1 s TTL lets a node starved
      // of CPU for a second look dead (its jobs then run twice, beyond the bound checked below)
      nodeTtlMs: 3_000,
    });
    console.log(summary(result), detail(result));
    expectGuaranteesHeld(result, 3);
  }, 90_000);
});
