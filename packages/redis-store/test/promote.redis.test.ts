import { DEFAULT_DEAD_LIMITS } from "@verk/core";
import { describe, expect, it } from "vitest";
import { redisStore } from "../src/index.js";
import { createKeys } from "../src/keys.js";
import { promoteSet, ReadSizer } from "../src/moves/promote.js";
import { job, useRedis } from "./helpers.js";

const { redis, server } = useRedis();
const now = 1764265302.123456;
const stamp = "1764265302.123456";

function ctx(namespace?: string, layout: "sidekiq" | "cluster" = "sidekiq") {
  return {
    redis: redis(),
    keys: createKeys(namespace, layout),
    sizer: new ReadSizer(),
    deadLimits: DEFAULT_DEAD_LIMITS,
  };
}

describe("promotion (sidekiq layout)", () => {
  it("moves due jobs with enqueued_at appended, the rest of the bytes kept ([] stays [], 1.50 stays 1.50)", async () => {
    const due = '{"class":"W","args":[],"jid":"a","queue":"mail","n":1.50,"h":{}}';
    const later = '{"class":"W","args":[],"jid":"b","queue":"mail"}';
    await redis().zadd("schedule", 1764265302.1, due, 1764265999, later);
    expect(await promoteSet(ctx(), "schedule", undefined, now, 10)).toBe(1);
    expect(await redis().lrange("queue:mail", 0, -1)).toEqual([
      `{"class":"W","args":[],"jid":"a","queue":"mail","n":1.50,"h":{},"enqueued_at":${stamp}}`,
    ]);
    expect(await redis().smembers("queues")).toEqual(["mail"]);
    expect(await redis().zrange("schedule", 0, -1)).toEqual([later]);
  });

  it("replaces an existing top-level enqueued_at (middle, first or null), never one nested in args", async () => {
    const nested =
      '{"class":"JobWrapper","wrapped":"Mail","args":[{"x":1,"enqueued_at":12.5,"s":"\\"enqueued_at\\":1,"}],' +
      '"queue":"q","enqueued_at":17.25,"created_at":17.0}';
    await redis().zadd(
      "retry",
      1,
      '{"class":"W","enqueued_at":17.5,"args":[],"queue":"q"}',
      2,
      '{"enqueued_at":null,"class":"V","args":[],"queue":"q"}',
      3,
      nested,
    );
    expect(await promoteSet(ctx(), "retry", undefined, now, 10)).toBe(3);
    expect(await redis().lrange("queue:q", 0, -1)).toEqual([
      '{"class":"JobWrapper","wrapped":"Mail","args":[{"x":1,"enqueued_at":12.5,"s":"\\"enqueued_at\\":1,"}],' +
        `"queue":"q","created_at":17.0,"enqueued_at":${stamp}}`,
      `{"class":"V","args":[],"queue":"q","enqueued_at":${stamp}}`,
      `{"class":"W","args":[],"queue":"q","enqueued_at":${stamp}}`,
    ]);
  });

  it("writes enqueued_at in integer milliseconds for a job whose created_at is in milliseconds", async () => {
    await redis().zadd("schedule", 1, '{"class":"W","args":[],"queue":"q","created_at":1764265300000}');
    await promoteSet(ctx(), "schedule", undefined, now, 10);
    expect(await redis().lrange("queue:q", 0, -1)).toEqual([
      '{"class":"W","args":[],"queue":"q","created_at":1764265300000,"enqueued_at":1764265302123}',
    ]);
  });

  it("moves unreadable members to the dead set with a message instead of looping on them", async () => {
    await redis().zadd("schedule", 1, "not json", 2, '{"class":"W","args":[]}', 3, '{"queue":5}');
    expect(await promoteSet(ctx(), "schedule", undefined, now, 10)).toBe(3);
    expect(await redis().exists("schedule")).toBe(0);
    const dead = (await redis().zrange("dead", 0, -1)).map((raw) => JSON.parse(raw));
    expect(dead.map((d) => d.raw_payload).sort()).toEqual(
      ['{"class":"W","args":[]}', '{"queue":5}', "not json"].sort(),
    );
    expect(dead.every((d) => /due set/.test(d.error_message))).toBe(true);
  });

  it("#11.3: one entry whose queue key has the wrong type goes to dead with a message; the others move", async () => {
    await redis().set("queue:broken", "not a list");
    const members = Array.from({ length: 100 }, (_, i) => job(`j${i}`));
    const bad = '{"class":"W","args":[],"jid":"bad","queue":"broken","error_message":"x"}';
    await redis().zadd("retry", 0.5, bad, ...members.flatMap((m, i) => [1 + i, m]));
    await redis().zadd("schedule", ...members.flatMap((m, i) => [1 + i, m.replace('"q"', '"s"')]));
    expect(await promoteSet(ctx(), "retry", undefined, now, 1_000)).toBe(101);
    expect(await promoteSet(ctx(), "schedule", undefined, now, 1_000)).toBe(100);
    expect(await redis().llen("queue:q")).toBe(100);
    expect(await redis().llen("queue:s")).toBe(100);
    const [dead] = await redis().zrange("dead", 0, -1);
    expect(JSON.parse(dead!)).toMatchObject({
      jid: "bad",
      error_class: "Verk::PromotionFailed",
      error_message: expect.stringContaining('"queue:broken" holds a string, not a list'),
    });
    expect(await redis().get("queue:broken")).toBe("not a list");
  });

  it("#11.4: jobs nested deeper than Lua's JSON decoder allows are promoted unchanged", async () => {
    const deep = `${"[".repeat(5_000)}1${"]".repeat(5_000)}`;
    const raw = `{"class":"W","args":[${deep}],"jid":"deep","queue":"q"}`;
    await redis().zadd("schedule", 1, raw);
    expect(await promoteSet(ctx(), "schedule", undefined, now, 10)).toBe(1);
    expect(await redis().lrange("queue:q", 0, -1)).toEqual([
      `{"class":"W","args":[${deep}],"jid":"deep","queue":"q","enqueued_at":${stamp}}`,
    ]);
    expect(await redis().zcard("dead")).toBe(0);
  });

  it("respects the limit and a namespace", async () => {
    await redis().zadd("app:schedule", 1, job("a"), 2, job("b"));
    expect(await promoteSet(ctx("app"), "schedule", undefined, now, 1)).toBe(1);
    expect(await redis().lrange("app:queue:q", 0, -1)).toEqual([job("a", `,"enqueued_at":${stamp}`)]);
    expect(await redis().smembers("app:queues")).toEqual(["q"]);
    expect(await redis().zrange("app:schedule", 0, -1)).toEqual([job("b")]);
    expect(await redis().exists("queue:q", "queues")).toBe(0);
  });

  it("promotes large payloads in calls that stay short (no call over 10 ms)", async () => {
    const big = (id: string) => `{"class":"W","args":["${"x".repeat(200_000)}"],"jid":"${id}","queue":"q"}`;
    await redis().zadd("schedule", ...Array.from({ length: 30 }, (_, i) => [i + 1, big(`b${i}`)]).flat());
    await redis().config("SET", "latency-monitor-threshold", "10");
    await redis().call("LATENCY", "RESET");
    expect(await promoteSet(ctx(), "schedule", undefined, now, 100)).toBe(30);
    expect(await redis().llen("queue:q")).toBe(30);
    const latest = (await redis().call("LATENCY", "LATEST")) as unknown[];
    expect(latest).toEqual([]);
  });
});

