import { describe, expect, it } from "vitest";
import { moveMembers } from "../src/admin/actions.js";
import { RedisAdmin } from "../src/admin/redis-admin.js";
import { createKeys } from "../src/keys.js";
import { promote, useRedis } from "./helpers.js";

const { redis } = useRedis();
const keys = createKeys();
const NOW = 1_700_000_000_500; // ms
const LIMITS = { maxJobs: 3, maxAgeSeconds: 1000 };

function failed(jid: string, extra = ""): string {
  return `{"retry":true,"queue":"q","class":"W","args":[],"jid":"${jid}","created_at":1699999990.5,"enqueued_at":1699999991.25,"error_message":"boom","error_class":"Err","failed_at":1699999992.5,"retry_count":2${extra}}`;
}

describe("admin-move.lua", () => {
  it("retry: moves the member to its queue with retry_count - 1 and a new enqueued_at, args kept as []", async () => {
    await redis().zadd("retry", 10, failed("a"), 20, failed("b"));
    expect(await moveMembers(redis(), keys, "retry", "retry", [failed("a")], LIMITS, NOW)).toEqual([1]);
    expect(await redis().zrange("retry", 0, -1)).toEqual([failed("b")]);
    expect(await redis().lrange("queue:q", 0, -1)).toEqual([
      '{"retry":true,"queue":"q","class":"W","args":[],"jid":"a","created_at":1699999990.5,"error_message":"boom","error_class":"Err","failed_at":1699999992.5,"retry_count":1,"enqueued_at":1700000000.5}',
    ]);
    expect(await redis().smembers("queues")).toEqual(["q"]);
  });

  it("retry: decrements only the top-level retry_count, never one nested in args", async () => {
    const raw = '{"class":"W","retry_count":2,"args":[{"retry_count":9}],"queue":"q","jid":"n"}';
    await redis().zadd("retry", 10, raw);
    expect(await moveMembers(redis(), keys, "retry", "retry", [raw], LIMITS, NOW)).toEqual([1]);
    expect(await redis().lrange("queue:q", 0, -1)).toEqual([
      '{"class":"W","args":[{"retry_count":9}],"queue":"q","jid":"n","retry_count":1,"enqueued_at":1700000000.5}',
    ]);
  });

  it("moves nothing when the member is no longer in the set (taken by a scheduler meanwhile)", async () => {
    await redis().zadd("retry", 10, failed("a"));
    await promote(redis(), "retry", 100.5, 10);
    expect(await redis().llen("queue:q")).toBe(1);
    expect(await moveMembers(redis(), keys, "retry", "retry", [failed("a")], LIMITS, NOW)).toEqual([0]);
    expect(await redis().llen("queue:q")).toBe(1);
  });

  it("enqueue: pushes a scheduled job unchanged apart from enqueued_at", async () => {
    const raw = '{"class":"W","args":[],"jid":"s","queue":"q2","retry_count":4}';
    await redis().zadd("schedule", 99999999999, raw);
    expect(await moveMembers(redis(), keys, "schedule", "enqueue", [raw], LIMITS, NOW)).toEqual([1]);
    expect(await redis().lrange("queue:q2", 0, -1)).toEqual([
      '{"class":"W","args":[],"jid":"s","queue":"q2","retry_count":4,"enqueued_at":1700000000.5}',
    ]);
    expect(await redis().zcard("schedule")).toBe(0);
  });

  it("leaves a member without a readable queue in place (-1)", async () => {
    await redis().zadd("retry", 1, "not json", 2, '{"jid":"x"}');
    expect(
      await moveMembers(redis(), keys, "retry", "retry", ["not json", '{"jid":"x"}'], LIMITS, NOW),
    ).toEqual([-1, -1]);
    expect(await redis().zcard("retry")).toBe(2);
    expect(await redis().keys("queue:*")).toEqual([]);
  });

  it("kill: moves to dead scored now and trims by age and count", async () => {
    await redis().zadd("dead", 1, "ancient", 1699999500, "d1", 1699999600, "d2", 1699999700, "d3");
    await redis().zadd("retry", 10, failed("a"), 20, failed("b"));
    expect(await moveMembers(redis(), keys, "retry", "kill", [failed("a"), "missing"], LIMITS, NOW)).toEqual([
      1, 0,
    ]);
    expect(await redis().zrange("dead", 0, -1, "WITHSCORES")).toEqual([
      "d2",
      "1699999600",
      "d3",
      "1699999700",
      failed("a"),
      "1700000000.5",
    ]);
    expect(await redis().zrange("retry", 0, -1)).toEqual([failed("b")]);
  });

  it("writes enqueued_at in milliseconds for a job whose created_at is in milliseconds", async () => {
    const raw = '{"class":"W","args":[],"jid":"m","queue":"q","created_at":1699999990000}';
    await redis().zadd("dead", 1, raw);
    await moveMembers(redis(), keys, "dead", "retry", [raw], LIMITS, NOW);
    expect(await redis().lrange("queue:q", 0, -1)).toEqual([
      '{"class":"W","args":[],"jid":"m","queue":"q","created_at":1699999990000,"enqueued_at":1700000000500}',
    ]);
  });
});

