import { describe, expect, it } from "vitest";
import { FIXTURES, useCli, waitFor } from "./helpers.js";

const { run, json, redis, start } = useCli();

interface Proc {
  identity: string;
  queues: string[];
  busy: number;
  jobs: { jid: string; className: string; queue: string }[];
}

describe("verk work, processes and demo", () => {
  it("runs the config's workers with env overrides, logs one line per job, shows in processes, stops on SIGTERM", async () => {
    const node = start(["work", "--namespace", "w"], {
      cwd: FIXTURES,
      env: { VERK_QUEUES: "default:3,extra:1" },
    });
    await waitFor(() => node.output().includes("running nodeId="));
    expect(node.output()).toContain("queues=default:3,extra:1");
    const ok = await json<{ jid: string }>(["enqueue", "Hello", '["ann"]', "--namespace", "w"]);
    const failing = await json<{ jid: string }>([
      "enqueue",
      "Hello",
      '["fail"]',
      "--retry",
      "0",
      "--namespace",
      "w",
    ]);
    const slow = await json<{ jid: string }>(["enqueue", "Hello", '["slow"]', "--namespace", "w"]);
    await waitFor(() => node.output().includes(`done class=Hello jid=${ok.jid}`));
    await waitFor(() => node.output().includes(`fail class=Hello jid=${failing.jid}`));
    expect(
      node
        .output()
        .split("\n")
        .filter((l) => l.includes(failing.jid)),
    ).toHaveLength(1);
    expect(await redis().zrange("w:dead", 0, -1)).toEqual([expect.stringContaining(failing.jid)]);

    let procs: Proc[] = [];
    await waitFor(async () => {
      procs = await json<Proc[]>(["processes", "--namespace", "w"]);
      return procs[0]?.jobs.some((j) => j.jid === slow.jid) ?? false;
    });
    expect(procs).toHaveLength(1);
    expect(procs[0]!.queues).toEqual(["default", "extra"]);
    expect(procs[0]!.jobs[0]).toMatchObject({ jid: slow.jid, className: "Hello", queue: "default" });
    const text = await run(["processes", "--namespace", "w"]);
    expect(text.stdout).toMatch(/PROCESS\s+QUEUES\s+BUSY\s+STARTED\s+BEAT/);
    expect(text.stdout).toContain(slow.jid);
    const queues = await json<{ name: string; running: number }[]>(["queues", "--namespace", "w"]);
    expect(queues.find((q) => q.name === "default")?.running).toBe(1);

    node.child.kill("SIGTERM");
    expect(await node.exited).toBe(0);
    expect(node.output()).toContain("stopping: waiting for running jobs signal=SIGTERM");
    expect(node.output()).toContain(`done class=Hello jid=${slow.jid}`);
    expect(node.output()).toMatch(
      new RegExp(`fail class=Hello jid=${failing.jid} queue=default durationMs=\\d+ outcome=\\w+ err=`),
    );
    expect(await redis().smembers("w:processes")).toEqual([]);
  });

  it("runs an isolated queue of the config in worker threads (workerModule relative to the config)", async () => {
    const node = start(["work", "--config", "iso.config.mjs"], { cwd: FIXTURES });
    await waitFor(() => node.output().includes("queues=default:1,iso:2(thread)"));
    const job = await json<{ jid: string }>(["enqueue", "Where", "[]", "--queue", "iso", "--retry", "0"]);
    await waitFor(() => node.output().includes(`fail class=Where jid=${job.jid}`));
    expect(node.output()).toContain("ran in the main thread: false");
    node.child.kill("SIGTERM");
    expect(await node.exited).toBe(0);
  });

  it("work without a config fails with one clear line", async () => {
    const result = await run(["work"], { cwd: "/" });
    expect(result.code).toBe(1);
    expect(result.stderr).toContain("no verk.config.{js,mjs,cjs,json}");
    const bad = await run(["work", "--queues", "default:zero"], { cwd: FIXTURES });
    expect(bad.code).toBe(2);
    expect(bad.stderr).toContain('"default:zero" is not <queue>[:<concurrency>]');
  });

  it("demo ends with exactly one summary line and leaves nothing behind", async () => {
    const result = await run(["demo", "--jobs", "400", "--scheduled", "10"]);
    expect(result.code).toBe(0);
    const summaries = result.stdout.split("\n").filter((l) => /^processed \d+, failed/.test(l));
    expect(summaries).toHaveLength(1);
    expect(summaries[0]).toMatch(
      /^processed \d+, failed \d+, retried \d+, dead \d+ in \d+\.\d s \(\d+ jobs\/s\)$/,
    );
    const [, processed, failed, retried, dead] =
      /processed (\d+), failed (\d+), retried (\d+), dead (\d+)/.exec(summaries[0]!)!;
    // 400 jobs + 10 scheduled: every 20th email fails once; n = 1 and 251 (n % 250 === 1) die after 1 retry
    expect(Number(processed)).toBe(410 - Number(dead));
    expect(Number(dead)).toBe(2);
    expect(Number(retried)).toBeGreaterThan(0);
    expect(Number(failed)).toBe(Number(retried) + Number(dead));
    expect(await redis().keys("verk-demo:*")).toEqual([]);
  });
});