describe("promotion (cluster layout, on one Redis)", () => {
  it("moves a queue's due jobs within its slot and hands jobs of another queue to the outbox", async () => {
    const keys = createKeys(undefined, "cluster");
    const own = '{"class":"W","args":[],"jid":"o","queue":"a"}';
    const other = '{"class":"W","args":[],"jid":"t","queue":"b","retry_queue":"b"}';
    await redis().zadd(keys.setOf("retry", "a"), 1, own, 2, other);
    expect(await promoteSet(ctx(undefined, "cluster"), "retry", "a", now, 10)).toBe(2);
    expect(await redis().lrange(keys.queue("a"), 0, -1)).toEqual([
      `${own.slice(0, -1)},"enqueued_at":${stamp}}`,
    ]);
    expect(await redis().lrange(keys.queue("b"), 0, -1)).toEqual([
      `${other.slice(0, -1)},"enqueued_at":${stamp}}`,
    ]);
    expect(await redis().exists(keys.outbox("a"))).toBe(0);
    expect(await redis().smembers(keys.queues)).toEqual(["b"]);
  });

  it("store.promoteDue visits only queues the due index lists, and keeps the index up to date", async () => {
    const keys = createKeys(undefined, "cluster");
    const s = redisStore({ url: server().url, layout: "cluster" });
    await s.connect();
    try {
      await s.schedule([
        { queue: "a", raw: '{"class":"W","args":[],"jid":"1","queue":"a"}', at: 100 },
        { queue: "b", raw: '{"class":"W","args":[],"jid":"2","queue":"b"}', at: 5e9 },
      ]);
      expect(await redis().zrange(keys.dueIndex("schedule"), 0, -1, "WITHSCORES")).toEqual([
        "a",
        "100",
        "b",
        "5000000000",
      ]);
      expect(await s.nextDue("schedule")).toBe(100);
      expect(await s.promoteDue("schedule", now, 100)).toBe(1);
      expect(await redis().llen(keys.queue("a"))).toBe(1);
      expect(await redis().zrange(keys.dueIndex("schedule"), 0, -1)).toEqual(["b"]);
      expect(await s.nextDue("schedule")).toBe(5e9);
    } finally {
      await s.close();
    }
  });
});

