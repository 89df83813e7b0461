import type { Context } from "./context.js";
import { UsageError } from "./util/errors.js";

/** One flag of a command, as `node:util` parseArgs takes it, plus help text. */
export interface FlagSpec {
  readonly type: "string" | "boolean";
  readonly short?: string;
  readonly multiple?: boolean;
  /** Shown in `--help`, e.g. `<name>`. */
  readonly value?: string;
  readonly description: string;
}

/** A `verk` command. */
export interface Command {
  /** Name as typed, e.g. `enqueue` or `retries`. */
  readonly name: string;
  /** One line for `verk --help`. */
  readonly summary: string;
  /** Usage lines without the leading `verk `. */
  readonly usage: readonly string[];
  /** A paragraph after the usage. */
  readonly description?: string;
  /** The command's own flags (the global ones are added). */
  readonly flags: Readonly<Record<string, FlagSpec>>;
  /** Example command lines. */
  readonly examples: readonly string[];
  /** Run; resolves the exit code. Throw `CliError`/`UsageError` for failures. */
  run(ctx: Context, positionals: string[], values: Record<string, unknown>): Promise<number>;
}

/** Flags every command accepts. */
export const GLOBAL_FLAGS: Readonly<Record<string, FlagSpec>> = {
  json: { type: "boolean", description: "print machine-readable JSON on stdout" },
  "redis-url": {
    type: "string",
    value: "<url>",
    description: "Redis to use (default: $REDIS_URL or redis://127.0.0.1:6379)",
  },
  "cluster-nodes": {
    type: "string",
    value: "<url,url>",
    description:
      "run on a Redis Cluster: some of its nodes (default: $VERK_CLUSTER_NODES; overrides --redis-url)",
  },
  namespace: {
    type: "string",
    value: "<ns>",
    description: "key namespace (default: $VERK_NAMESPACE or none)",
  },
  "no-color": { type: "boolean", description: "never colour the output (NO_COLOR=1 does the same)" },
  help: { type: "boolean", short: "h", description: "show this help" },
};

/** Parse a non-negative integer flag. */
export function intFlag(value: unknown, flag: string, fallback: number, min = 0): number {
  if (value === undefined) return fallback;
  const n = Number(value);
  if (!Number.isInteger(n) || n < min) {
    throw new UsageError(`--${flag} must be an integer >= ${min}, got "${String(value)}"`);
  }
  return n;
}
