import { type ParseArgsConfig, parseArgs } from "node:util";
import { isVerkError } from "@verk/core";
import { type Command, GLOBAL_FLAGS } from "./command.js";
import { COMMANDS } from "./commands/index.js";
import { Context, globalOptions, type Io } from "./context.js";
import { commandHelp, mainHelp } from "./help.js";
import { CliError, EXIT, UsageError } from "./util/errors.js";
import { palette, useColour } from "./util/format.js";
import { VERSION } from "./version.js";

function processIo(): Io {
  return {
    stdout: process.stdout,
    stderr: process.stderr,
    stdin: process.stdin,
    env: process.env,
    cwd: process.cwd(),
  };
}

function closest(name: string, names: readonly string[]): string | undefined {
  return names.find((n) => n.startsWith(name.slice(0, 3)) || name.startsWith(n.slice(0, 3)));
}

/** Find the command named `name`; `retry`, `schedule` and `morgue` are accepted aliases. */
export function findCommand(name: string): Command | undefined {
  const alias: Record<string, string> = { retry: "retries", schedule: "scheduled", morgue: "dead" };
  return COMMANDS.find((c) => c.name === (alias[name] ?? name));
}

/**
 * Run the `verk` command line `argv` (without `node` and the script) and resolve the exit code:
 * 0 ok, 1 failure, 2 usage error. Errors are printed as one line on stderr.
 */
export async function main(argv: readonly string[], io: Io = processIo()): Promise<number> {
  const errColour = palette(useColour(io.stderr, io.env, !argv.includes("--no-color")));
  const fail = (error: unknown): number => {
    const code = error instanceof CliError ? error.exitCode : EXIT.failure;
    let message = error instanceof Error ? error.message : String(error);
    if (isVerkError(error)) message = message.replace(/^\[[\w-]+\] /, "");
    io.stderr.write(`${errColour.red("verk: error:")} ${message.split("\n")[0]}\n`);
    if (code === EXIT.usage && !(error instanceof CliError && /--help/.test(message)))
      io.stderr.write(errColour.dim("Run `verk --help` for usage.\n"));
    return code;
  };
  const [name, ...rest] = argv;
  if (name === undefined || name === "--help" || name === "-h" || name === "help") {
    const target = name === "help" && rest[0] ? findCommand(rest[0]) : undefined;
    const p = palette(useColour(io.stdout, io.env, !argv.includes("--no-color")));
    io.stdout.write(`${target ? commandHelp(target, p) : mainHelp(COMMANDS, VERSION, p)}\n`);
    return name === undefined ? EXIT.usage : EXIT.ok;
  }
  if (name === "--version" || name === "-v" || name === "version") {
    io.stdout.write(`${VERSION}\n`);
    return EXIT.ok;
  }
  const command = findCommand(name);
  if (!command) {
    const hint = name.startsWith("-")
      ? ""
      : closest(
          name,
          COMMANDS.map((c) => c.name),
        );
    return fail(
      new UsageError(
        `unknown command "${name}"${hint ? ` (did you mean "${hint}"?)` : ""}; run \`verk --help\``,
      ),
    );
  }
  let parsed: { values: Record<string, unknown>; positionals: string[] };
  try {
    parsed = parseArgs({
      args: [...rest],
      options: { ...GLOBAL_FLAGS, ...command.flags } as ParseArgsConfig["options"],
      allowPositionals: true,
      strict: true,
    }) as { values: Record<string, unknown>; positionals: string[] };
  } catch (error) {
    const message =
      error instanceof Error ? error.message.split("\n")[0]!.replace(/\. To specify.*$/, "") : "";
    return fail(new UsageError(`${command.name}: ${message}; run \`verk ${command.name} --help\``));
  }
  let ctx: Context;
  try {
    ctx = new Context(io, globalOptions(parsed.values, io.env));
  } catch (error) {
    return fail(error);
  }
  if (parsed.values.help === true) {
    io.stdout.write(`${commandHelp(command, ctx.p)}\n`);
    return EXIT.ok;
  }
  try {
    return await command.run(ctx, parsed.positionals, parsed.values);
  } catch (error) {
    return fail(error);
  } finally {
    await ctx.close();
  }
}
