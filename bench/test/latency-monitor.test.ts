import { startRedis, type TestRedis } from "@verk/test-redis";
import { Redis } from "ioredis";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { enableLatencyMonitor, resetLatency, worstLatency } from "../src/latency-monitor.js";

/** A script that keeps Redis busy for `ARGV[1]` ms (reads the server clock in a loop). */
const SPIN = `
local function now() local t = redis.call('TIME'); return t[1] * 1000 + t[2] / 1000 end
local stop = now() + tonumber(ARGV[1])
while now() < stop do end
return 1`;

describe("the bench's latency monitor", () => {
  let server: TestRedis;
  let admin: Redis;
  beforeAll(async () => {
    server = await startRedis();
    admin = new Redis(server.url);
    await enableLatencyMonitor(admin);
  });
  afterAll(async () => {
    await admin.quit();
    await server.stop();
  });

  it("reports 0 when no event reached 10 ms", async () => {
    await resetLatency(admin);
    await admin.set("k", "v");
    expect(await worstLatency(admin)).toEqual({ ms: 0, event: undefined });
  });

  it("reports a script call that blocked Redis for 10 ms or more, as a command event", async () => {
    await resetLatency(admin);
    await admin.eval(SPIN, 0, 30);
    await admin.eval(SPIN, 0, 15);
    const worst = await worstLatency(admin);
    expect(worst.event).toBe("command");
    expect(worst.ms).toBeGreaterThanOrEqual(30);
    await resetLatency(admin);
    expect((await worstLatency(admin)).ms).toBe(0);
  });
});
