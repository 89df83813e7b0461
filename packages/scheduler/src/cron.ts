import { invalidOption } from "@verk/core";
import { Cron, CronPattern } from "croner";

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

/**
 * Croner's reading of Verk's cron syntax: 5 fields or 6 with seconds first (no year field),
 * `a/n` steps allowed, and a day matching day-of-month OR day-of-week when both are restricted
 * (Vixie cron; croner's default).
 */
const PATTERN_OPTIONS = { mode: "5-or-6-parts", sloppyRanges: true } as const;
const EIGHT_YEARS_MS = 8 * 366 * 86_400_000;
/** Croner schedules per expression and time zone (a `Cron` caches its parsed pattern). */
const schedules = new WeakMap<CronExpression, Map<string, Cron>>();

function values(flags: readonly number[], offset = 0): Set<number> {
  const out = new Set<number>();
  flags.forEach((on, i) => {
    if (on) out.add(i + offset);
  });
  return out;
}

/**
 * Parse a cron expression with [croner](https://github.com/hexagon/croner): 5 fields
 * (`minute hour day-of-month month day-of-week`) or 6 with a leading seconds field; `*`, `?`,
 * ranges `a-b`, steps `*\/n` `a-b/n` `a/n`, lists `a,b`, month and weekday names (`JAN`, `MON`),
 * Sunday as 0 or 7, the macros `@hourly`, `@daily`, `@midnight`, `@weekly`, `@monthly`,
 * `@yearly`/`@annually`, and croner's extensions (`L` last day, `W` nearest weekday, `#` nth
 * weekday). When both day fields are restricted, a day matches if either matches (Vixie cron).
 * @throws VerkError `INVALID_OPTION` naming the field at fault.
 */
export function parseCron(expression: string, field = "pattern"): CronExpression {
  if (typeof expression !== "string") throw invalidOption(field, "must be a cron expression string");
  const source = expression.trim();
  let pattern: CronPattern;
  try {
    pattern = new CronPattern(source, undefined, PATTERN_OPTIONS);
  } catch (error) {
    const message = (error as Error).message.replace(/^CronPattern: /, "");
    throw invalidOption(field, `"${expression}": ${message}`);
  }
  return {
    source,
    seconds: values(pattern.second),
    minutes: values(pattern.minute),
    hours: values(pattern.hour),
    daysOfMonth: values(pattern.day, 1),
    months: values(pattern.month, 1),
    daysOfWeek: values(pattern.dayOfWeek),
    anyDayOfMonth: pattern.starDOM,
    anyDayOfWeek: pattern.starDOW,
  };
}

function scheduleOf(cron: CronExpression, timeZone: string): Cron {
  let byZone = schedules.get(cron);
  if (!byZone) {
    byZone = new Map();
    schedules.set(cron, byZone);
  }
  let schedule = byZone.get(timeZone);
  if (!schedule) {
    schedule = new Cron(cron.source, { ...PATTERN_OPTIONS, timezone: timeZone, paused: true });
    byZone.set(timeZone, schedule);
  }
  return schedule;
}

/**
 * The first time strictly after `afterMs` (epoch ms) matching `cron` in `timeZone` (IANA name,
 * default UTC), or `undefined` if none within 8 years. Computed by croner. Wall times skipped by
 * a DST change never fire (croner would run such a fixed-time job at the end of the gap; Verk
 * skips it, as documented); a repeated wall time fires once, at its first occurrence.
 */
export function nextCronTime(cron: CronExpression, afterMs: number, timeZone = "UTC"): number | undefined {
  const schedule = scheduleOf(cron, timeZone);
  const limit = afterMs + EIGHT_YEARS_MS;
  let next = schedule.nextRun(new Date(afterMs));
  // A run croner moved out of a DST gap does not match the pattern's wall time: skip it.
  while (next !== null && next.getTime() <= limit && !schedule.match(next)) next = schedule.nextRun(next);
  if (next === null || next.getTime() > limit) return undefined;
  return next.getTime();
}
