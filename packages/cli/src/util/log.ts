import type { Logger, LogLevel } from "@verk/core";

const ORDER: Record<LogLevel, number> = { debug: 10, info: 20, warn: 30, error: 40, silent: 100 };

/** One field as logfmt: `key=value`, quoted when it has spaces, quotes or `=`; errors as `name: message`. */
function field(key: string, value: unknown): string {
  let text: string;
  if (value instanceof Error) text = `${value.name}: ${value.message}`;
  else if (typeof value === "string") text = value;
  else {
    try {
      text = JSON.stringify(value) ?? String(value);
    } catch {
      text = String(value);
    }
  }
  return /^[^\s"=]+$/.test(text) ? `${key}=${text}` : `${key}=${JSON.stringify(text)}`;
}

/**
 * The `verk work` logger: one line per message on `write` (default stderr),
 * `<ISO time> <LEVEL> <message> key=value …` (logfmt fields), dropping messages below `level`.
 * Same method shape as pino (`logger.info(fields, message)`), so Verk's structured fields
 * (`queue`, `class`, `jid`, `err`, …) stay fields.
 */
export function cliLogger(
  level: LogLevel,
  write: (line: string) => void = (l) => process.stderr.write(l),
): Logger {
  const min = ORDER[level];
  const at =
    (lvl: LogLevel) =>
    (first: Record<string, unknown> | string, second?: string): void => {
      if (ORDER[lvl] < min) return;
      const [fields, message] = typeof first === "string" ? [{}, first] : [first, second ?? ""];
      const extra = Object.entries(fields)
        .filter(([, v]) => v !== undefined)
        .map(([k, v]) => ` ${field(k, v)}`)
        .join("");
      write(`${new Date().toISOString()} ${lvl.toUpperCase()} ${message}${extra}\n`);
    };
  return { debug: at("debug"), info: at("info"), warn: at("warn"), error: at("error") } as Logger;
}
