import { fileURLToPath } from "node:url";
import { createVerk } from "@verk/core";
import { redisStore } from "@verk/redis-store";
import { useRedis } from "@verk/test-redis/vitest";
import { describe, expect, it } from "vitest";
import { startNodeProcess } from "./node-process.js";

const CLOCK_AHEAD = fileURLToPath(new URL("./fixtures/clock-ahead.mjs", import.meta.url));

/**
 * Issue #11 item 12: a node whose clock runs 30 s ahead would run every scheduled job 30 s early.
 * Due-ness follows Redis's clock (`TIME`, measured at connect and every minute), and the skew is
 * warned past `clockSkewWarnMs` (default 1 s).
 */
describe("a node whose clock runs 30 s ahead", () => {
  const redis = useRedis();

  it("runs scheduled jobs at their time by Redis's clock, not early, and warns about the skew", async () => {
    const producer = createVerk({ store: redisStore({ url: redis.url, sidekiqProcess: false }) });
    const at = Date.now() + 3_000;
    await producer.schedule({ class: "Quick", queue: "q", args: ["on-time"] }, at);
    await producer.stop();
    const skewed = startNodeProcess(
      { VERK_URL: redis.url, VERK_POLL_MS: "200", VERK_CLOCK_SKEW_MS: "30000" },
      ["--import", CLOCK_AHEAD],
    );
    const warning = await skewed.waitFor(
      (l) => l.event === "log" && /clock differs from Redis's by -\d+ ms/.test(String(l.message)),
      "the clock-skew warning",
    );
    expect(warning.level).toBe("warn");
    expect(String(warning.message)).toMatch(/by -(29|30)\d\d\d ms/);
    await skewed.waitFor((l) => l.event === "started", "the node to start");
    const ranLine = await skewed.waitFor(
      (l) => l.event === "ran" && l.id === "on-time",
      "the scheduled job",
      15_000,
    );
    const ranAt = Date.now(); // this process's (correct) clock
    expect(ranAt).toBeGreaterThanOrEqual(at - 50); // not early
    expect(ranAt).toBeLessThan(at + 5_000);
    expect(Number(ranLine.at) - ranAt).toBeGreaterThan(25_000); // the child's clock really is ahead
  });
});
