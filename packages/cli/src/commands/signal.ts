import type { Command } from "../command.js";
import { CliError, UsageError } from "../util/errors.js";

function signalCommand(name: "quiet" | "stop"): Command {
  const signal = name === "quiet" ? "TSTP" : "TERM";
  return {
    name,
    summary:
      name === "quiet"
        ? "quiet a live node or Sidekiq process remotely (stops fetching new jobs)"
        : "stop a live node or Sidekiq process remotely (graceful shutdown)",
    usage: [`${name} <identity> | --all`],
    description:
      `Pushes ${signal} onto <identity>-signals (Sidekiq's remote signals, 60 s TTL); Verk nodes and Sidekiq\n` +
      "processes act on it at their next heartbeat (within 5 s). Identities: `verk processes`.",
    flags: { all: { type: "boolean", description: "every live process" } },
    examples: [`verk ${name} web-1:4242:0a1b2c`, `verk ${name} --all`],
    async run(ctx, positionals, values) {
      const all = values.all === true;
      const [identity, ...extra] = positionals;
      if (extra.length > 0) throw new UsageError(`unexpected argument "${extra[0]}"`);
      if (all === (identity !== undefined))
        throw new UsageError(`${name} needs an identity or --all (not both)`);
      const admin = await ctx.admin();
      const done = all
        ? await admin.signalAll(signal)
        : (await admin.signal(identity!, signal))
          ? [identity!]
          : [];
      if (!all && done.length === 0)
        throw new CliError(`no live process "${identity}" (see \`verk processes\`)`);
      if (ctx.options.json) ctx.printJson({ signal, processes: done });
      else
        ctx.print(
          `sent ${signal} (${name}) to ${done.length} process${done.length === 1 ? "" : "es"}${done.length ? `: ${done.join(", ")}` : ""}`,
        );
      return 0;
    },
  };
}

/** `verk quiet`, `verk stop`. */
export const signalCommands: Command[] = [signalCommand("quiet"), signalCommand("stop")];
