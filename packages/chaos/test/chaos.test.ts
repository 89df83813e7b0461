import { describe, it } from "vitest";
// @ts-expect-error: plain ESM harness without type declarations
import { detail, runChaos, summary } from "../src/harness.mjs";
import { expectGuaranteesHeld } from "./expect-held.js";

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
    expectGuaranteesHeld(result, 5);
  }, 90_000);
});
