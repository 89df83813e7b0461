import { describe, expect, it } from "vitest";
import { runScript } from "../src/scripts.js";
import { job, useRedis } from "./helpers.js";

const { redis } = useRedis();
const Q = ["queue:q", "inprogress:q:n1", "verk:paused"];

describe("fetch.lua", () => {
  it("moves jobs FIFO, oldest first, up to max", async () => {
    await redis().lpush("queue:q", job("a"), job("b"), job("c"));
    expect(await runScript(redis(), "fetch", Q, ["q", 2])).toEqual([0, job("a"), job("b")]);
    expect(await redis().lrange("queue:q", 0, -1)).toEqual([job("c")]);
    // in-progress holds the newest on the left
    expect(await redis().lrange("inprogress:q:n1", 0, -1)).toEqual([job("b"), job("a")]);
    expect(await runScript(redis(), "fetch", Q, ["q", 5])).toEqual([0, job("c")]);
    expect(await runScript(redis(), "fetch", Q, ["q", 5])).toEqual([0]);
  });

  it("returns {1} and moves nothing when the queue is paused", async () => {
    await redis().lpush("queue:q", job("a"));
    await redis().sadd("verk:paused", "q");
    expect(await runScript(redis(), "fetch", Q, ["q", 5])).toEqual([1]);
    expect(await redis().lrange("queue:q", 0, -1)).toEqual([job("a")]);
    expect(await redis().exists("inprogress:q:n1")).toBe(0);
  });
});

describe("claim-blocked.lua", () => {
  it("tops up the batch with extra jobs", async () => {
    await redis().lpush("queue:q", job("a"), job("b"), job("c"));
    const first = await redis().blmove("queue:q", "inprogress:q:n1", "RIGHT", "LEFT", 0.1);
    expect(first).toBe(job("a"));
    expect(await runScript(redis(), "claim-blocked", Q, ["q", job("a"), 1])).toEqual([0, job("a"), job("b")]);
    expect(await redis().lrange("queue:q", 0, -1)).toEqual([job("c")]);
    expect(await redis().lrange("inprogress:q:n1", 0, -1)).toEqual([job("b"), job("a")]);
  });

  it("puts the job back at the front when the queue is paused", async () => {
    await redis().lpush("queue:q", job("a"), job("b"));
    await redis().blmove("queue:q", "inprogress:q:n1", "RIGHT", "LEFT", 0.1);
    await redis().sadd("verk:paused", "q");
    expect(await runScript(redis(), "claim-blocked", Q, ["q", job("a"), 5])).toEqual([1]);
    expect(await redis().lrange("queue:q", 0, -1)).toEqual([job("b"), job("a")]);
    expect(await redis().exists("inprogress:q:n1")).toBe(0);
  });
});

describe("ack.lua", () => {
  it("removes each raw once and reports what was missing", async () => {
    await redis().lpush("inprogress:q:n1", job("a"), job("b"), job("a"));
    expect(
      await runScript(redis(), "ack", ["inprogress:q:n1"], [job("a"), job("x"), job("a"), job("a")]),
    ).toEqual([1, 0, 1, 0]);
    expect(await redis().lrange("inprogress:q:n1", 0, -1)).toEqual([job("b")]);
  });
});

describe("fail.lua", () => {
  const K = ["inprogress:q:n1", "retry", "dead"];

  it("changes nothing when the raw is not in progress", async () => {
    await redis().lpush("inprogress:q:n1", job("a"));
    expect(await runScript(redis(), "fail", K, [job("x"), "retry", job("x2"), "10.5", "0", "0"])).toBe(0);
    expect(await runScript(redis(), "fail", K, [job("x"), "dead", job("x2"), "10.5", "5", "0"])).toBe(0);
    expect(await redis().lrange("inprogress:q:n1", 0, -1)).toEqual([job("a")]);
    expect(await redis().exists("retry", "dead")).toBe(0);
  });

  it("retry: moves the new payload to the retry set with a float score", async () => {
    await redis().lpush("inprogress:q:n1", job("a"));
    const updated = job("a", ',"retry_count":0');
    expect(
      await runScript(redis(), "fail", K, [job("a"), "retry", updated, "1764265302.123456", "0", "0"]),
    ).toBe(1);
    expect(await redis().exists("inprogress:q:n1")).toBe(0);
    expect(await redis().zrange("retry", 0, -1, "WITHSCORES")).toEqual([updated, "1764265302.123456"]);
  });

  it("discard: only removes the job", async () => {
    await redis().lpush("inprogress:q:n1", job("a"));
    expect(await runScript(redis(), "fail", K, [job("a"), "discard", "", "0", "0", "0"])).toBe(1);
    expect(await redis().exists("inprogress:q:n1", "retry", "dead")).toBe(0);
  });

  it("dead: trims by count, keeping exactly maxJobs", async () => {
    await redis().zadd("dead", 1, "d1", 2, "d2", 3, "d3");
    await redis().lpush("inprogress:q:n1", job("a"));
    expect(await runScript(redis(), "fail", K, [job("a"), "dead", "new", "4.5", "3", "0"])).toBe(1);
    expect(await redis().zrange("dead", 0, -1, "WITHSCORES")).toEqual(["d2", "2", "d3", "3", "new", "4.5"]);
  });

  it("dead: trims by age (strictly older than the cutoff)", async () => {
    await redis().zadd("dead", 1, "d1", 2, "d2", 3, "d3");
    await redis().lpush("inprogress:q:n1", job("a"));
    expect(await runScript(redis(), "fail", K, [job("a"), "dead", "new", "4.5", "100", "2"])).toBe(1);
    expect(await redis().zrange("dead", 0, -1, "WITHSCORES")).toEqual(["d2", "2", "d3", "3", "new", "4.5"]);
  });
});

