/** Exit codes of the `verk` binary. */
export const EXIT = {
  /** The command did what was asked. */
  ok: 0,
  /** The command failed: Redis unreachable, unknown queue or jid, a job error, a refusal. */
  failure: 1,
  /** The command line is wrong: unknown command or flag, missing or invalid argument (e.g. JSON). */
  usage: 2,
} as const;

/** A failure reported as one line on stderr with exit code `exitCode` (default 1). */
export class CliError extends Error {
  readonly exitCode: number;

  constructor(message: string, exitCode: number = EXIT.failure) {
    super(message);
    this.name = "CliError";
    this.exitCode = exitCode;
  }
}

/** A command-line mistake: exit code 2. */
export class UsageError extends CliError {
  constructor(message: string) {
    super(message, EXIT.usage);
    this.name = "UsageError";
  }
}
