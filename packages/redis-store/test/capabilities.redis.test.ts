import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { redisStore } from "../src/index.js";
import { runScript } from "../src/scripts.js";
import { useRedis } from "./helpers.js";

const fx = useRedis();
let store: ReturnType<typeof redisStore>;

beforeAll(async () => {
  store = redisStore({ url: fx.server().url, sidekiqProcess: false } as never);
  await store.connect();
});
afterAll(async () => {
  await store?.close();
});

describe("lua/lease.lua", () => {
  it("acquires a free lease, extends it for its holder, refuses others, releases only for the holder", async () => {
    const c = store.client;
    const key = "verk:lease:x";
    expect(await runScript(c, "lease", [key], ["acquire", "a", 1000])).toBe(1);
    expect(await fx.redis().get(key)).toBe("a");
    expect(await runScript(c, "lease", [key], ["acquire", "b", 1000])).toBe(0);
    expect(await runScript(c, "lease", [key], ["renew", "b", 1000])).toBe(0);
    expect(await runScript(c, "lease", [key], ["acquire", "a", 5000])).toBe(1);
    expect(await fx.redis().pttl(key)).toBeGreaterThan(4000);
    expect(await runScript(c, "lease", [key], ["renew", "a", 8000])).toBe(1);
    expect(await fx.redis().pttl(key)).toBeGreaterThan(7000);
    expect(await runScript(c, "lease", [key], ["release", "b", 0])).toBe(0);
    expect(await fx.redis().get(key)).toBe("a");
    expect(await runScript(c, "lease", [key], ["release", "a", 0])).toBe(1);
    expect(await fx.redis().exists(key)).toBe(0);
    expect(await runScript(c, "lease", [key], ["renew", "a", 1000])).toBe(0);
    await expect(runScript(c, "lease", [key], ["nope", "a", 1])).rejects.toThrow(/unknown op/);
  });

  it("lets another token take an expired lease", async () => {
    const lease = store.capabilities.lease;
    expect(await lease.acquire("l", "a", 50)).toBe(true);
    await new Promise((r) => setTimeout(r, 80));
    expect(await lease.acquire("l", "b", 1000)).toBe(true);
    expect(await lease.holder("l")).toBe("b");
    expect(await lease.renew("l", "a", 1000)).toBe(false);
  });
});

describe("lua/once-push.lua", () => {
  it("pushes only for the first claim of a marker, with its TTL", async () => {
    const keys = ["verk:once:t1", "queues", "queue:q", "queue:r"];
    const args = [5000, "registry", 3, '{"jid":"1"}', "q", 4, '{"jid":"2"}', "r"];
    expect(await runScript(store.client, "once-push", keys, args)).toBe(1);
    expect(await runScript(store.client, "once-push", keys, args)).toBe(0);
    expect(await fx.redis().lrange("queue:q", 0, -1)).toEqual(['{"jid":"1"}']);
    expect(await fx.redis().lrange("queue:r", 0, -1)).toEqual(['{"jid":"2"}']);
    expect((await fx.redis().smembers("queues")).sort()).toEqual(["q", "r"]);
    expect(await fx.redis().pttl("verk:once:t1")).toBeGreaterThan(4000);
  });

  it("concurrent claims push exactly once", async () => {
    const once = store.capabilities.once;
    const results = await Promise.all(
      Array.from({ length: 20 }, () => once.claimAndPush("tick", 1000, [{ queue: "q", raw: "x" }])),
    );
    expect(results.filter(Boolean)).toHaveLength(1);
    expect(await fx.redis().llen("queue:q")).toBe(1);
    expect(await once.claim("other", 1000)).toBe(true);
    expect(await once.claim("other", 1000)).toBe(false);
  });
});

describe("capabilities", () => {
  it("stats: Sidekiq keys, per-day TTL, per-queue counters, history", async () => {
    const stats = store.capabilities.stats;
    const at = new Date("2030-01-02T23:59:00Z");
    await stats.increment(
      {
        processed: 5,
        failed: 2,
        byQueue: { a: { processed: 3, failed: 2 }, b: { processed: 2, failed: 0 } },
      },
      at,
    );
    await stats.increment({ processed: 1, failed: 0, byQueue: { a: { processed: 1, failed: 0 } } }, at);
    expect(await fx.redis().get("stat:processed")).toBe("6");
    expect(await fx.redis().get("stat:failed")).toBe("2");
    expect(await fx.redis().get("stat:processed:2030-01-02")).toBe("6");
    expect(await fx.redis().ttl("stat:processed:2030-01-02")).toBeGreaterThan(5 * 365 * 86400 - 10);
    expect(await fx.redis().get("verk:stat:processed:queue:a")).toBe("4");
    expect(await stats.totals()).toEqual({ processed: 6, failed: 2 });
    expect(await stats.queueTotals(["a", "b", "c"])).toEqual({
      a: { processed: 4, failed: 2 },
      b: { processed: 2, failed: 0 },
      c: { processed: 0, failed: 0 },
    });
    expect(await stats.history(2, new Date("2030-01-03T01:00:00Z"))).toEqual([
      { date: "2030-01-03", processed: 0, failed: 0 },
      { date: "2030-01-02", processed: 6, failed: 2 },
    ]);
  });

  it("queueInspect: oldest waiting job and next due score", async () => {
    await store.push([
      { queue: "q", raw: "first" },
      { queue: "q", raw: "second" },
    ]);
    expect(await store.capabilities.queueInspect.oldest(["q", "empty"])).toEqual(["first", null]);
    expect(await store.capabilities.queueInspect.nextDue("schedule")).toBeNull();
    await store.schedule([
      { queue: "q", raw: "b", at: 2000.5 },
      { queue: "q", raw: "a", at: 1000.25 },
    ]);
    expect(await store.capabilities.queueInspect.nextDue("schedule")).toBe(1000.25);
  });

  it("dueWatch: schedule() announces the earliest due time", async () => {
    const seen: number[] = [];
    const off = await store.capabilities.dueWatch.subscribe((at) => seen.push(at));
    await store.schedule([
      { queue: "q", raw: "b", at: 3000.5 },
      { queue: "q", raw: "a", at: 2500.5 },
    ]);
    for (let i = 0; i < 50 && seen.length === 0; i++) await new Promise((r) => setTimeout(r, 10));
    await off();
    expect(seen).toEqual([2500.5]);
  });

  it("eventLog: capped stream, blocking reader, cron registry hash", async () => {
    const log = store.capabilities.eventLog;
    expect(await log.lastId()).toBe("0-0");
    await log.append(["a", "b", "c"], 1000);
    const reader = log.openReader();
    const all = await reader.read("0", 10, 0);
    expect(all.map((e) => e.data)).toEqual(["a", "b", "c"]);
    const pending = reader.read(all[2]!.id, 10, 2000);
    await new Promise((r) => setTimeout(r, 50));
    await log.append(["d"], 1000);
    expect((await pending).map((e) => e.data)).toEqual(["d"]);
    await reader.close();
    await log.append(
      Array.from({ length: 500 }, (_, i) => `x${i}`),
      100,
    );
    expect(await fx.redis().xlen("verk:events")).toBeLessThan(400);
    const cron = store.capabilities.cronRegistry;
    await cron.put({ a: '{"x":1}', b: "{}" });
    expect(await fx.redis().hget("verk:cron", "a")).toBe('{"x":1}');
    expect(await cron.remove(["b", "zz"])).toBe(1);
    expect(await cron.all()).toEqual({ a: '{"x":1}' });
  });
});
