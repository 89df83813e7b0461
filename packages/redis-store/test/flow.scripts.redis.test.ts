import { describe, expect, it } from "vitest";
import { runScript } from "../src/scripts.js";
import { job, useRedis } from "./helpers.js";

const { redis } = useRedis();
const time = async () => {
  const [s, us] = await redis().time();
  return Number(s) * 1000 + Math.floor(Number(us) / 1000);
};

describe("unique-push.lua", () => {
  const keys = (token: string, ...locks: string[]) => [
    "tok:" + token,
    "queue:q",
    "queues",
    "verk:flow:q",
    ...locks,
  ];
  const args = (mode: "token" | "once", ...jobs: (string | number)[]) => [
    60_000,
    mode,
    "registry",
    "q",
    0,
    ...jobs,
  ];

  it("pushes in order, each unique job taking its lock; a held lock drops the job (holder returned, counted)", async () => {
    await redis().set("lock:x", "other");
    const reply = await runScript(
      redis(),
      "unique-push",
      keys("t1", "lock:a", "lock:x", "lock:a"),
      args(
        "token",
        5,
        1_000,
        "ja",
        job("ja"),
        0,
        0,
        "jp",
        job("jp"),
        6,
        1_000,
        "jx",
        job("jx"),
        7,
        1_000,
        "jb",
        job("jb"),
      ),
    );
    expect(reply).toEqual([2, 3, "other", 4, "ja"]); // 2 pushed; the 3rd and 4th dropped
    expect(await redis().lrange("queue:q", 0, -1)).toEqual([job("jp"), job("ja")]); // ja runs first
    expect(await redis().get("lock:a")).toBe("ja");
    expect(await redis().pttl("lock:a")).toBeGreaterThan(900);
    expect(await redis().smembers("queues")).toEqual(["q"]);
    expect(await redis().hget("verk:flow:q", "duplicates")).toBe("2");
  });

  it("a re-sent batch (same token) writes nothing and returns the stored outcomes", async () => {
    const k = keys("t2", "lock:a");
    const a = args("token", 5, 1_000, "ja", job("ja"), 0, 0, "jp", job("jp"));
    expect(await runScript(redis(), "unique-push", k, a)).toEqual([2]);
    expect(await runScript(redis(), "unique-push", k, a)).toEqual([-2]); // all were pushed before
    expect(await redis().llen("queue:q")).toBe(2);
    // A batch with a duplicate stores its reply with the token, for a re-send.
    const d = keys("t4", "lock:a");
    const b = args("token", 5, 1_000, "jz", job("jz"));
    expect(await runScript(redis(), "unique-push", d, b)).toEqual([0, 1, "ja"]);
    expect(await runScript(redis(), "unique-push", d, b)).toEqual([0, 1, "ja"]);
  });

  it('mode "once": the marker is claimed with the push; an existing marker writes nothing ({-1})', async () => {
    const k = ["verk:once:cron:t", "queue:q", "queues", "verk:flow:q", "lock:a"];
    expect(await runScript(redis(), "unique-push", k, args("once", 5, 1_000, "ja", job("ja")))).toEqual([1]);
    expect(await runScript(redis(), "unique-push", k, args("once", 5, 1_000, "jb", job("jb")))).toEqual([-1]);
    expect(await redis().lrange("queue:q", 0, -1)).toEqual([job("ja")]);
    expect(await redis().get("verk:once:cron:t")).toBe("1");
  });

  it("deletes the done token keys it is given", async () => {
    await redis().set("tok:old", "x");
    const k = ["tok:t3", "queue:q", "queues", "verk:flow:q", "tok:old"];
    expect(
      await runScript(redis(), "unique-push", k, [60_000, "token", "registry", "q", 1, 0, 0, "j", job("j")]),
    ).toEqual([1]);
    expect(await redis().exists("tok:old")).toBe(0);
  });
});

describe("unique-schedule.lua", () => {
  it("adds entries whose lock is free, drops the others; a re-send by the same jid is harmless", async () => {
    const k = ["schedule", "verk:flow:q", "lock:a"];
    const a = [
      3,
      5_000,
      "ja",
      "1900000000.5",
      job("ja"),
      3,
      5_000,
      "jb",
      "1900000001.5",
      job("jb"),
      0,
      0,
      "jc",
      "1900000002.5",
      job("jc"),
    ];
    expect(await runScript(redis(), "unique-schedule", k, a)).toEqual([2, 2, "ja"]);
    expect(await runScript(redis(), "unique-schedule", k, a.slice(0, 5))).toEqual([1]);
    expect(await redis().zrange("schedule", 0, -1, "WITHSCORES")).toEqual([
      job("ja"),
      "1900000000.5",
      job("jc"),
      "1900000002.5",
    ]);
    expect(await redis().hget("verk:flow:q", "duplicates")).toBe("1");
  });
});