describe("requeue.lua", () => {
  it("moves jobs back to the front, oldest rightmost, skipping missing ones", async () => {
    await redis().lpush("queue:q", job("a"), job("b"), job("c"), job("d"));
    await runScript(redis(), "fetch", Q, ["q", 3]); // a, b, c in progress
    const n = await runScript(
      redis(),
      "requeue",
      ["inprogress:q:n1", "queue:q"],
      [job("a"), job("x"), job("c")],
    );
    expect(n).toBe(2);
    expect(await redis().lrange("queue:q", 0, -1)).toEqual([job("d"), job("c"), job("a")]);
    expect(await redis().lrange("inprogress:q:n1", 0, -1)).toEqual([job("b")]);
    expect(await runScript(redis(), "fetch", Q, ["q", 3])).toEqual([0, job("a"), job("c"), job("d")]);
  });
});

describe("recover.lua", () => {
  it("moves batches back keeping the original order, oldest rightmost", async () => {
    await redis().lpush("queue:q", job("a"), job("b"), job("c"), job("d"), job("e"));
    await runScript(redis(), "fetch", Q, ["q", 4]); // a..d in progress, e waiting
    const K = ["inprogress:q:n1", "queue:q"];
    expect(await runScript(redis(), "recover", K, [3])).toEqual([3, 1]);
    expect(await runScript(redis(), "recover", K, [3])).toEqual([1, 0]);
    expect(await redis().lrange("queue:q", 0, -1)).toEqual([
      job("e"),
      job("d"),
      job("c"),
      job("b"),
      job("a"),
    ]);
    expect(await runScript(redis(), "fetch", Q, ["q", 5])).toEqual([
      0,
      job("a"),
      job("b"),
      job("c"),
      job("d"),
      job("e"),
    ]);
  });
});

describe("move-entries.lua", () => {
  const M = (extra: string[] = []) => ["schedule", "dead", "queues", ...extra];
  const head = (mode = "registry") => [mode, "1700000000.5", 10_000, "1600000000.0"];

  it("pushes only members it removed, registers the queue, and reports gone members", async () => {
    await redis().zadd("schedule", 1, job("a"), 2, job("b"));
    const codes = await runScript(redis(), "move-entries", M(["queue:q"]), [
      ...head(),
      ...["push", job("a"), job("a", ',"enqueued_at":1.5'), 4, "q"],
      ...["push", job("zz"), job("zz"), 4, "q"],
    ]);
    expect(codes).toEqual([1, 0]);
    expect(await redis().lrange("queue:q", 0, -1)).toEqual([job("a", ',"enqueued_at":1.5')]);
    expect(await redis().smembers("queues")).toEqual(["q"]);
    expect(await redis().zrange("schedule", 0, -1)).toEqual([job("b")]);
  });

  it("leaves an entry in place when its target key is not a list (-1), and moves the others", async () => {
    await redis().set("queue:bad", "a string");
    await redis().zadd("schedule", 1, job("x"), 2, job("y"));
    const codes = await runScript(redis(), "move-entries", M(["queue:bad", "queue:q"]), [
      ...head(),
      ...["push", job("x"), job("x"), 4, "bad"],
      ...["push", job("y"), job("y"), 5, "q"],
    ]);
    expect(codes).toEqual([-1, 1]);
    expect(await redis().zrange("schedule", 0, -1)).toEqual([job("x")]);
    expect(await redis().lrange("queue:q", 0, -1)).toEqual([job("y")]);
  });

  it("dead-letters, deletes and writes outbox records; trims the dead set once", async () => {
    await redis().zadd("dead", 1, "old-dead");
    await redis().zadd("schedule", 1, "m1", 2, "m2", 3, "m3");
    const codes = await runScript(
      redis(),
      "move-entries",
      ["schedule", "dead", "outbox"],
      [
        ...["outbox", "1700000000.5", 10_000, "1600000000.0"],
        ...["dead", "m1", "dead-entry", 0, ""],
        ...["delete", "m2", "", 0, ""],
        ...["outbox", "m3", "1:qrecord", 0, ""],
      ],
    );
    expect(codes).toEqual([1, 1, 1]);
    expect(await redis().exists("schedule")).toBe(0);
    // "old-dead" (score 1) is older than the cutoff and was trimmed
    expect(await redis().zrange("dead", 0, -1, "WITHSCORES")).toEqual(["dead-entry", "1700000000.5"]);
    expect(await redis().lrange("outbox", 0, -1)).toEqual(["1:qrecord"]);
  });

  it("moves payloads of any size as exact bytes (no JSON parsing in Lua)", async () => {
    const big = Buffer.concat([
      Buffer.from('{"args":["'),
      Buffer.alloc(300_000, 0x61),
      Buffer.from([0xff]),
      Buffer.from('"]}'),
    ]);
    await redis().zadd("schedule", 1, big);
    const codes = await runScript(redis(), "move-entries", M(["queue:q"]), [
      ...head(),
      "push",
      big,
      big,
      4,
      "q",
    ]);
    expect(codes).toEqual([1]);
    const [moved] = await redis().lrangeBuffer("queue:q", 0, -1);
    expect(moved!.equals(big)).toBe(true);
  });
});

