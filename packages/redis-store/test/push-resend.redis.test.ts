import { startProxy } from "@verk/test-redis";
import { until } from "@verk/test-redis/vitest";
import { describe, expect, it } from "vitest";
import { redisStore } from "../src/index.js";
import { job, useRedis } from "./helpers.js";

const sleep = (ms: number) => new Promise((resolve) => setTimeout(resolve, ms));

/**
 * Issue #11 item 8: ioredis re-sends a command whose reply was lost when the connection dropped
 * (`autoResendUnfulfilledCommands`). A batch push re-sent that way must not be written twice: its
 * token, claimed in the same script as the LPUSH, makes the re-sent call a no-op.
 */
describe("batch pushes re-sent after a lost reply", () => {
  const { redis } = useRedis();

  it("are written once: replies held, connections cut after Redis ran every push (3 runs of 4,500 jobs)", async () => {
    const proxy = await startProxy(redis().options.port!);
    const store = redisStore({ url: proxy.url, sidekiqProcess: false });
    const queues = ["big", ...Array.from({ length: 10 }, (_, q) => `q${q}`)];
    const stored = async () => {
      const lists = await Promise.all(queues.map((q) => redis().lrange(`queue:${q}`, 0, -1)));
      return lists.flat().map((raw) => JSON.parse(raw).jid as string);
    };
    try {
      await store.connect();
      let total = 0;
      for (let run = 0; run < 3; run++) {
        // A push answered first, so ioredis knows the script is loaded and sends the pushes below
        // at once (not behind a SCRIPT EXISTS whose reply the proxy would hold).
        await store.push([{ queue: "warm", raw: job(`warm-${run}`) }]);
        proxy.pause("replies");
        // One tick: 13 push script calls in one pipeline (2,500 jobs in 3 chunks, 10 × 200).
        const jobs = [
          ...Array.from({ length: 2_500 }, (_, i) => ({ queue: "big", raw: job(`${run}-big-${i}`) })),
          ...Array.from({ length: 2_000 }, (_, i) => ({ queue: `q${i % 10}`, raw: job(`${run}-q-${i}`) })),
        ];
        const pushes = jobs.map((entry) => store.push([entry]));
        total += jobs.length;
        // Every push reached Redis and ran; none of the replies reached the client.
        await until(async () => (await stored()).length === total, 10_000, `run ${run}'s pushes in Redis`);
        proxy.cut();
        proxy.resume();
        await Promise.all(pushes); // re-sent after the reconnect, answered "already written"
        expect(proxy.accepted).toBe(run + 2); // one reconnect per run: the pushes were re-sent
        const jids = await stored();
        expect(jids).toHaveLength(total);
        expect(new Set(jids).size).toBe(total);
      }
    } finally {
      await store.close();
      await proxy.close();
    }
    // The tokens are deleted once their reply arrived (the TTL is only a safety net).
    expect(await redis().keys("verk:push:*")).toEqual([]);
  });

  it("are written once while replies are dropped and connections cut every 30 ms (5,000 one-job pushes)", async () => {
    const proxy = await startProxy(redis().options.port!);
    const store = redisStore({ url: proxy.url, sidekiqProcess: false });
    let cutting = true;
    const cutter = (async () => {
      while (cutting) {
        await sleep(20);
        proxy.pause("replies"); // what is sent now runs in Redis, its reply is lost with the cut
        await sleep(10);
        proxy.cut();
        proxy.resume();
      }
    })();
    try {
      await store.connect();
      const pushes: Promise<void>[] = [];
      for (let i = 0; i < 5_000; i++) {
        pushes.push(store.push([{ queue: "r", raw: job(`r${i}`) }]));
        if (i % 100 === 99) await sleep(5);
      }
      const outcomes = await Promise.allSettled(pushes);
      cutting = false;
      await cutter;
      expect(proxy.accepted).toBeGreaterThan(3);
      const jids = (await redis().lrange("queue:r", 0, -1)).map((raw) => JSON.parse(raw).jid as string);
      expect(new Set(jids).size).toBe(jids.length); // never twice
      outcomes.forEach((outcome, i) => {
        if (outcome.status === "fulfilled") expect(jids).toContain(`r${i}`); // resolved means stored
      });
      expect(outcomes.filter((o) => o.status === "fulfilled").length).toBeGreaterThan(4_000);
    } finally {
      cutting = false;
      await cutter;
      await store.close();
      await proxy.close();
    }
  });
});