describe("unique-release.lua", () => {
  it("deletes the lock only for the jid holding it", async () => {
    await redis().set("lock:a", "ja");
    expect(await runScript(redis(), "unique-release", ["lock:a"], ["jb"])).toBe(0);
    expect(await runScript(redis(), "unique-release", ["lock:a"], ["ja"])).toBe(1);
    expect(await redis().exists("lock:a")).toBe(0);
  });
});

describe("flow-expire.lua", () => {
  it("removes the job, counts it and releases its own lock; a second call changes nothing", async () => {
    await redis().lpush("inprogress:q:n1", job("ja"));
    await redis().set("lock:a", "ja");
    const k = ["inprogress:q:n1", "verk:flow:q", "lock:a"];
    expect(await runScript(redis(), "flow-expire", k, [job("ja"), "ja"])).toBe(1);
    expect(await runScript(redis(), "flow-expire", k, [job("ja"), "ja"])).toBe(0);
    expect(await redis().exists("inprogress:q:n1", "lock:a")).toBe(0);
    expect(await redis().hget("verk:flow:q", "expired")).toBe("1");
  });
});

describe("fetch-limited.lua", () => {
  const limitKeys = ["verk:limit:L:running", "verk:limit:L:starts"];
  const K = ["queue:q", "inprogress:q:n1", "verk:paused", "verk:flow:q", ...limitKeys];
  const limited = (id: string) => `{"class":"L","args":[],"jid":"${id}","queue":"q"}`;
  const argv = (max: number, concurrency: number, rate: number, per: number, blocked = "") => [
    "q",
    max,
    "n1",
    10_000,
    blocked,
    "L",
    '"L"',
    concurrency,
    rate,
    per,
  ];

  it("moves jobs while the head's concurrency limit allows, taking slots; then returns the wait", async () => {
    await redis().lpush("queue:q", limited("a"), job("p"), limited("b"), limited("c"));
    const reply = (await runScript(redis(), "fetch-limited", K, argv(10, 2, 0, 0))) as unknown[];
    expect(reply.slice(3)).toEqual([limited("a"), job("p"), limited("b")]);
    expect(reply[2]).toBe("concurrency");
    expect(Number(reply[1])).toBeGreaterThan(9_000); // until the oldest slot expires unless renewed
    expect(await redis().lrange("queue:q", 0, -1)).toEqual([limited("c")]);
    expect((await redis().zrange("verk:limit:L:running", 0, -1)).sort()).toEqual(["n1|a", "n1|b"]);
    // Nothing moved this time: counted as held back.
    expect(await runScript(redis(), "fetch-limited", K, argv(10, 2, 0, 0))).toEqual([
      0,
      expect.any(Number),
      "concurrency",
    ]);
    expect(await redis().hget("verk:flow:q", "limited")).toBe("1");
  });

  it("a rate limit allows `rate` starts per window and waits for the oldest to age out", async () => {
    await redis().lpush("queue:q", limited("a"), limited("b"), limited("c"));
    const reply = (await runScript(redis(), "fetch-limited", K, argv(10, 0, 2, 500))) as unknown[];
    expect(reply.slice(3)).toEqual([limited("a"), limited("b")]);
    expect(reply[2]).toBe("rate");
    expect(Number(reply[1])).toBeGreaterThan(400);
    expect(Number(reply[1])).toBeLessThanOrEqual(500);
    expect(await redis().zcard("verk:limit:L:starts")).toBe(2);
    expect(await redis().pttl("verk:limit:L:starts")).toBeGreaterThan(900);
  });

  it("expired slots (a node that stopped renewing) no longer count", async () => {
    const now = await time();
    await redis().zadd("verk:limit:L:running", now - 1, "dead|x", now + 60_000, "live|y");
    await redis().lpush("queue:q", limited("a"), limited("b"));
    const reply = (await runScript(redis(), "fetch-limited", K, argv(10, 2, 0, 0))) as unknown[];
    expect(reply.slice(3)).toEqual([limited("a")]);
    expect((await redis().zrange("verk:limit:L:running", 0, -1)).sort()).toEqual(["live|y", "n1|a"]);
  });

  it("a job moved by a blocking BLMOVE goes back to the front when over its limit", async () => {
    await redis().zadd("verk:limit:L:running", (await time()) + 60_000, "other|z");
    await redis().lpush("queue:q", limited("a"), limited("b"));
    await redis().blmove("queue:q", "inprogress:q:n1", "RIGHT", "LEFT", 0.1);
    const reply = await runScript(redis(), "fetch-limited", K, argv(10, 1, 0, 0, limited("a")));
    expect(reply).toEqual([0, expect.any(Number), "concurrency"]);
    expect(await redis().lrange("queue:q", 0, -1)).toEqual([limited("b"), limited("a")]);
    expect(await redis().exists("inprogress:q:n1")).toBe(0);
  });

  it("returns {1} when paused, with a blocked job given back", async () => {
    await redis().sadd("verk:paused", "q");
    await redis().lpush("inprogress:q:n1", limited("a"));
    expect(await runScript(redis(), "fetch-limited", K, argv(10, 1, 0, 0, limited("a")))).toEqual([1]);
    expect(await redis().lrange("queue:q", 0, -1)).toEqual([limited("a")]);
  });
});