describe("promote.lua (fast path)", () => {
  const P = ["schedule", "queues", "queue:q", "queue:r"];
  const args = (max = 100, budget = 1 << 20) => [
    "registry",
    "100.5",
    "100.5",
    budget,
    max,
    "100500",
    "q",
    "r",
  ];

  it("moves Verk- and Sidekiq-shaped members inside Redis, appending or replacing a last enqueued_at", async () => {
    const verk = '{"jid":"a","class":"W","queue":"q","retry":true,"created_at":1.5,"args":[[],{}]}';
    const sidekiq = '{"retry":true,"queue":"r","class":"W","args":[1.50],"jid":"b"}';
    const retried = '{"jid":"c","class":"W","queue":"q","args":[],"error_message":"x","enqueued_at":7.25}';
    await redis().zadd("schedule", 1, verk, 2, sidekiq, 3, retried, 500, job("later"));
    expect(await runScript(redis(), "promote", P, args())).toEqual([3, 0, 3, expect.any(Number)]);
    expect(await redis().lrange("queue:q", 0, -1)).toEqual([
      '{"jid":"c","class":"W","queue":"q","args":[],"error_message":"x","enqueued_at":100.5}',
      '{"jid":"a","class":"W","queue":"q","retry":true,"created_at":1.5,"args":[[],{}],"enqueued_at":100.5}',
    ]);
    expect(await redis().lrange("queue:r", 0, -1)).toEqual([`${sidekiq.slice(0, -1)},"enqueued_at":100.5}`]);
    expect((await redis().smembers("queues")).sort()).toEqual(["q", "r"]);
    expect(await redis().zrange("schedule", 0, -1)).toEqual([job("later")]);
  });

  it("writes enqueued_at in integer ms when an integer-ms created_at comes before any bracket", async () => {
    await redis().zadd(
      "schedule",
      1,
      '{"jid":"m","class":"W","queue":"q","retry":true,"created_at":1764265300000,"args":[]}',
    );
    expect(await runScript(redis(), "promote", P, args())).toEqual([1, 0, 1, expect.any(Number)]);
    expect(await redis().lindex("queue:q", 0)).toContain('"enqueued_at":100500}');
  });

  it("leaves other shapes, nested enqueued_at, unknown queues and non-list targets to the caller (slow)", async () => {
    await redis().set("queue:r", "a string");
    await redis().zadd(
      "schedule",
      1,
      '{"class":"W","args":[],"queue":"q"}', // queue after args: another shape
      2,
      '{"jid":"n","class":"W","queue":"q","args":[{"enqueued_at":1}],"enqueued_at":2}', // nested
      3,
      '{"jid":"u","class":"W","queue":"unknown","args":[]}', // not among the KEYS
      4,
      '{"jid":"t","class":"W","queue":"r","args":[]}', // target holds a string
      5,
      '{"jid":"e\\"x","class":"W","queue":"q","args":[]}', // escaped quote in a value
    );
    expect(await runScript(redis(), "promote", P, args())).toEqual([0, 5, 5, 0]);
    expect(await redis().zcard("schedule")).toBe(5);
    expect(await redis().exists("queue:q")).toBe(0);
  });

  it("stops after its byte budget (at least one member per call), so no call holds Redis long", async () => {
    const big = (id: string) => `{"jid":"${id}","class":"W","queue":"q","args":["${"x".repeat(100_000)}"]}`;
    await redis().zadd("schedule", 1, big("1"), 2, big("2"), 3, big("3"));
    // it reads one member past its budget to know it must stop
    expect(await runScript(redis(), "promote", P, args(100, 150_000))).toEqual([1, 0, 2, 100047]);
    expect(await runScript(redis(), "promote", P, args(100, 150_000))).toEqual([1, 0, 2, 100047]);
    expect(await redis().llen("queue:q")).toBe(2);
  });
});
