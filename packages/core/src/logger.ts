/** Log levels, most to least verbose. */
export type LogLevel = "debug" | "info" | "warn" | "error" | "silent";

/** A minimal logger; pino, winston and `console` fit it. */
export interface Logger {
  debug(message: string, fields?: Record<string, unknown>): void;
  info(message: string, fields?: Record<string, unknown>): void;
  warn(message: string, fields?: Record<string, unknown>): void;
  error(message: string, fields?: Record<string, unknown>): void;
}

const ORDER: Record<LogLevel, number> = { debug: 10, info: 20, warn: 30, error: 40, silent: 100 };

/**
 * A logger writing one line per message to stderr, dropping messages below `level`.
 * (Default level: `"warn"`, so a library stays quiet unless something needs attention.)
 */
export function consoleLogger(level: LogLevel = "warn"): Logger {
  const min = ORDER[level];
  const write = (lvl: LogLevel) => (message: string, fields?: Record<string, unknown>) => {
    if (ORDER[lvl] < min) return;
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
