import { describe, expect, it } from "vitest";
import { flowKeys } from "../src/flow/keys.js";
import { UniquePushBatcher } from "../src/flow/unique-batcher.js";
import { createKeys } from "../src/keys.js";
import { job, useRedis } from "./helpers.js";

describe("UniquePushBatcher", () => {
  const { redis } = useRedis();
  const lock = (digest: string) => ({ digest, ttlMs: 60_000 });

  it("coalesces the unique pushes of one tick per queue, in order, with one outcome per job", async () => {
    const keys = createKeys();
    const batcher = new UniquePushBatcher(redis(), keys, flowKeys(keys));
    await batcher.push([{ queue: "warm", raw: job("w"), jid: "w" }]); // loads the script
    await redis().config("RESETSTAT");
    const [one, two, three] = await Promise.all([
      batcher.push([{ queue: "q", raw: job("1"), jid: "1", lock: lock("d1") }]),
      batcher.push([
        { queue: "q", raw: job("2"), jid: "2", lock: lock("d1") },
        { queue: "other", raw: job("x"), jid: "x" },
      ]),
      batcher.push([{ queue: "q", raw: job("3"), jid: "3" }]),
    ]);
    expect(one).toEqual([{ pushed: true }]);
    expect(two).toEqual([{ pushed: false, heldBy: "1" }, { pushed: true }]);
    expect(three).toEqual([{ pushed: true }]);
    const stats = await redis().info("commandstats");
    expect(/cmdstat_evalsha:calls=(\d+)/.exec(stats)?.[1]).toBe("2");
    expect((await redis().lrange("queue:q", 0, -1)).map((t) => JSON.parse(t).jid)).toEqual(["3", "1"]);
    expect(await redis().get("verk:unique:d1")).toBe("1");
    expect((await redis().smembers("queues")).sort()).toEqual(["other", "q", "warm"]);
  });

  it("splits more than 1,000 jobs of a queue into several calls, keeping order; cleanup deletes the tokens", async () => {
    const keys = createKeys("ns", "cluster");
    const batcher = new UniquePushBatcher(redis(), keys, flowKeys(keys));
    const jobs = Array.from({ length: 1_500 }, (_, i) => ({
      queue: "q",
      raw: job(String(i)),
      jid: String(i),
      lock: lock(`d${i % 1_200}`),
    }));
    const outcomes = await batcher.push(jobs);
    expect(outcomes.filter((o) => o.pushed)).toHaveLength(1_200);
    expect(outcomes[1_250]).toEqual({ pushed: false, heldBy: "50" });
    const queued = (await redis().lrange("ns:verk:{q}:queue", 0, -1)).map((t) => Number(JSON.parse(t).jid));
    expect(queued.reverse()).toEqual(Array.from({ length: 1_200 }, (_, i) => i));
    expect(await redis().hget("ns:verk:{q}:flow", "duplicates")).toBe("300");
    expect(await redis().sismember("ns:{verk}:queues", "q")).toBe(1);
    await batcher.cleanup();
    expect(await redis().keys("ns:verk:{q}:push:*")).toEqual([]);
  });
});
