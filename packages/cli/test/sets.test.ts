import { describe, expect, it } from "vitest";
import { failedJob, useCli } from "./helpers.js";

const { run, json, redis } = useCli();
const future = () => Date.now() / 1000 + 3600;

describe("verk retries | scheduled | dead", () => {
  it("lists paged with filters, shows one job, fails on an unknown jid", async () => {
    await redis().zadd(
      "retry",
      future(),
      failedJob("a1", "Hello"),
      future() + 1,
      failedJob("b2", "Other", "low", "timeout talking to smtp"),
      future() + 2,
      failedJob("c3", "Hello"),
    );
    const page = await json<{ total: number; matched: number; entries: { jid: string }[] }>([
      "retries",
      "list",
      "--per-page",
      "2",
    ]);
    expect(page.total).toBe(3);
    expect(page.entries.map((e) => e.jid)).toEqual(["a1", "b2"]);
    const page2 = await json<{ entries: { jid: string }[] }>([
      "retries",
      "list",
      "--per-page",
      "2",
      "--page",
      "2",
    ]);
    expect(page2.entries.map((e) => e.jid)).toEqual(["c3"]);
    expect(
      (await json<{ entries: { jid: string }[] }>(["retries", "list", "--class", "Hello"])).entries,
    ).toHaveLength(2);
    expect(
      (await json<{ entries: { jid: string }[] }>(["retries", "list", "--error", "SMTP"])).entries[0]!.jid,
    ).toBe("b2");
    expect(
      (await json<{ entries: { jid: string }[] }>(["retries", "list", "--queue", "low"])).entries,
    ).toHaveLength(1);
    const text = await run(["retries", "list"]);
    expect(text.stdout).toMatch(/JID\s+CLASS\s+QUEUE\s+NEXT RETRY\s+RETRIES\s+ERROR/);
    expect(text.stdout).toMatch(
      /a1\s+Hello\s+default\s+in (1h|59m \d+s) \(\d{4}-\d\d-\d\d \d\d:\d\d:\d\dZ\)/,
    );
    const show = await run(["retries", "show", "b2"]);
    expect(show.code).toBe(0);
    expect(show.stdout).toContain("timeout talking to smtp");
    expect(show.stdout).toMatch(/failed\s+\S.* ago \(2023-11-14 22:13:22Z\)/);
    const missing = await run(["retries", "show", "nope"]);
    expect(missing.code).toBe(1);
    expect(missing.stderr).toBe("verk: error: no retry with jid nope\n");
  });

  it("retry moves the job to its queue (retry_count - 1, new enqueued_at); kill moves it to dead; delete removes", async () => {
    await redis().zadd(
      "retry",
      future(),
      failedJob("a1"),
      future(),
      failedJob("b2"),
      future(),
      failedJob("c3"),
    );
    const retried = await run(["retries", "retry", "a1"]);
    expect(retried.stdout).toBe("retried 1 retry\n");
    const [raw] = await redis().lrange("queue:default", 0, -1);
    const job = JSON.parse(raw!);
    expect(job).toMatchObject({ jid: "a1", retry_count: 0, args: [] });
    expect(job.enqueued_at * 1000).toBeGreaterThan(Date.now() - 10_000);
    expect(raw).toContain('"args":[]');
    expect((await run(["retries", "kill", "b2"])).code).toBe(0);
    expect(await redis().zrange("dead", 0, -1)).toEqual([failedJob("b2")]);
    expect((await run(["retries", "delete", "c3"])).code).toBe(0);
    expect(await redis().zcard("retry")).toBe(0);
    const gone = await run(["retries", "retry", "a1"]);
    expect(gone.code).toBe(1);
    expect(gone.stderr).toContain("no retry with jid a1");
    expect((await run(["retries", "retry"])).code).toBe(2);
    expect((await run(["dead", "kill", "b2"])).code).toBe(2);
  });

  it("retry --all with a filter moves every matching job exactly once", async () => {
    const args: (number | string)[] = [];
    for (let i = 0; i < 250; i++) args.push(future(), failedJob(`j${i}`, i % 5 === 0 ? "Other" : "Hello"));
    await redis().zadd("retry", ...args);
    const result = await json<{ done: number; gone: number }>([
      "retries",
      "retry",
      "--all",
      "--class",
      "Hello",
    ]);
    expect(result).toMatchObject({ done: 200, gone: 0 });
    const queued = await redis().lrange("queue:default", 0, -1);
    expect(new Set(queued.map((r) => JSON.parse(r).jid)).size).toBe(200);
    expect(await redis().zcard("retry")).toBe(50);
    expect((await json<{ done: number }>(["retries", "delete", "--all"])).done).toBe(50);
    expect(await redis().exists("retry")).toBe(0);
  });

  it("scheduled enqueue-now and dead retry", async () => {
    const scheduled =
      '{"retry":true,"queue":"low","class":"Report","args":[],"jid":"s1","created_at":1700000000.5}';
    await redis().zadd("schedule", future(), scheduled);
    expect((await run(["scheduled", "list"])).stdout).toMatch(/s1\s+Report\s+low\s+in 1h/);
    expect((await run(["scheduled", "retry", "s1"])).stderr).toContain("enqueue-now");
    expect((await run(["scheduled", "enqueue-now", "s1"])).stdout).toBe("enqueued 1 scheduled job\n");
    const [raw] = await redis().lrange("queue:low", 0, -1);
    expect(raw).toMatch(
      /^\{"retry":true,"queue":"low","class":"Report","args":\[\],"jid":"s1","created_at":1700000000\.5,"enqueued_at":\d+\.\d+\}$/,
    );
    await redis().zadd("dead", 1700000003, failedJob("d1"));
    expect((await run(["dead", "list"])).stdout).toMatch(
      /d1\s+Hello\s+default\s+.* ago \(2023-11-14 22:13:23Z\)/,
    );
    expect((await run(["dead", "retry", "d1"])).code).toBe(0);
    expect(await redis().zcard("dead")).toBe(0);
    expect(JSON.parse((await redis().lrange("queue:default", 0, -1))[0]!)).toMatchObject({
      jid: "d1",
      retry_count: 0,
    });
  });
});
