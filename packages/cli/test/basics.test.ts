import { describe, expect, it } from "vitest";
import { useCli } from "./helpers.js";

const { run, json, redis } = useCli();

describe("verk: usage, help and errors", () => {
  it("prints help with examples and exits 0; no command exits 2", async () => {
    const help = await run(["--help"]);
    expect(help.code).toBe(0);
    expect(help.stdout).toContain("Usage: verk <command>");
    for (const name of [
      "work",
      "enqueue",
      "queues",
      "stats",
      "processes",
      "retries",
      "scheduled",
      "dead",
      "top",
      "demo",
    ])
      expect(help.stdout).toContain(`  ${name} `);
    expect((await run([])).code).toBe(2);
    const cmd = await run(["enqueue", "--help"]);
    expect(cmd.code).toBe(0);
    expect(cmd.stdout).toContain("Examples:");
    expect(cmd.stdout).toContain("$ verk enqueue SendEmail");
    expect(cmd.stdout).not.toContain("\x1b[");
  });

  it("unknown command, unknown flag and invalid JSON args: one error line, exit 2", async () => {
    const unknown = await run(["frobnicate"]);
    expect(unknown.code).toBe(2);
    expect(unknown.stderr.trim().split("\n")).toHaveLength(1);
    expect(unknown.stderr).toContain('unknown command "frobnicate"');
    const flag = await run(["queues", "--bogus"]);
    expect(flag.code).toBe(2);
    expect(flag.stderr).toContain("--bogus");
    const bad = await run(["enqueue", "Hello", "{not json"]);
    expect(bad.code).toBe(2);
    expect(bad.stderr).toMatch(/^verk: error: invalid JSON args/);
    const notArray = await run(["enqueue", "Hello", '{"a":1}']);
    expect(notArray.code).toBe(2);
    expect(notArray.stderr).toContain("must be a JSON array");
    expect(await redis().keys("*")).toEqual([]);
  });

  it("unreachable Redis: names the URL with the password masked, exit 1", async () => {
    const result = await run(["queues", "--redis-url", "redis://:hunter2@127.0.0.1:1/0"]);
    expect(result.code).toBe(1);
    expect(result.stderr).toContain("cannot reach Redis at redis://:***@127.0.0.1:1/0");
    expect(result.stderr).not.toContain("hunter2");
    expect(result.stderr.trim().split("\n")).toHaveLength(1);
  });

  it("a database index the server does not have: names the DB, exit 1, nothing written to DB 0", async () => {
    const url = `redis://127.0.0.1:${redis().options.port}/99`;
    for (const args of [["queues"], ["enqueue", "Hello"]]) {
      const result = await run([...args, "--redis-url", url]);
      expect(result.code, args[0]).toBe(1);
      expect(result.stderr, args[0]).toMatch(
        /database 99 of redis:\/\/127\.0\.0\.1:\d+\/99 cannot be selected/,
      );
      expect(result.stderr).not.toContain("cannot reach Redis");
    }
    expect(await redis().keys("*")).toEqual([]);
  });

  it("enqueue now and later, in Sidekiq's format; queues and stats show it", async () => {
    const now = await run(["enqueue", "Hello", '["ann", 2]', "--queue", "mailers", "--retry", "3"]);
    expect(now.code).toBe(0);
    expect(now.stdout).toMatch(/^enqueued Hello [0-9a-f]{24} on "mailers"\n$/);
    const [raw] = await redis().lrange("queue:mailers", 0, -1);
    const job = JSON.parse(raw!);
    expect(job).toMatchObject({ class: "Hello", queue: "mailers", args: ["ann", 2], retry: 3 });
    expect(typeof job.enqueued_at).toBe("number");
    expect(await redis().smembers("queues")).toEqual(["mailers"]);

    const later = await json<{ jid: string; at: string }>(["enqueue", "Report", "--in", "1h"]);
    const [member, score] = await redis().zrange("schedule", 0, -1, "WITHSCORES");
    expect(JSON.parse(member!).jid).toBe(later.jid);
    expect(Number(score) * 1000).toBeGreaterThan(Date.now() + 3_500_000);
    expect(Date.parse(later.at)).toBeCloseTo(Number(score) * 1000, -3);

    const queues = await json<{ name: string; size: number; paused: boolean; running: number }[]>(["queues"]);
    expect(queues).toEqual([
      expect.objectContaining({ name: "mailers", size: 1, paused: false, running: 0 }),
    ]);
    const text = await run(["queues"]);
    expect(text.stdout).toMatch(/QUEUE\s+SIZE\s+LATENCY\s+PAUSED\s+RUNNING\s+PROCESSED\s+FAILED/);
    expect(text.stdout).toMatch(/mailers\s+1\s/);
    await redis().set("stat:processed", "42");
    const stats = await json<{ processed: number; enqueued: number; scheduled: number; history: unknown[] }>([
      "stats",
      "--days",
      "3",
    ]);
    expect(stats).toMatchObject({ processed: 42, enqueued: 1, scheduled: 1 });
    expect(stats.history).toHaveLength(3);
  });

  it("a namespace keeps every key under it", async () => {
    expect((await run(["enqueue", "Hello", "--namespace", "app"])).code).toBe(0);
    expect((await redis().keys("*")).sort()).toEqual(["app:queue:default", "app:queues"]);
  });

  it("pause, resume and clear (confirmation needed without a terminal)", async () => {
    await redis().lpush("queue:low", '{"class":"A","args":[],"jid":"1","queue":"low"}');
    await redis().sadd("queues", "low");
    expect((await run(["pause", "low"])).stdout).toBe('paused queue "low"\n');
    expect(await redis().smembers("verk:paused")).toEqual(["low"]);
    expect((await json<{ paused: boolean }[]>(["queues"]))[0]!.paused).toBe(true);
    expect((await run(["resume", "low"])).code).toBe(0);
    expect(await redis().smembers("verk:paused")).toEqual([]);
    const unknown = await run(["pause", "nope"]);
    expect(unknown.code).toBe(1);
    expect(unknown.stderr).toContain(
      'unknown queue "nope": no node serves it, it has no jobs and it is not paused (known: low)',
    );
    const refused = await run(["clear", "low"]);
    expect(refused.code).toBe(1);
    expect(refused.stderr).toContain("pass --yes");
    expect(await redis().llen("queue:low")).toBe(1);
    expect(await json(["clear", "low", "--yes"])).toEqual({ queue: "low", deleted: 1 });
    expect(await redis().exists("queue:low")).toBe(0);
    expect(await redis().smembers("queues")).toEqual([]);
  });
});
