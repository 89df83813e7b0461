import { hostname } from "node:os";
import { defineWorker } from "@verk/core";
import { describe, expect, it } from "vitest";
import { SIDEKIQ, useInterop } from "./fixture.js";
import { waitFor } from "./harness.js";

interface Proc {
  identity: string;
  attribs: Record<string, unknown>;
  stopping: boolean;
}

describe.skipIf(!SIDEKIQ)("case 5: Sidekiq::ProcessSet sees the Verk node and its signals act on it", () => {
  const ctx = useInterop();
  const processes = () =>
    ctx.ruby<{
      size: number;
      total: number;
      list: Proc[];
      work: [string, string, Record<string, unknown>][];
    }>(`
      ps = Sidekiq::ProcessSet.new
      out({"size" => ps.size, "total" => ps.total_concurrency,
           "list" => ps.map { |p| {"identity" => p.identity, "attribs" => p.instance_variable_get(:@attribs), "stopping" => p.stopping?} },
           "work" => Sidekiq::Workers.new.map { |pid, tid, w| [pid, tid, w] }})
    `);

  it("lists the node with its fields and running jobs; TSTP quiets it and TERM stops it", async () => {
    let release!: () => void;
    const gate = new Promise<void>((resolve) => {
      release = resolve;
    });
    const ran: unknown[][] = [];
    const slow = defineWorker("InteropSlowJob", async (...args: unknown[]) => {
      ran.push(args);
      await gate;
    });
    const verk = ctx.node(
      { queues: { interop: 3, other: 2 }, workers: [slow] },
      { sidekiqProcess: { intervalMs: 200, tag: "interop-suite" }, sidekiqWorkersKey: "both" },
    );
    const jid = await verk.enqueue({ class: "InteropSlowJob", queue: "interop", args: ["slow", 1] });
    const startedAt = Date.now() / 1000;
    await verk.start();
    await waitFor(async () => (await processes()).work.length === 1, 10_000);

    const seen = await processes();
    expect(seen.size).toBe(1);
    expect(seen.total).toBe(5);
    const proc = seen.list[0]!;
    expect(proc.identity).toBe(verk.nodeId);
    expect(proc.stopping).toBe(false);
    const a = proc.attribs;
    expect(a).toMatchObject({
      identity: verk.nodeId,
      hostname: process.env.DYNO || hostname(),
      pid: process.pid,
      tag: "interop-suite",
      concurrency: 5,
      queues: ["interop", "other"],
      labels: ["verk"],
      busy: 1,
      quiet: "false",
    });
    expect(Math.abs((a.started_at as number) - startedAt)).toBeLessThan(5);
    expect(Math.abs((a.beat as number) - Date.now() / 1000)).toBeLessThan(5);
    expect(a.rss as number).toBeGreaterThan(1_000);
    expect(typeof a.rtt_us).toBe("number");
    expect(await ctx.redis.ttl(verk.nodeId)).toBeGreaterThan(50);

    // Sidekiq 6.4.1's WorkSet reads <id>:workers; 6.4.2+ read <id>:work (same content).
    const [pid, , work] = seen.work[0]!;
    expect(pid).toBe(verk.nodeId);
    expect(work.queue).toBe("interop");
    expect((work.payload as { jid: string; args: unknown[] }).jid).toBe(jid);
    expect((work.payload as { args: unknown[] }).args).toEqual(["slow", 1]);
    expect(Number.isInteger(work.run_at)).toBe(true);
    expect(Math.abs((work.run_at as number) - Date.now() / 1000)).toBeLessThan(5);
    expect(await ctx.redis.hlen(`${verk.nodeId}:work`)).toBe(1);

    // TSTP through Sidekiq's API quiets the node: it stops fetching, the running job goes on.
    await ctx.ruby(
      `Sidekiq::ProcessSet.new.each { |p| p.quiet! if p.identity == ${JSON.stringify(verk.nodeId)} }; out(true)`,
    );
    await waitFor(() => verk.quieted, 5_000);
    await verk.enqueue({ class: "InteropSlowJob", queue: "interop", args: ["after quiet"] });
    await waitFor(async () => (await processes()).list[0]?.attribs.quiet === "true", 5_000);
    expect((await processes()).list[0]!.stopping).toBe(true);
    expect(verk.state).toBe("running");
    expect(verk.runningJobs()).toHaveLength(1);

    // TERM through Sidekiq's API stops it; it leaves `processes` and its work hashes.
    release();
    await ctx.ruby(
      `Sidekiq::ProcessSet.new.each { |p| p.stop! if p.identity == ${JSON.stringify(verk.nodeId)} }; out(true)`,
    );
    await waitFor(() => verk.state === "stopped", 10_000);
    expect(ran).toEqual([["slow", 1]]);
    expect(await ctx.redis.sismember("processes", verk.nodeId)).toBe(0);
    expect(await ctx.redis.exists(`${verk.nodeId}:work`, `${verk.nodeId}:workers`)).toBe(0);
    expect(await ctx.redis.llen("queue:interop")).toBe(1);
    expect((await processes()).size).toBe(0);
  });
});
