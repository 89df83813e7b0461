import { invalidOption } from "@verk/core";
import { wallFields, wallToInstant } from "./zone.js";

/** A parsed cron expression: the allowed values of each field. */
export interface CronExpression {
  readonly source: string;
  readonly seconds: ReadonlySet<number>;
  readonly minutes: ReadonlySet<number>;
  readonly hours: ReadonlySet<number>;
  readonly daysOfMonth: ReadonlySet<number>;
  readonly months: ReadonlySet<number>;
  /** 0 = Sunday … 6 = Saturday (7 is read as 0). */
  readonly daysOfWeek: ReadonlySet<number>;
  /** True when day-of-month was `*` (then only day-of-week restricts days). */
  readonly anyDayOfMonth: boolean;
  /** True when day-of-week was `*`. */
  readonly anyDayOfWeek: boolean;
}

const MONTHS = ["JAN", "FEB", "MAR", "APR", "MAY", "JUN", "JUL", "AUG", "SEP", "OCT", "NOV", "DEC"];
const DAYS = ["SUN", "MON", "TUE", "WED", "THU", "FRI", "SAT"];
const MACROS: Record<string, string> = {
  "@yearly": "0 0 1 1 *",
  "@annually": "0 0 1 1 *",
  "@monthly": "0 0 1 * *",
  "@weekly": "0 0 * * 0",
  "@daily": "0 0 * * *",
  "@midnight": "0 0 * * *",
  "@hourly": "0 * * * *",
};

function parseField(
  text: string,
  min: number,
  max: number,
  names: string[] | undefined,
  label: string,
): Set<number> {
  const out = new Set<number>();
  const value = (token: string): number => {
    const upper = token.toUpperCase();
    const named = names ? names.indexOf(upper) : -1;
    if (named >= 0) return named + (label === "month" ? 1 : 0);
    if (!/^\d+$/.test(token)) throw new Error(`"${token}" is not a number${names ? " or a name" : ""}`);
    return Number(token);
  };
  for (const part of text.split(",")) {
    const [range, stepText, extra] = part.split("/");
    if (extra !== undefined || range === undefined || range === "") throw new Error(`bad ${label} "${part}"`);
    const step = stepText === undefined ? 1 : Number(stepText);
    if (!Number.isInteger(step) || step < 1) throw new Error(`bad step in ${label} "${part}"`);
    let lo: number;
    let hi: number;
    if (range === "*" || range === "?") {
      lo = min;
      hi = max;
    } else if (range.includes("-")) {
      const [a, b] = range.split("-");
      lo = value(a ?? "");
      hi = value(b ?? "");
    } else {
      lo = value(range);
      hi = stepText === undefined ? lo : max;
    }
    const top = label === "day-of-week" ? 7 : max;
    if (lo < min || hi > top || lo > hi) throw new Error(`${label} "${part}" is out of range ${min}-${max}`);
    for (let v = lo; v <= hi; v += step) out.add(label === "day-of-week" && v === 7 ? 0 : v);
  }
  return out;
}

/**
 * Parse a cron expression: 5 fields (`minute hour day-of-month month day-of-week`) or 6 with a
 * leading seconds field; `*`, `?`, ranges `a-b`, steps `*\/n` `a-b/n` `a/n`, lists `a,b`, month
 * and weekday names (`JAN`, `MON`), Sunday as 0 or 7, and the macros `@hourly`, `@daily`,
 * `@midnight`, `@weekly`, `@monthly`, `@yearly`/`@annually`. When both day fields are
 * restricted, a day matches if either matches (Vixie cron).
 * @throws VerkError `INVALID_OPTION` naming the field at fault.
 */
export function parseCron(expression: string, field = "pattern"): CronExpression {
  if (typeof expression !== "string") throw invalidOption(field, "must be a cron expression string");
  const source = expression.trim();
  const expanded = MACROS[source.toLowerCase()] ?? source;
  const parts = expanded.split(/\s+/);
  if (parts.length !== 5 && parts.length !== 6)
    throw invalidOption(field, `"${expression}" must have 5 fields (or 6 with seconds first)`);
  const [sec, min, hour, dom, mon, dow] = parts.length === 6 ? parts : ["0", ...parts];
  try {
    return {
      source,
      seconds: parseField(sec!, 0, 59, undefined, "second"),
      minutes: parseField(min!, 0, 59, undefined, "minute"),
      hours: parseField(hour!, 0, 23, undefined, "hour"),
      daysOfMonth: parseField(dom!, 1, 31, undefined, "day-of-month"),
      months: parseField(mon!, 1, 12, MONTHS, "month"),
      daysOfWeek: parseField(dow!, 0, 6, DAYS, "day-of-week"),
      anyDayOfMonth: dom === "*" || dom === "?",
      anyDayOfWeek: dow === "*" || dow === "?",
    };
  } catch (error) {
    throw invalidOption(field, `"${expression}": ${(error as Error).message}`);
  }
}

function dayMatches(c: CronExpression, day: number, weekday: number): boolean {
  const domOk = c.daysOfMonth.has(day);
  const dowOk = c.daysOfWeek.has(weekday);
  if (c.anyDayOfMonth && c.anyDayOfWeek) return true;
  if (c.anyDayOfMonth) return dowOk;
  if (c.anyDayOfWeek) return domOk;
  return domOk || dowOk;
}

/**
 * The first time strictly after `afterMs` (epoch ms) matching `cron` in `timeZone` (IANA name,
 * default UTC), or `undefined` if none within 8 years. Wall times skipped by a DST change never
 * fire; a repeated wall time fires once, at its first occurrence.
 */
export function nextCronTime(cron: CronExpression, afterMs: number, timeZone = "UTC"): number | undefined {
  // Work on wall-clock time encoded as a UTC timestamp ("wall ms").
  let w = wallFields(Math.floor(afterMs / 1000) * 1000 + 1000, timeZone);
  const limit = w + 8 * 366 * 86_400_000;
  while (w < limit) {
    const d = new Date(w);
    const month = d.getUTCMonth() + 1;
    if (!cron.months.has(month)) {
      w = Date.UTC(d.getUTCFullYear(), d.getUTCMonth() + 1, 1);
      continue;
    }
    if (!dayMatches(cron, d.getUTCDate(), d.getUTCDay())) {
      w = Date.UTC(d.getUTCFullYear(), d.getUTCMonth(), d.getUTCDate() + 1);
      continue;
    }
    if (!cron.hours.has(d.getUTCHours())) {
      w = Date.UTC(d.getUTCFullYear(), d.getUTCMonth(), d.getUTCDate(), d.getUTCHours() + 1);
      continue;
    }
    if (!cron.minutes.has(d.getUTCMinutes())) {
      w = Date.UTC(
        d.getUTCFullYear(),
        d.getUTCMonth(),
        d.getUTCDate(),
        d.getUTCHours(),
        d.getUTCMinutes() + 1,
      );
      continue;
    }
    if (!cron.seconds.has(d.getUTCSeconds())) {
      w += 1000;
      continue;
    }
    const instant = wallToInstant(w, timeZone);
    if (instant !== undefined && instant > afterMs) return instant;
    w += 1000;
  }
  return undefined;
}
