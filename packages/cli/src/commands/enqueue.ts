import { createVerk, isVerkError, type NewJob, resolveRunAt } from "@verk/core";
import type { Command } from "../command.js";
import { loadConfig, loadWorkers } from "../config.js";
import { UsageError } from "../util/errors.js";
import { when } from "../util/format.js";
import { parseDuration } from "../util/time.js";

/**
 * Parse `--at`: an ISO 8601 time (`2030-01-01T09:00:00Z`, `2030-01-01 09:00`) or epoch
 * **milliseconds**, as the API takes; a number below 1e11 (epoch seconds) is refused.
 * @throws UsageError naming the flag.
 */
export function parseAt(text: string, flag = "--at"): number {
  const trimmed = text.trim();
  if (/^\d+(\.\d+)?$/.test(trimmed)) {
    try {
      return resolveRunAt(Number(trimmed), flag);
    } catch (error) {
      if (!isVerkError(error)) throw error;
      throw new UsageError(
        `${flag}: "${text}" looks like epoch seconds; give epoch milliseconds (${Math.round(Number(trimmed) * 1000)}) or an ISO 8601 time like 2030-01-01T09:00:00Z`,
      );
    }
  }
  const ms = Date.parse(trimmed.replace(" ", "T"));
  if (Number.isNaN(ms)) {
    throw new UsageError(
      `${flag}: "${text}" is not a time (use ISO 8601 like 2030-01-01T09:00:00Z, or epoch milliseconds)`,
    );
  }
  return ms;
}

/** Parse the args JSON: an array, or a single value wrapped in one. */
export function parseArgsJson(text: string | undefined): unknown[] {
  if (text === undefined) return [];
  let value: unknown;
  try {
    value = JSON.parse(text);
  } catch (error) {
    const reason = error instanceof Error ? error.message : String(error);
    throw new UsageError(`invalid JSON args ${JSON.stringify(text)}: ${reason} (example: '[1, "two"]')`);
  }
  if (!Array.isArray(value)) {
    throw new UsageError(`args must be a JSON array, got ${JSON.stringify(text)} (example: '[1, "two"]')`);
  }
  return value;
}

/** Parse `--unique-for` / `--unique-until` into a job's `unique` option (`undefined` when not given). */
export function parseUnique(forText: unknown, until: unknown): NewJob["unique"] {
  if (forText === undefined) {
    if (until !== undefined) throw new UsageError("--unique-until needs --unique-for <duration>");
    return undefined;
  }
  const seconds = parseDuration(String(forText), "--unique-for");
  if (!(seconds > 0))
    throw new UsageError(`--unique-for must be a positive duration, got "${String(forText)}"`);
  if (until !== undefined && until !== "start" && until !== "success")
    throw new UsageError(`--unique-until must be start or success, got "${String(until)}"`);
  return { for: seconds, ...(until === "start" ? { until: "start" as const } : {}) };
}

function parseRetry(value: unknown): boolean | number | undefined {
  if (value === undefined) return undefined;
  if (value === "true") return true;
  if (value === "false") return false;
  const n = Number(value);
  if (!Number.isInteger(n) || n < 0)
    throw new UsageError(`--retry must be true, false or an integer >= 0, got "${String(value)}"`);
  return n;
}