describe("RedisAdmin", () => {
  const admin = () => new RedisAdmin({ client: redis(), keys }, LIMITS);

  it("lists with filters and finds by jid", async () => {
    await redis().zadd("retry", 10, failed("a"), 20, failed("b").replace('"class":"W"', '"class":"V"'));
    const page = await admin().list("retry", { className: "V" });
    expect(page.total).toBe(2);
    expect(page.matched).toBe(1);
    expect(page.entries.map((e) => e.jid)).toEqual(["b"]);
    expect((await admin().list("retry", { errorText: "BOOM" })).matched).toBe(2);
    expect((await admin().find("retry", "a"))?.raw).toBe(failed("a"));
    expect(await admin().find("retry", "zz")).toBeUndefined();
    expect(await admin().actOn("retry", "zz", "retry")).toBeUndefined();
  });

  it("retry-all racing a scheduler: every job ends up exactly once on its queue", async () => {
    const raws = Array.from({ length: 600 }, (_, i) => failed(`j${i}`));
    await redis().zadd("retry", ...raws.flatMap((raw, i) => [i, raw]));
    const scheduler = async () => {
      for (let i = 0; i < 30; i++) await promote(redis(), "retry", 100000.5, 20);
    };
    const progress: number[] = [];
    const [result] = await Promise.all([
      admin().actOnAll("retry", "retry", {}, (done) => progress.push(done)),
      scheduler(),
    ]);
    // the snapshot may miss jobs the scheduler took first; those it saw were moved once or found gone
    expect(result.done + result.gone).toBeLessThanOrEqual(600);
    expect(result.invalid).toBe(0);
    expect(progress.at(-1)).toBe(result.done + result.gone);
    const queued = await redis().lrange("queue:q", 0, -1);
    expect(queued).toHaveLength(600);
    expect(new Set(queued.map((raw) => (JSON.parse(raw) as { jid: string }).jid)).size).toBe(600);
    expect(await redis().zcard("retry")).toBe(0);
  });

  it("deletes by jid and refuses an action the set does not allow", async () => {
    await redis().zadd("dead", 10, failed("a"), 20, failed("b"));
    expect(await admin().actOn("dead", "a", "delete")).toEqual({ done: 1, gone: 0, invalid: 0 });
    expect(await redis().zrange("dead", 0, -1)).toEqual([failed("b")]);
    await expect(admin().actOn("dead", "b", "kill")).rejects.toThrow(/not an action/);
  });

  it("clears a queue and lists queues and processes", async () => {
    await redis().lpush("queue:q", failed("a"), failed("b"));
    await redis().sadd("queues", "q", "other");
    await redis().sadd("verk:paused", "other");
    const queues = await admin().queues();
    expect(queues.map((q) => [q.name, q.size, q.paused])).toEqual([
      ["other", 0, true],
      ["q", 2, false],
    ]);
    expect(queues[1]!.latencySeconds).toBeGreaterThan(0);
    expect(await admin().clearQueue("q")).toBe(2);
    expect(await redis().exists("queue:q")).toBe(0);
    expect(await redis().smembers("queues")).toEqual(["other"]);
    await redis().sadd("processes", "h:1:ab", "stale:2:cd");
    await redis().hset("h:1:ab", {
      info: JSON.stringify({
        hostname: "h",
        pid: 1,
        queues: ["q"],
        concurrency: 5,
        started_at: 1.5,
        tag: "",
      }),
      busy: "1",
      beat: "2.5",
      quiet: "false",
      rss: "100",
    });
    await redis().hset("h:1:ab:work", "t1", JSON.stringify({ queue: "q", payload: failed("r"), run_at: 3 }));
    const processes = await admin().processes();
    expect(processes).toHaveLength(1);
    expect(processes[0]).toMatchObject({ identity: "h:1:ab", busy: 1, concurrency: 5, queues: ["q"] });
    expect(processes[0]!.jobs.map((j) => [j.jid, j.queue, j.className])).toEqual([["r", "q", "W"]]);
  });
});
