import { createStatsReader } from "@verk/stats";
import type { Command } from "../command.js";
import type { Context } from "../context.js";
import { UsageError } from "../util/errors.js";
import { absolute, count } from "../util/format.js";
import { parseDuration } from "../util/time.js";
import { processTables, queueRows, queueTable } from "./info.js";

interface Sample {
  readonly at: number;
  readonly processed: number;
  readonly failed: number;
}

async function frame(ctx: Context, previous: Sample | undefined): Promise<{ text: string; sample: Sample }> {
  const store = await ctx.store();
  const admin = await ctx.admin();
  const processes = await admin.processes();
  const [rows, totals] = await Promise.all([queueRows(store, processes), createStatsReader(store).totals()]);
  const sample = { at: Date.now(), processed: totals.processed, failed: totals.failed };
  const secs = previous ? (sample.at - previous.at) / 1000 : 0;
  const rate = (n: number, m: number) => (secs > 0 ? `${count(Math.max(0, n - m) / secs)}/s` : "-");
  const p = ctx.p;
  const busy = processes.reduce((s, proc) => s + proc.busy, 0);
  const lines = [
    `${p.bold("verk top")}  ${ctx.maskedUrl}${ctx.options.namespace ? ` ns=${ctx.options.namespace}` : ""}  ${absolute(sample.at)}  ${p.dim("q to quit")}`,
    `processed ${count(totals.processed)} (${rate(sample.processed, previous?.processed ?? 0)})  failed ${count(totals.failed)} (${rate(sample.failed, previous?.failed ?? 0)})  ` +
      `enqueued ${count(totals.enqueued)}  scheduled ${count(totals.scheduled)}  retries ${count(totals.retries)}  dead ${count(totals.dead)}`,
    `processes ${processes.length}  busy ${busy}`,
    "",
    rows.length > 0 ? queueTable(ctx, rows) : "no queues",
    "",
    processes.length > 0 ? processTables(ctx, processes, 10) : "no live processes",
  ];
  return { text: lines.join("\n"), sample };
}

/** `verk top`. */
export const top: Command = {
  name: "top",
  summary: "live view of queues, throughput, latency and busy workers across all nodes (q quits)",
  usage: ["top [--interval <duration>] [--once]"],
  description:
    "Redraws every --interval on a terminal; press q (or Ctrl-C) to quit. Throughput is the change of\n" +
    "stat:processed, which nodes flush every few seconds. Without a terminal (or with --once or --json)\n" +
    "it prints one snapshot.",
  flags: {
    interval: {
      type: "string",
      short: "n",
      value: "<duration>",
      description: "refresh interval (default: 1s)",
    },
    once: { type: "boolean", description: "print one snapshot and exit" },
  },
  examples: ["verk top", "verk top --interval 5s", "verk top --once --no-color"],
  async run(ctx, _positionals, values) {
    const intervalMs =
      typeof values.interval === "string" ? parseDuration(values.interval, "--interval") * 1000 : 1000;
    if (intervalMs < 100) throw new UsageError("--interval must be at least 100ms");
    const { stdout, stdin } = ctx.io;
    if (ctx.options.json) {
      const store = await ctx.store();
      const processes = await (await ctx.admin()).processes();
      ctx.printJson({
        totals: await createStatsReader(store).totals(),
        queues: await queueRows(store, processes),
        processes,
      });
      return 0;
    }
    if (values.once === true || stdout.isTTY !== true) {
      ctx.print((await frame(ctx, undefined)).text);
      return 0;
    }
    await ctx.store();
    return new Promise<number>((resolve, reject) => {
      let previous: Sample | undefined;
      let timer: NodeJS.Timeout | undefined;
      let done = false;
      const finish = (code: number, error?: unknown) => {
        if (done) return;
        done = true;
        clearTimeout(timer);
        stdin.off("data", onKey);
        if (stdin.isTTY) stdin.setRawMode(false);
        stdin.pause();
        process.off("SIGINT", onSignal);
        process.off("SIGTERM", onSignal);
        stdout.write("\x1b[?25h\x1b[?1049l");
        if (error) reject(error);
        else resolve(code);
      };
      const onKey = (data: Buffer) => {
        const key = data.toString();
        if (key === "q" || key === "Q" || key === "\u0003") finish(0);
        else if (key === " " || key === "r") void draw();
      };
      const onSignal = () => finish(0);
      const draw = async () => {
        clearTimeout(timer);
        try {
          const { text, sample } = await frame(ctx, previous);
          previous = sample;
          if (done) return;
          const rows = stdout.rows ?? 1000;
          const body = text
            .split("\n")
            .slice(0, rows - 1)
            .join("\x1b[K\n");
          stdout.write(`\x1b[H${body}\x1b[K\x1b[J`);
          timer = setTimeout(() => void draw(), intervalMs);
        } catch (error) {
          finish(1, error);
        }
      };
      stdout.write("\x1b[?1049h\x1b[?25l\x1b[H\x1b[2J");
      if (stdin.isTTY) stdin.setRawMode(true);
      stdin.resume();
      stdin.on("data", onKey);
      process.on("SIGINT", onSignal);
      process.on("SIGTERM", onSignal);
      void draw();
    });
  },
};
