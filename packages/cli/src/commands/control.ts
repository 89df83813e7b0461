import { createInterface } from "node:readline/promises";
import type { Command } from "../command.js";
import type { Context } from "../context.js";
import { CliError, UsageError } from "../util/errors.js";

/**
 * `name`, when it is a known queue (`RedisStore.queueKnown`: the same rule as
 * `verk.pauseQueue`), or with `force`. @throws CliError naming the known queues.
 */
async function knownQueue(
  ctx: Context,
  name: string | undefined,
  command: string,
  force = false,
): Promise<string> {
  if (!name) throw new UsageError(`${command} needs a queue name, e.g. \`verk ${command} default\``);
  if (force || (await (await ctx.store()).queueKnown(name))) return name;
  const names = (await (await ctx.admin()).queues()).map((q) => q.name);
  throw new CliError(
    `unknown queue "${name}": no node serves it, it has no jobs and it is not paused${names.length ? ` (known: ${names.join(", ")})` : " (no queues yet)"}` +
      (command === "clear" ? "" : `; pass --force to ${command} it anyway`),
  );
}

function pauseCommand(name: "pause" | "resume"): Command {
  const paused = name === "pause";
  return {
    name,
    summary: paused
      ? "pause a queue on every node (running jobs finish)"
      : "resume a paused queue on every node",
    usage: [`${name} <queue> [--force]`],
    description:
      "Stored in Redis (verk:paused), so it holds across restarts; nodes react within a moment.\n" +
      "The queue must be known: in the queues set, with jobs, paused, or served by a live node\n" +
      "(the rule of verk.pauseQueue); --force " +
      name +
      "s any name (e.g. before its first node starts).",
    flags: {
      force: { type: "boolean", short: "f", description: `${name} even a queue that is not known yet` },
    },
    examples: [`verk ${name} mailers`, `verk ${name} default --json`, `verk ${name} newqueue --force`],
    async run(ctx, positionals, values) {
      const queue = await knownQueue(ctx, positionals[0], name, values.force === true);
      await (await ctx.store()).setPaused(queue, paused);
      if (ctx.options.json) ctx.printJson({ queue, paused });
      else ctx.print(`${paused ? "paused" : "resumed"} queue "${queue}"`);
      return 0;
    },
  };
}

async function confirm(ctx: Context, question: string): Promise<boolean> {
  const rl = createInterface({ input: ctx.io.stdin, output: ctx.io.stderr });
  try {
    const answer = await rl.question(`${question} [y/N] `);
    return /^y(es)?$/i.test(answer.trim());
  } finally {
    rl.close();
  }
}

/** `verk clear`. */
const clear: Command = {
  name: "clear",
  summary: "delete every waiting job of a queue (asks first unless --yes)",
  usage: ["clear <queue> [--yes]"],
  description:
    "Deletes queue:<q> and removes the queue from the queues set (like Sidekiq's Queue#clear).\n" +
    "Running jobs are not touched. Without a terminal, --yes is required.",
  flags: { yes: { type: "boolean", short: "y", description: "do not ask for confirmation" } },
  examples: ["verk clear low", "verk clear low --yes --json"],
  async run(ctx, positionals, values) {
    const queue = await knownQueue(ctx, positionals[0], "clear");
    const admin = await ctx.admin();
    if (values.yes !== true) {
      if (ctx.io.stdin.isTTY !== true)
        throw new CliError(
          `refusing to clear "${queue}" without confirmation: no terminal to ask on; pass --yes`,
        );
      const size = (await admin.queues()).find((q) => q.name === queue)?.size ?? 0;
      if (!(await confirm(ctx, `Delete ${size} waiting job(s) of "${queue}"?`))) {
        ctx.note("cancelled; nothing deleted");
        return 1;
      }
    }
    const deleted = await admin.clearQueue(queue);
    if (ctx.options.json) ctx.printJson({ queue, deleted });
    else ctx.print(`cleared queue "${queue}": deleted ${deleted} job(s)`);
    return 0;
  },
};

/** `verk pause`, `verk resume`, `verk clear`. */
export const controlCommands: Command[] = [pauseCommand("pause"), pauseCommand("resume"), clear];