describe("native promotion of large members (WATCH/MULTI)", () => {
  it("moves large members exactly once, and aborts (nothing applied) when the set changes meanwhile", async () => {
    const { NativePromoter } = await import("../src/moves/promote-native.js");
    const keys = createKeys();
    const big = (id: string) => `{"jid":"${id}","class":"W","queue":"q","args":["${"x".repeat(100_000)}"]}`;
    await redis().sadd("queues", "q");
    await redis().zadd("schedule", 1, big("a"), 2, big("b"), 3, big("c"));
    const native = new NativePromoter(redis().duplicate(), keys);
    try {
      expect(await native.promote("schedule", undefined, now, 2)).toBe(2);
      expect(await redis().zcard("schedule")).toBe(1);
      const pushed = await redis().lrange("queue:q", 0, -1);
      expect(pushed.map((p) => JSON.parse(p).jid)).toEqual(["b", "a"]);
      expect(pushed[0]!.endsWith(`x"],"enqueued_at":${stamp}}`)).toBe(true);
      // Another client changes the set between WATCH and EXEC: the transaction aborts.
      const racing = native.promote("schedule", undefined, now, 10);
      await redis().zadd("schedule", 4, big("d"));
      const moved = await racing;
      expect([undefined, 1, 2]).toContain(moved);
      const left = await redis().zrange("schedule", 0, -1);
      const queued = await redis().lrange("queue:q", 0, -1);
      // Exactly once either way: every member is either still in the set or on the queue, never both.
      expect(new Set([...left, ...queued].map((p) => JSON.parse(p).jid))).toEqual(
        new Set(["a", "b", "c", "d"]),
      );
      expect(left.length + queued.length).toBe(4);
    } finally {
      await native.close();
    }
  });

  it("the store switches to it for large members and keeps every guarantee", async () => {
    const s = redisStore({ url: server().url });
    await s.connect();
    try {
      const big = (id: string) => `{"jid":"${id}","class":"W","queue":"q","args":["${"x".repeat(200_000)}"]}`;
      await s.schedule(Array.from({ length: 12 }, (_, i) => ({ queue: "q", raw: big(`j${i}`), at: 1 + i })));
      expect(await s.promoteDue("schedule", now, 5)).toBe(5);
      expect(await s.promoteDue("schedule", now, 100)).toBe(7);
      const jids = (await redis().lrange("queue:q", 0, -1)).map((p) => JSON.parse(p).jid);
      expect(new Set(jids).size).toBe(12);
      expect(await redis().zcard("schedule")).toBe(0);
    } finally {
      await s.close();
    }
  });
});

describe("promotion (cluster layout): what a crash left in an outbox", () => {
  it("is delivered by the next sweep of the retry set, once", async () => {
    const keys = createKeys(undefined, "cluster");
    const s = redisStore({ url: server().url, layout: "cluster" });
    await s.connect();
    try {
      // a promoter took this job from queue a's retry set for queue b, then crashed before pushing it
      const payload = '{"class":"W","args":[],"jid":"x","queue":"b"}';
      await redis().sadd(keys.queues, "a");
      await redis().rpush(keys.outbox("a"), `1:b${payload}`);
      expect(await s.promoteDue("retry", now, 100)).toBe(0);
      expect(await redis().lrange(keys.queue("b"), 0, -1)).toEqual([payload]);
      expect(await redis().exists(keys.outbox("a"))).toBe(0);
      expect(await s.promoteDue("retry", now, 100)).toBe(0);
      expect(await redis().llen(keys.queue("b"))).toBe(1);
    } finally {
      await s.close();
    }
  });
});
