import { type Command, type FlagSpec, GLOBAL_FLAGS } from "./command.js";
import type { Palette } from "./util/format.js";

function flagLines(flags: Readonly<Record<string, FlagSpec>>): string[] {
  const entries = Object.entries(flags).map(([name, f]) => {
    const head = `${f.short ? `-${f.short}, ` : "    "}--${name}${f.value ? ` ${f.value}` : ""}`;
    return [head, f.description] as const;
  });
  const w = Math.max(...entries.map(([h]) => h.length));
  return entries.map(([h, d]) => `  ${h.padEnd(w)}  ${d}`);
}

/** The `--help` text of one command. */
export function commandHelp(cmd: Command, p: Palette): string {
  const lines = [
    `${p.bold("Usage:")} ${cmd.usage.map((u, i) => (i === 0 ? `verk ${u}` : `       verk ${u}`)).join("\n")}`,
    "",
    cmd.summary,
  ];
  if (cmd.description) lines.push("", cmd.description);
  if (Object.keys(cmd.flags).length > 0) lines.push("", p.bold("Options:"), ...flagLines(cmd.flags));
  lines.push("", p.bold("Global options:"), ...flagLines(GLOBAL_FLAGS));
  lines.push("", p.bold("Examples:"), ...cmd.examples.map((e) => `  $ ${e}`));
  lines.push(
    "",
    "Exit codes: 0 ok, 1 failure (e.g. Redis unreachable, unknown queue or jid), 2 usage error.",
  );
  return lines.join("\n");
}

/** The `verk --help` text. */
export function mainHelp(commands: readonly Command[], version: string, p: Palette): string {
  const w = Math.max(...commands.map((c) => c.name.length));
  return [
    `verk ${version}: run and operate Verk (Sidekiq-compatible jobs for Node.js) from a terminal`,
    "",
    `${p.bold("Usage:")} verk <command> [options]`,
    "",
    p.bold("Commands:"),
    ...commands.map((c) => `  ${c.name.padEnd(w)}  ${c.summary}`),
    "",
    p.bold("Global options:"),
    ...flagLines({ ...GLOBAL_FLAGS, version: { type: "boolean", description: "print the version" } }),
    "",
    p.bold("Examples:"),
    "  $ verk work --config verk.config.js",
    "  $ verk enqueue SendEmail '[\"ann@example.com\"]' --queue mailers --in 5m",
    "  $ verk queues --redis-url redis://:secret@redis:6379/0",
    "  $ verk retries list --class SendEmail",
    "  $ verk top",
    "",
    "Run `verk <command> --help` for a command's options and examples.",
    "Exit codes: 0 ok, 1 failure, 2 usage error. Colour only on a terminal and never with NO_COLOR.",
  ].join("\n");
}
