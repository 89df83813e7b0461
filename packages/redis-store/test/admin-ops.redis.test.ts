import { compressBacktrace } from "@verk/core";
import { describe, expect, it } from "vitest";
import { decodeBacktrace } from "../src/admin/backtrace.js";
import { RedisAdmin } from "../src/admin/redis-admin.js";
import { entryKey, parseEntryKey } from "../src/admin/set-search.js";
import { createKeys } from "../src/keys.js";
import { useRedis } from "./helpers.js";

const { redis } = useRedis();
const keys = createKeys();
const admin = () => new RedisAdmin({ client: redis(), keys });

function payload(jid: string, extra: Record<string, unknown> = {}): string {
  return JSON.stringify({
    retry: true,
    queue: "q",
    class: "W",
    args: [jid],
    jid,
    enqueued_at: 1700000000.5,
    ...extra,
  });
}

describe("queue jobs", () => {
  it("pages a queue in run order (position 0 runs next) with one LRANGE per page", async () => {
    // LPUSH order: j0 first, so j0 is at the right end and runs next.
    for (let i = 0; i < 7; i++) await redis().lpush("queue:q", payload(`j${i}`));
    const page1 = await admin().queueJobs("q", { offset: 0, limit: 3 });
    expect(page1.total).toBe(7);
    expect(page1.entries.map((e) => [e.position, e.jid])).toEqual([
      [0, "j0"],
      [1, "j1"],
      [2, "j2"],
    ]);
    const page3 = await admin().queueJobs("q", { offset: 6, limit: 3 });
    expect(page3.entries.map((e) => e.jid)).toEqual(["j6"]);
    expect(page3.entries[0]).toMatchObject({ className: "W", enqueuedAtMs: 1700000000500 });
    expect((await admin().queueJobs("q", { offset: 9 })).entries).toEqual([]);
  });

  it("searches in bounded chunks and says where to continue", async () => {
    const raws: string[] = [];
    for (let i = 0; i < 2500; i++) raws.push(payload(`j${i}`, { args: [i % 1000 === 7 ? "needle" : "hay"] }));
    await redis().lpush("queue:q", ...raws);
    const first = await admin().searchQueue("q", { text: "NEEDLE", maxScan: 1500 });
    expect(first.scanned).toBe(1500);
    expect(first.entries.map((e) => e.jid)).toEqual(["j7", "j1007"]);
    expect(first.nextCursor).toBe(1500);
    const rest = await admin().searchQueue("q", { text: "needle", cursor: first.nextCursor! });
    expect(rest.entries.map((e) => e.jid)).toEqual(["j2007"]);
    expect(rest.nextCursor).toBeUndefined();
    const byClass = await admin().searchQueue("q", { className: "Other" });
    expect(byClass.entries).toEqual([]);
    expect(byClass.scanned).toBe(2500);
  });

  it("deletes one waiting job by jid (exact bytes), with or without a position hint", async () => {
    await redis().lpush("queue:q", payload("a"), payload("b"), payload("c"));
    expect((await admin().deleteQueueJob("q", "b", 1))?.jid).toBe("b");
    expect(await redis().lrange("queue:q", 0, -1)).toEqual([payload("c"), payload("a")]);
    expect((await admin().deleteQueueJob("q", "a"))?.jid).toBe("a");
    expect(await admin().deleteQueueJob("q", "nope")).toBeUndefined();
    expect(await redis().lrange("queue:q", 0, -1)).toEqual([payload("c")]);
  });
});

describe("set search, keys and bulk actions", () => {
  it("filters by args text in bounded chunks; addresses entries by <score>-<jid>", async () => {
    const args: (string | number)[] = [];
    for (let i = 0; i < 1200; i++)
      args.push(1000 + i, payload(`d${i}`, { args: [i === 3 || i === 1100 ? "<b>needle</b>" : "x"] }));
    await redis().zadd("dead", ...args);
    const first = await admin().search("dead", { argsText: "NEEDLE", maxScan: 500 });
    expect(first.total).toBe(1200);
    expect(first.scanned).toBe(500);
    expect(first.entries.map((e) => e.jid)).toEqual(["d1100"]); // dead: newest first
    const next = await admin().search("dead", { argsText: "needle", cursor: first.nextCursor! });
    expect(next.entries.map((e) => e.jid)).toEqual(["d3"]);
    expect(next.nextCursor).toBeUndefined();
    const key = entryKey(next.entries[0]!);
    expect(key).toBe("1003-d3");
    expect(parseEntryKey(key)).toEqual({ score: 1003, jid: "d3" });
    expect(parseEntryKey("nope")).toBeUndefined();
    expect((await admin().findByKeys("dead", [{ score: 1003, jid: "d3" }]))[0]?.jid).toBe("d3");
    expect(await admin().findByKeys("dead", [{ score: 1003, jid: "other" }])).toEqual([]);
  });

  it("acts on a selection of keys and on everything matching, chunk by chunk", async () => {
    const args: (string | number)[] = [];
    for (let i = 0; i < 1100; i++)
      args.push(
        2000 + i + 0.25,
        payload(`r${i}`, { class: i % 2 === 0 ? "Even" : "Odd", error_message: "boom" }),
      );
    await redis().zadd("retry", ...args);
    const picked = await admin().actOnKeys("retry", "retry", [
      { score: 2000.25, jid: "r0" },
      { score: 2001.25, jid: "r1" },
      { score: 1, jid: "gone" },
    ]);
    expect(picked).toEqual({ done: 2, gone: 0, invalid: 0, missing: 1 });
    expect(await redis().llen("queue:q")).toBe(2);
    const seen: number[] = [];
    const all = await admin().actOnMatching("retry", "kill", { className: "Even" }, (read) =>
      seen.push(read),
    );
    expect(all.done).toBe(549);
    expect(await redis().zcard("dead")).toBe(549);
    expect(await redis().zcard("retry")).toBe(549);
    expect(seen.at(-1)).toBe(1098);
    const left = await redis().zrange("retry", 0, -1);
    expect(left.every((raw) => JSON.parse(raw).class === "Odd")).toBe(true);
    await expect(admin().actOnMatching("dead", "kill", {})).rejects.toMatchObject({ code: "INVALID_OPTION" });
  });
});