/** `verk enqueue`. */
export const enqueue: Command = {
  name: "enqueue",
  summary: "enqueue a job now, at a time (--at) or after a delay (--in)",
  usage: [
    "enqueue <class> [args-json] [--queue <q>] [--at <time> | --in <duration>] [--retry <n>]",
    "        [--unique-for <duration> [--unique-until start|success]] [--expires-in <duration>] [--config <file>]",
  ],
  description:
    "args-json is a JSON array of arguments (default []). The job is written in Sidekiq's format, so a\nVerk node or a Sidekiq process running <class> picks it up. When verk.config.* (or --config) lists\nthe workers, <class>'s worker options (queue, retry, unique, expiresIn) are the defaults; flags win.\nWith --unique-for, an equal job (same class, queue, args) holding its lock means nothing is\nenqueued: it prints duplicate (exit code 0). --expires-in: a job not started by then is skipped.",
  flags: {
    queue: {
      type: "string",
      short: "q",
      value: "<q>",
      description: "queue (default: the worker's queue option, else default)",
    },
    at: {
      type: "string",
      value: "<time>",
      description: "run at an ISO 8601 time or epoch milliseconds (as the API)",
    },
    in: { type: "string", value: "<duration>", description: "run after a delay: 30s, 5m, 1h30m, 2d" },
    "unique-for": {
      type: "string",
      value: "<duration>",
      description: "unique job: drop it while an equal job holds the lock, for at most this long (30s, 5m)",
    },
    "unique-until": {
      type: "string",
      value: "start|success",
      description: "release the unique lock when the job starts, or (default) when it succeeds",
    },
    "expires-in": {
      type: "string",
      value: "<duration>",
      description: "skip the job if it has not started this long after it is due (500ms, 1h)",
    },
    retry: {
      type: "string",
      value: "<n>",
      description: "retries: an integer, true (25) or false (default: the worker's retry option, else true)",
    },
    config: {
      type: "string",
      short: "c",
      value: "<file>",
      description: "config whose workers give the defaults (default: verk.config.* in cwd)",
    },
  },
  examples: [
    "verk enqueue SendEmail '[\"ann@example.com\", 42]'",
    "verk enqueue Report '[]' --queue low --in 30s",
    "verk enqueue Cleanup --at 2030-01-01T00:00:00Z --retry 3 --json",
    "verk enqueue SyncAccount '[42]' --unique-for 10m --expires-in 1h",
  ],
  async run(ctx, positionals, values) {
    const [className, argsText, ...extra] = positionals;
    if (!className) throw new UsageError("enqueue needs a job class, e.g. `verk enqueue SendEmail '[1]'`");
    if (extra.length > 0)
      throw new UsageError(
        `enqueue takes one JSON args value; quote it: '${[argsText, ...extra].join(" ")}'`,
      );
    const args = parseArgsJson(argsText);
    if (values.at !== undefined && values.in !== undefined)
      throw new UsageError("give either --at or --in, not both");
    let atMs: number | undefined;
    if (typeof values.at === "string") atMs = parseAt(values.at, "--at");
    if (typeof values.in === "string") atMs = Date.now() + parseDuration(values.in, "--in") * 1000;
    const retry = parseRetry(values.retry);
    const unique = parseUnique(values["unique-for"], values["unique-until"]);
    const expiresIn =
      typeof values["expires-in"] === "string"
        ? parseDuration(values["expires-in"], "--expires-in") * 1000
        : undefined;
    if (expiresIn !== undefined && !(expiresIn > 0))
      throw new UsageError(`--expires-in must be a positive duration, got "${String(values["expires-in"])}"`);
    const given: NewJob = {
      class: className,
      args,
      ...(typeof values.queue === "string" ? { queue: values.queue } : {}),
      ...(retry === undefined ? {} : { retry }),
      ...(unique === undefined ? {} : { unique }),
      ...(expiresIn === undefined ? {} : { expiresIn }),
    };
    // The registered workers' options are the defaults, as for every enqueue through Verk.
    const { config, dir } = await loadConfig(ctx.io.cwd, values.config as string | undefined);
    const workers = await loadWorkers(config.workers ?? [], dir);
    const store = await ctx.store();
    const verk = createVerk({ store, workers });
    const job = verk.jobWithDefaults(given);
    const queue = job.queue ?? "default";
    const scheduled = atMs !== undefined && atMs > Date.now();
    let heldBy: string | undefined;
    verk.on("job:duplicate", (event) => {
      heldBy = event.heldBy;
    });
    const jid = scheduled ? await verk.schedule(job, atMs!) : await verk.enqueue(job);
    if (ctx.options.json) {
      ctx.printJson({
        jid,
        class: className,
        queue,
        args,
        ...(scheduled ? { at: new Date(atMs!).toISOString() } : {}),
        ...(jid === null ? { duplicate: true, heldBy: heldBy ?? null } : {}),
      });
    } else if (jid === null) {
      ctx.print(
        `duplicate: ${ctx.p.bold(className)} not enqueued on "${queue}": an equal job${heldBy ? ` (${heldBy})` : ""} holds its unique lock`,
      );
    } else if (scheduled) {
      ctx.print(`scheduled ${ctx.p.bold(className)} ${jid} on "${queue}" ${when(atMs)}`);
    } else {
      ctx.print(`enqueued ${ctx.p.bold(className)} ${jid} on "${queue}"`);
    }
    return 0;
  },
};
