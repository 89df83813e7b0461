import { describe, expect, it } from "vitest";
import { createKeys } from "../src/keys.js";
import { PushBatcher } from "../src/push-batcher.js";
import { job, useRedis } from "./helpers.js";

describe("PushBatcher", () => {
  const { redis } = useRedis();

  it("coalesces the pushes of one tick into one LPUSH per queue, keeping FIFO order", async () => {
    const batcher = new PushBatcher(redis(), createKeys());
    await redis().config("RESETSTAT");
    await Promise.all([
      batcher.push([{ queue: "q", raw: job("1") }]),
      batcher.push([
        { queue: "q", raw: job("2") },
        { queue: "other", raw: job("x") },
      ]),
      batcher.push([{ queue: "q", raw: job("3") }]),
    ]);
    const stats = await redis().info("commandstats");
    expect(/cmdstat_lpush:calls=(\d+)/.exec(stats)?.[1]).toBe("2");
    // Taken from the right: the first pushed comes out first.
    const order = [];
    for (let n = 0; n < 3; n++) order.push(JSON.parse((await redis().rpop("queue:q"))!).jid);
    expect(order).toEqual(["1", "2", "3"]);
    expect(await redis().lrange("queue:other", 0, -1)).toEqual([job("x")]);
    expect((await redis().smembers("queues")).sort()).toEqual(["other", "q"]);
  });

  it("splits more than 1,000 payloads of a queue into several LPUSH commands, in order", async () => {
    const batcher = new PushBatcher(redis(), createKeys("ns"));
    const jobs = Array.from({ length: 2_500 }, (_, i) => ({ queue: "q", raw: job(String(i)) }));
    await batcher.push(jobs);
    expect(await redis().llen("ns:queue:q")).toBe(2_500);
    expect(JSON.parse((await redis().rpop("ns:queue:q"))!).jid).toBe("0");
    expect(JSON.parse((await redis().lpop("ns:queue:q"))!).jid).toBe("2499");
  });

  it("rejects only the pushes whose queue failed", async () => {
    const batcher = new PushBatcher(redis(), createKeys());
    await redis().set("queue:bad", "not a list");
    const results = await Promise.allSettled([
      batcher.push([{ queue: "bad", raw: job("b") }]),
      batcher.push([{ queue: "good", raw: job("g") }]),
    ]);
    expect(results[0].status).toBe("rejected");
    expect(results[1].status).toBe("fulfilled");
    expect(await redis().lrange("queue:good", 0, -1)).toEqual([job("g")]);
  });

  it("flush() sends what is pending at once and waits for the replies", async () => {
    const batcher = new PushBatcher(redis(), createKeys());
    const pushed = batcher.push([{ queue: "q", raw: job("f") }]);
    await batcher.flush();
    expect(await redis().llen("queue:q")).toBe(1);
    await pushed;
  });
});