describe("limit-admit.lua, limit-release.lua, limit-renew.lua (per key)", () => {
  const part = (key: string, p: string) => `verk:limit:L:key:${key}:${p}`;
  const limitKeys = (key: string) => ["running", "starts", "parked", "next"].map((p) => part(key, p));
  const base = ["inprogress:q:n1", "schedule", "verk:flow:q"];
  /** KEYS and ARGV of one call for `jobs` = [raw, key, member, concurrency, rate, per]. */
  const admit = (jobs: [string, string, string, number, number, number][], ttl = 10_000) =>
    runScript(
      redis(),
      "limit-admit",
      [...base, ...jobs.flatMap(([, key]) => limitKeys(key))],
      [ttl, ...jobs.flatMap(([raw, , member, c, r, per]) => [raw, member, c, r, per])],
    ) as Promise<unknown[]>;

  it("admits within the concurrency limit, parks over it (per key), and a release unparks to the queue's front", async () => {
    await redis().lpush("inprogress:q:n1", job("a"), job("b"), job("c"));
    await redis().lpush("queue:q", job("next"));
    const before = await time();
    const reply = await admit([
      [job("a"), "k", "n1|a", 1, 0, 0],
      [job("b"), "k", "n1|b", 1, 0, 0],
      [job("c"), "other", "n1|c", 1, 0, 0],
    ]);
    expect([reply[0], reply[3], reply[5], reply[6]]).toEqual([1, 0, "concurrency", 1]);
    expect(Number(reply[4])).toBeGreaterThanOrEqual(before + 10_000); // fallback: one slot TTL
    expect((await redis().lrange("inprogress:q:n1", 0, -1)).sort()).toEqual([job("a"), job("c")].sort());
    expect(await redis().lrange(part("k", "parked"), 0, -1)).toEqual([job("b")]);
    expect(await redis().zcard("schedule")).toBe(1);
    const R = [part("k", "running"), part("k", "parked"), "schedule", "queue:q"];
    expect(await runScript(redis(), "limit-release", R, [1, "unpark", "n1|a"])).toBe(1);
    expect(await redis().lrange("queue:q", 0, -1)).toEqual([job("next"), job("b")]); // b runs next
    expect(await redis().zcard("schedule")).toBe(0);
    expect(await redis().zcard(part("k", "running"))).toBe(0);
    expect(await redis().hget("verk:flow:q", "limited")).toBe("1");
  });

  it("a rate denial schedules the job at the key's next slot, spread per/rate apart", async () => {
    await redis().lpush("inprogress:q:n1", job("a"), job("b"), job("c"));
    const reply = await admit([
      [job("a"), "k", "n1|a", 0, 1, 1_000],
      [job("b"), "k", "n1|b", 0, 1, 1_000],
      [job("c"), "k", "n1|c", 0, 1, 1_000],
    ]);
    expect([reply[0], reply[3], reply[5], reply[6], reply[8]]).toEqual([1, 0, "rate", 0, "rate"]);
    expect(Number(reply[7]) - Number(reply[4])).toBe(1_000);
    expect(Number(await redis().zscore("schedule", job("c")))).toBeCloseTo(Number(reply[7]) / 1000, 3);
    expect(Number(await redis().get(part("k", "next")))).toBe(Number(reply[7]));
    expect(await redis().llen("inprogress:q:n1")).toBe(1);
  });

  it("-1 for a job no longer in progress; renew extends only slots still held", async () => {
    expect(await admit([[job("gone"), "k", "n1|g", 1, 0, 0]])).toEqual([-1, 0, ""]);
    const now = await time();
    await redis().zadd(part("k", "running"), now + 100, "n1|a");
    expect(await runScript(redis(), "limit-renew", [part("k", "running")], [60_000, "n1|a", "n1|lost"])).toBe(
      1,
    );
    expect(Number(await redis().zscore(part("k", "running"), "n1|a"))).toBeGreaterThan(now + 50_000);
    expect(await redis().zscore(part("k", "running"), "n1|lost")).toBeNull();
  });

  it("a class-wide release leaves one wake token per freed slot (at most `concurrency`)", async () => {
    const R = ["verk:limit:L:running", "verk:limit:L:wake", "verk:limit:L:running", "verk:limit:L:running"];
    const now = await time();
    await redis().zadd(
      "verk:limit:L:running",
      now + 60_000,
      "n1|0",
      now + 60_000,
      "n1|1",
      now + 60_000,
      "n1|2",
    );
    expect(await runScript(redis(), "limit-release", R, [3, "wake", "n1|0"])).toBe(1);
    expect(await redis().llen("verk:limit:L:wake")).toBe(1);
    expect(await runScript(redis(), "limit-release", R, [3, "wake", "n1|1", "n1|2", "n1|gone"])).toBe(2);
    expect(await redis().llen("verk:limit:L:wake")).toBe(3);
  });
});
