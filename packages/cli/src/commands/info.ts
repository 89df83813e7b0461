import type { AdminProcess, RedisStore } from "@verk/redis-store";
import { createStatsReader, type QueueSummary } from "@verk/stats";
import type { Command } from "../command.js";
import { intFlag } from "../command.js";
import type { Context } from "../context.js";
import { count, formatDuration, table, truncate, when } from "../util/format.js";

/** A queue row of `verk queues` and `verk top`. */
export interface QueueRow extends QueueSummary {
  /** Jobs of this queue running now on any node (from the process heartbeats). */
  readonly running: number;
}

/** Queues with stats and running counts. */
export async function queueRows(store: RedisStore, processes: readonly AdminProcess[]): Promise<QueueRow[]> {
  const queues = await createStatsReader(store).queues();
  const running = new Map<string, number>();
  for (const proc of processes)
    for (const job of proc.jobs) running.set(job.queue, (running.get(job.queue) ?? 0) + 1);
  const paused = new Set(await store.pausedQueues());
  const rows: QueueRow[] = queues.map((q) => ({ ...q, running: running.get(q.name) ?? 0 }));
  for (const name of paused) {
    if (!rows.some((r) => r.name === name))
      rows.push({
        name,
        size: 0,
        latencySeconds: 0,
        paused: true,
        processed: 0,
        failed: 0,
        expired: 0,
        limited: 0,
        duplicates: 0,
        running: running.get(name) ?? 0,
      });
  }
  return rows.sort((a, b) => a.name.localeCompare(b.name));
}

/** Render the queue table. */
export function queueTable(ctx: Context, rows: readonly QueueRow[]): string {
  const p = ctx.p;
  return table(
    [
      { header: "QUEUE" },
      { header: "SIZE", align: "right" },
      { header: "LATENCY", align: "right" },
      { header: "PAUSED" },
      { header: "RUNNING", align: "right" },
      { header: "PROCESSED", align: "right" },
      { header: "FAILED", align: "right" },
      { header: "LIMITED", align: "right" },
      { header: "EXPIRED", align: "right" },
      { header: "DUPLICATES", align: "right" },
    ],
    rows.map((q) => [
      q.name,
      count(q.size),
      q.size === 0
        ? "-"
        : q.latencySeconds > 60
          ? p.yellow(formatDuration(q.latencySeconds))
          : formatDuration(q.latencySeconds),
      q.paused ? p.yellow("paused") : "no",
      count(q.running),
      count(q.processed),
      q.failed > 0 ? p.red(count(q.failed)) : "0",
      count(q.limited),
      q.expired > 0 ? p.yellow(count(q.expired)) : "0",
      count(q.duplicates),
    ]),
    p,
  );
}

/** `verk queues`. */
export const queues: Command = {
  name: "queues",
  summary: "list queues: size, latency, paused, running, processed, failed, limited, expired, duplicates",
  usage: ["queues [--json]"],
  description:
    "Latency is the age of the oldest waiting job. Running counts come from the nodes' heartbeats (every 5 s).\nFlow control (lifetime): LIMITED = times a limit held a job back (a fetch waited, or a per-key limit\nput it back), EXPIRED = jobs skipped unstarted after their expires_at, DUPLICATES = unique jobs dropped.",
  flags: {},
  examples: ["verk queues", "verk queues --json | jq '.[] | select(.size > 1000)'"],
  async run(ctx) {
    const store = await ctx.store();
    const processes = await (await ctx.admin()).processes();
    const rows = await queueRows(store, processes);
    if (ctx.options.json) ctx.printJson(rows);
    else if (rows.length === 0) ctx.print("no queues yet (enqueue a job: verk enqueue MyJob '[]')");
    else ctx.print(queueTable(ctx, rows));
    return 0;
  },
};

