/** Log levels, most to least verbose. */
export type LogLevel = "debug" | "info" | "warn" | "error" | "silent";

/**
 * One log method, in pino's shape: structured fields first, then the message; or a message alone.
 * Verk always passes fields such as `queue`, `class`, `jid`, `nodeId`, and an error as `err`
 * (pino's standard error key, serialised with its stack).
 */
export interface LogFn {
  (fields: Record<string, unknown>, message: string): void;
  (message: string): void;
}

/**
 * A logger in pino's method shape: pass a pino logger (or a child of one) as it is. Anything
 * with `debug`, `info`, `warn` and `error` methods taking `(fields, message)` fits.
 */
export interface Logger {
  debug: LogFn;
  info: LogFn;
  warn: LogFn;
  error: LogFn;
}

const ORDER: Record<LogLevel, number> = { debug: 10, info: 20, warn: 30, error: 40, silent: 100 };

/**
 * A logger writing one line per message to stderr (`<ISO time> <LEVEL> verk: <message> <fields as JSON>`),
 * dropping messages below `level`. (Default level: `"warn"`, so a library stays quiet unless
 * something needs attention.)
 */
export function consoleLogger(level: LogLevel = "warn"): Logger {
  const min = ORDER[level];
  const write =
    (lvl: LogLevel): LogFn =>
    (first: Record<string, unknown> | string, second?: string) => {
      if (ORDER[lvl] < min) return;
      const [fields, message] = typeof first === "string" ? [undefined, first] : [first, second ?? ""];
      const extra = fields && Object.keys(fields).length > 0 ? ` ${safeJson(fields)}` : "";
      process.stderr.write(`${new Date().toISOString()} ${lvl.toUpperCase()} verk: ${message}${extra}\n`);
    };
  return { debug: write("debug"), info: write("info"), warn: write("warn"), error: write("error") };
}

function safeJson(fields: Record<string, unknown>): string {
  try {
    return JSON.stringify(fields, (_k, v) => (v instanceof Error ? `${v.name}: ${v.message}` : v));
  } catch {
    return "[unserialisable fields]";
  }
}
