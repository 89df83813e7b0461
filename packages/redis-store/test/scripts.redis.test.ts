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

describe("promote.lua", () => {
  const now = "1764265302.123456";
  const K = ["schedule", "queues", "dead"];

  it("moves due jobs with enqueued_at set by string editing, args [] kept byte for byte", async () => {
    const due = '{"class":"W","args":[],"jid":"a","queue":"mail","n":1.50,"h":{}}';
    const later = '{"class":"W","args":[],"jid":"b","queue":"mail"}';
    await redis().zadd("schedule", 1764265302.1, due, 1764265999, later);
    expect(await runScript(redis(), "promote", K, [now, 10, ""])).toEqual([1, 0]);
    expect(await redis().lrange("queue:mail", 0, -1)).toEqual([
      '{"class":"W","args":[],"jid":"a","queue":"mail","n":1.50,"h":{},"enqueued_at":1764265302.123456}',
    ]);
    expect(await redis().smembers("queues")).toEqual(["mail"]);
    expect(await redis().zrange("schedule", 0, -1)).toEqual([later]);
  });

  it("replaces an existing enqueued_at (middle, first or null)", async () => {
    await redis().zadd(
      "retry",
      1,
      '{"class":"W","enqueued_at":17.5,"args":[],"queue":"q"}',
      2,
      '{"enqueued_at":null,"class":"V","args":[],"queue":"q"}',
    );
    expect(await runScript(redis(), "promote", ["retry", "queues", "dead"], [now, 10, ""])).toEqual([2, 0]);
    expect(await redis().lrange("queue:q", 0, -1)).toEqual([
      `{"class":"V","args":[],"queue":"q","enqueued_at":${now}}`,
      `{"class":"W","args":[],"queue":"q","enqueued_at":${now}}`,
    ]);
  });

  it("edits only the top-level enqueued_at, never one nested in args (ActiveJob payloads carry one)", async () => {
    const member =
      '{"class":"JobWrapper","wrapped":"Mail","args":[{"x":1,"enqueued_at":12.5,"s":"\\"enqueued_at\\":1,"}],' +
      '"queue":"q","enqueued_at":17.25,"created_at":17.0}';
    await redis().zadd("retry", 1, member);
    expect(await runScript(redis(), "promote", ["retry", "queues", "dead"], [now, 10, ""])).toEqual([1, 0]);
    expect(await redis().lrange("queue:q", 0, -1)).toEqual([
      '{"class":"JobWrapper","wrapped":"Mail","args":[{"x":1,"enqueued_at":12.5,"s":"\\"enqueued_at\\":1,"}],' +
        `"queue":"q","created_at":17.0,"enqueued_at":${now}}`,
    ]);
  });

  it("moves invalid members to the dead set instead of looping on them", async () => {
    await redis().zadd("schedule", 1, "not json", 2, '{"class":"W","args":[]}', 3, '{"queue":5}');
    expect(await runScript(redis(), "promote", K, [now, 10, ""])).toEqual([0, 3]);
    expect(await redis().exists("schedule")).toBe(0);
    expect(await redis().zrange("dead", 0, -1, "WITHSCORES")).toEqual([
      "not json",
      now,
      '{"class":"W","args":[]}',
      now,
      '{"queue":5}',
      now,
    ]);
  });

  it("respects the limit and a custom namespace prefix", async () => {
    await redis().zadd("app:schedule", 1, job("a"), 2, job("b"));
    const out = await runScript(
      redis(),
      "promote",
      ["app:schedule", "app:queues", "app:dead"],
      [now, 1, "app:"],
    );
    expect(out).toEqual([1, 0]);
    expect(await redis().lrange("app:queue:q", 0, -1)).toEqual([job("a", `,"enqueued_at":${now}`)]);
    expect(await redis().smembers("app:queues")).toEqual(["q"]);
    expect(await redis().zrange("app:schedule", 0, -1)).toEqual([job("b")]);
    expect(await redis().exists("queue:q", "queues")).toBe(0);
  });
});