/** `verk stats`. */
export const stats: Command = {
  name: "stats",
  summary:
    "totals (processed, failed, enqueued, scheduled, retries, dead, limited, expired, duplicates) and the last days",
  usage: ["stats [--days <n>] [--json]"],
  description:
    "Processed counts every execution, failures included (Sidekiq's stat:processed). Days are UTC.",
  flags: { days: { type: "string", value: "<n>", description: "days of history, 1-1825 (default: 7)" } },
  examples: ["verk stats", "verk stats --days 30 --json"],
  async run(ctx, _positionals, values) {
    const days = intFlag(values.days, "days", 7, 1);
    const store = await ctx.store();
    const reader = createStatsReader(store);
    const [totals, history, processes] = await Promise.all([
      reader.totals(),
      reader.history(Math.min(days, 1825)),
      (await ctx.admin()).processes(),
    ]);
    const busy = processes.reduce((sum, proc) => sum + proc.busy, 0);
    if (ctx.options.json) {
      ctx.printJson({ ...totals, processes: processes.length, busy, history });
      return 0;
    }
    const p = ctx.p;
    const pairs: [string, string][] = [
      ["processed", count(totals.processed)],
      ["failed", totals.failed > 0 ? p.red(count(totals.failed)) : "0"],
      ["enqueued", count(totals.enqueued)],
      ["queues", count(totals.queues)],
      ["scheduled", count(totals.scheduled)],
      ["retries", totals.retries > 0 ? p.yellow(count(totals.retries)) : "0"],
      ["dead", totals.dead > 0 ? p.red(count(totals.dead)) : "0"],
      ["limited", count(totals.limited)],
      ["expired", totals.expired > 0 ? p.yellow(count(totals.expired)) : "0"],
      ["duplicates", count(totals.duplicates)],
      ["processes", count(processes.length)],
      ["busy", count(busy)],
    ];
    for (const [k, v] of pairs) ctx.print(`${p.bold(k.padEnd(10))} ${v}`);
    ctx.print();
    ctx.print(
      table(
        [
          { header: "DAY (UTC)" },
          { header: "PROCESSED", align: "right" },
          { header: "FAILED", align: "right" },
        ],
        history.map((d) => [d.date, count(d.processed), count(d.failed)]),
        p,
      ),
    );
    return 0;
  },
};

/** Render the process table and the busy jobs. */
export function processTables(ctx: Context, processes: readonly AdminProcess[], maxJobs = 50): string {
  const p = ctx.p;
  const now = Date.now();
  const procs = table(
    [
      { header: "PROCESS" },
      { header: "QUEUES" },
      { header: "BUSY", align: "right" },
      { header: "STARTED" },
      { header: "BEAT" },
      { header: "RSS", align: "right" },
      { header: "STATE" },
    ],
    processes.map((proc) => [
      proc.identity,
      truncate(proc.queues.join(","), 30),
      `${proc.busy}/${proc.concurrency}`,
      when(proc.startedAt * 1000, now),
      when(proc.beat * 1000, now),
      `${count(proc.rssKb / 1024)} MB`,
      proc.quiet ? p.yellow("quiet") : p.green("running"),
    ]),
    p,
  );
  const jobs = processes.flatMap((proc) => proc.jobs).sort((a, b) => a.runAt - b.runAt);
  const busy = table(
    [
      { header: "PROCESS" },
      { header: "JID" },
      { header: "CLASS" },
      { header: "QUEUE" },
      { header: "STARTED" },
    ],
    jobs.slice(0, maxJobs).map((j) => [j.process, j.jid, j.className, j.queue, when(j.runAt * 1000, now)]),
    p,
  );
  const more = jobs.length > maxJobs ? `\n… and ${jobs.length - maxJobs} more` : "";
  return `${procs}\n\n${p.bold(`Busy jobs (${jobs.length})`)}\n${jobs.length > 0 ? busy + more : "none"}`;
}

/** `verk processes`. */
export const processes: Command = {
  name: "processes",
  summary: "list live nodes (Verk and Sidekiq processes), their heartbeats and busy jobs",
  usage: ["processes [--json]"],
  description:
    "Reads Sidekiq's process layout (processes set, <identity> hashes, <identity>:work), refreshed every 5 s.",
  flags: {},
  examples: ["verk processes", "verk processes --json | jq '.[].jobs[].jid'"],
  async run(ctx) {
    const list = await (await ctx.admin()).processes();
    if (ctx.options.json) ctx.printJson(list);
    else if (list.length === 0) ctx.print("no live processes (start one with: verk work)");
    else ctx.print(processTables(ctx, list));
    return 0;
  },
};