describe("nodes, signals and server info", () => {
  it("sends TSTP/TERM through <identity>-signals with a 60 s TTL, only to live processes", async () => {
    await redis().sadd("processes", "h:1:aa", "h:2:bb");
    await redis().hset("h:1:aa", "info", JSON.stringify({ hostname: "h", queues: ["q"] }), "beat", "1");
    expect(await admin().signal("h:1:aa", "TSTP")).toBe(true);
    expect(await admin().signal("h:2:bb", "TERM")).toBe(false); // its hash expired: not live
    expect(await redis().lrange("h:1:aa-signals", 0, -1)).toEqual(["TSTP"]);
    const ttl = await redis().ttl("h:1:aa-signals");
    expect(ttl).toBeGreaterThan(50);
    expect(ttl).toBeLessThanOrEqual(60);
    expect(await admin().signalAll("TERM")).toEqual(["h:1:aa"]);
    expect(await redis().lrange("h:1:aa-signals", 0, -1)).toEqual(["TERM", "TSTP"]);
    await expect(admin().signal("h:1:aa", "KILL" as "TERM")).rejects.toMatchObject({
      code: "INVALID_OPTION",
    });
  });

  it("lists Verk nodes with liveness and in-flight counts; the queue overview names who serves it", async () => {
    await redis().sadd("verk_nodes", "n1", "n2");
    await redis().set("verk:node:n1", "alive");
    await redis().sadd("verk:node:n1:queues", "q");
    await redis().sadd("verk:node:n2:queues", "q", "low");
    await redis().rpush("inprogress:q:n1", payload("x"), payload("y"));
    await redis().rpush("inprogress:low:n2", payload("z"));
    await redis().sadd("queues", "q", "low");
    await redis().lpush("queue:q", payload("w"));
    await redis().sadd("processes", "h:1:aa");
    const work = JSON.stringify({ queue: "q", payload: payload("x"), run_at: 1 });
    await redis().hset("h:1:aa", "info", JSON.stringify({ queues: ["q", "low"] }), "beat", "1", "busy", "1");
    await redis().hset("h:1:aa:work", "x", work);
    expect(await admin().verkNodes()).toEqual([
      { nodeId: "n1", alive: true, queues: ["q"], inFlight: { q: 2 } },
      { nodeId: "n2", alive: false, queues: ["low", "q"], inFlight: { low: 1, q: 0 } },
    ]);
    const overview = await admin().queueOverview();
    expect(overview.map((q) => [q.name, q.size, q.nodes, q.inFlight, q.running])).toEqual([
      ["low", 0, ["h:1:aa"], 1, 0],
      ["q", 1, ["h:1:aa", "n1"], 2, 1],
    ]);
    const info = await admin().serverInfo();
    expect(info.version).toMatch(/^\d+\.\d+\.\d+/);
    expect(info.connectedClients).toBeGreaterThan(0);
    expect(info.usedMemory).toBeGreaterThan(0);
  });
});

describe("decodeBacktrace", () => {
  it("reads Sidekiq's base64 + zlib JSON, raw arrays, and rejects garbage", () => {
    const stack = "Error: boom\n    at a (x.js:1:1)\n    at b (y.js:2:2)";
    expect(decodeBacktrace(compressBacktrace(stack, true))).toEqual(["at a (x.js:1:1)", "at b (y.js:2:2)"]);
    expect(decodeBacktrace(["l1", "l2"])).toEqual(["l1", "l2"]);
    expect(decodeBacktrace("not base64 !")).toBeUndefined();
    expect(decodeBacktrace("aGVsbG8=")).toBeUndefined();
    expect(decodeBacktrace(undefined)).toBeUndefined();
  });
});
