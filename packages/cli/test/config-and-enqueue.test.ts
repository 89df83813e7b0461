import { join } from "node:path";
import { describe, expect, it } from "vitest";
import { FIXTURES, useCli, waitFor } from "./helpers.js";

const { run, json, redis, start } = useCli();

describe("verk config keys, worker defaults, --at and the pause rule", () => {
  it("a typo in verk.config.json fails naming the key and the closest known one; no queues is an error", async () => {
    const typo = await run(["work"], { cwd: join(FIXTURES, "typo") });
    expect(typo.code).toBe(1);
    expect(typo.stderr).toContain(
      'verk.config.json: invalid option "config.queus": unknown option (did you mean "queues"?)',
    );
    const none = await run(["work"], { cwd: join(FIXTURES, "noqueues") });
    expect(none.code).toBe(1);
    expect(none.stderr).toMatch(/no queues configured in .*noqueues\/verk\.config\.json: set queues/);
    expect(await redis().keys("*")).toEqual([]);
  });

  it("verk enqueue takes the registered worker's queue and retry; flags win", async () => {
    const cwd = join(FIXTURES, "defaults");
    const first = await run(["enqueue", "Report", "[1]"], { cwd });
    expect(first.code).toBe(0);
    expect(first.stdout).toMatch(/on "reports"/);
    const flagged = await run(["enqueue", "Report", "[2]", "--queue", "low", "--retry", "0"], { cwd });
    expect(flagged.code).toBe(0);
    const [reports] = await redis().lrange("queue:reports", 0, -1);
    expect(JSON.parse(reports!)).toMatchObject({ class: "Report", args: [1], queue: "reports", retry: 3 });
    const [low] = await redis().lrange("queue:low", 0, -1);
    expect(JSON.parse(low!)).toMatchObject({ args: [2], queue: "low", retry: 0 });
  });

  it("--at takes epoch milliseconds or ISO 8601, as the API; epoch seconds are refused", async () => {
    const seconds = Math.floor(Date.now() / 1000) + 3_600;
    const refused = await run(["enqueue", "Report", "--at", String(seconds)]);
    expect(refused.code).toBe(2);
    expect(refused.stderr).toContain(`looks like epoch seconds; give epoch milliseconds (${seconds * 1000})`);
    expect(await redis().keys("*")).toEqual([]);
    const atMs = Date.now() + 3_600_000;
    const ok = await json<{ at: string }>(["enqueue", "Report", "--at", String(atMs)]);
    expect(Date.parse(ok.at)).toBe(atMs);
    const [, score] = await redis().zrange("schedule", 0, -1, "WITHSCORES");
    expect(Number(score) * 1000).toBeCloseTo(atMs, -1);
  });

  it("pause accepts a queue a live node serves before its first job, refuses unknown names unless --force", async () => {
    const node = start(["work"], { cwd: join(FIXTURES, "defaults") });
    try {
      await waitFor(() => node.output().includes("queues=critical:1"));
      const paused = await run(["pause", "critical"]);
      expect(paused.stderr).toBe("");
      expect(paused.code).toBe(0);
      const unknown = await run(["pause", "nosuch"]);
      expect(unknown.code).toBe(1);
      expect(unknown.stderr).toContain('unknown queue "nosuch"');
      expect(unknown.stderr).toContain("pass --force");
      expect(await redis().smembers("verk:paused")).toEqual(["critical"]);
      expect((await json<{ name: string }[]>(["queues"])).map((q) => q.name)).toEqual(["critical"]);
      expect((await run(["pause", "nosuch", "--force"])).code).toBe(0);
      expect((await redis().smembers("verk:paused")).sort()).toEqual(["critical", "nosuch"]);
    } finally {
      node.child.kill("SIGTERM");
      await node.exited;
    }
  });
});
