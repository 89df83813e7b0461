import { createVerk } from "@verk/core";
import { useRedis } from "@verk/test-redis/vitest";
import { describe, expect, it } from "vitest";
import { redisStore } from "../src/index.js";

describe("option checks at connect and construction", () => {
  const fx = useRedis();

  // Issue #11 item 15.
  it("a database index the server does not have fails at connect, naming the DB; nothing is written to DB 0", async () => {
    const store = redisStore({ url: `${fx.url}/99`, sidekiqProcess: false });
    await expect(store.connect()).rejects.toMatchObject({
      code: "INVALID_OPTION",
      field: "url",
      message: expect.stringMatching(
        /database 99 of redis:\/\/127\.0\.0\.1:\d+\/99 cannot be selected \(.*DB index is out of range/,
      ),
    });
    await store.close();
    const producer = createVerk({ store: redisStore({ url: `${fx.url}/99` }) });
    await expect(producer.enqueue({ class: "W", queue: "q" })).rejects.toMatchObject({
      code: "INVALID_OPTION",
    });
    await producer.stop();
    const node = createVerk({ store: redisStore({ url: `${fx.url}/99` }), queues: { q: 1 } });
    await expect(node.start()).rejects.toMatchObject({ code: "INVALID_OPTION", field: "url" });
    expect(await fx.redis.dbsize()).toBe(0);
    // A database that exists works, and stays apart from DB 0.
    const db3 = createVerk({ store: redisStore({ url: `${fx.url}/3` }) });
    await db3.enqueue({ class: "W", queue: "q" });
    await db3.stop();
    expect(await fx.redis.dbsize()).toBe(0);
    await fx.redis.select(3);
    expect(await fx.redis.llen("queue:q")).toBe(1);
    await fx.redis.select(0);
  });

  // Issue #11 item 16.
  it("rejects unknown keys, top-level and nested, naming the key and the closest known one", () => {
    const cases: [unknown, string, string][] = [
      [{ nmespace: "app" }, "redisStore.nmespace", "namespace"],
      [{ url: fx.url, heartbeatMS: 100 }, "redisStore.heartbeatMS", "heartbeatMs"],
      [{ waitReplicas: { replicas: 1, timeoutMS: 10 } }, "redisStore.waitReplicas.timeoutMS", "timeoutMs"],
      [{ sidekiqProcess: { intervalMS: 1_000 } }, "redisStore.sidekiqProcess.intervalMS", "intervalMs"],
      [{ sidekiqProcess: { lables: ["x"] } }, "redisStore.sidekiqProcess.lables", "labels"],
    ];
    for (const [options, field, hint] of cases) {
      let error: unknown;
      try {
        redisStore(options as never);
      } catch (e) {
        error = e;
      }
      expect(error, field).toMatchObject({
        code: "INVALID_OPTION",
        field,
        message: expect.stringContaining(`did you mean "${hint}"?`),
      });
    }
  });
});
