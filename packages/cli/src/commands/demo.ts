import type { Command } from "../command.js";
import { intFlag } from "../command.js";
import { connectionError } from "../context.js";
import { runDemo } from "../demo.js";
import { CliError, UsageError } from "../util/errors.js";

/** `verk demo`. */
export const demo: Command = {
  name: "demo",
  summary: "the quick start: run thousands of jobs (with retries, failures, scheduled jobs) and summarise",
  usage: ["demo [--jobs <n>] [--scheduled <n>] [--namespace <ns>]"],
  description:
    'Works in its own namespace (default "verk-demo"), which it empties before and after, so it never\n' +
    "touches other data. Ends with one line: processed N, failed M, retried R, dead D in T s (X jobs/s).",
  flags: {
    jobs: {
      type: "string",
      value: "<n>",
      description: "jobs enqueued at once, over two queues (default: 10000)",
    },
    scheduled: { type: "string", value: "<n>", description: "jobs scheduled 3 s ahead (default: 500)" },
  },
  examples: [
    "verk demo",
    "verk demo --jobs 50000 --redis-url redis://127.0.0.1:6380",
    "verk demo --jobs 1000 --json",
  ],
  async run(ctx, _positionals, values) {
    if (ctx.options.clusterNodes)
      throw new UsageError("demo runs on one Redis (--redis-url); it does not take --cluster-nodes");
    const jobs = intFlag(values.jobs, "jobs", 10_000, 1);
    const scheduled = intFlag(values.scheduled, "scheduled", Math.min(500, Math.ceil(jobs / 20)), 0);
    const out = ctx.options.json ? ctx.io.stderr : ctx.io.stdout;
    try {
      const summary = await runDemo({
        redisUrl: ctx.options.redisUrl,
        jobs,
        scheduled,
        namespace: ctx.options.namespace ?? "verk-demo",
        out,
      });
      if (ctx.options.json) ctx.printJson(summary);
      return 0;
    } catch (error) {
      if ((error as { code?: string }).code === "CONNECTION_FAILED")
        throw connectionError(error, ctx.maskedUrl);
      throw error instanceof Error ? new CliError(`demo failed: ${error.message}`) : error;
    }
  },
};
