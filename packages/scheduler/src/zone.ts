import { invalidOption } from "@verk/core";

const formatters = new Map<string, Intl.DateTimeFormat>();

function formatter(timeZone: string): Intl.DateTimeFormat {
  let f = formatters.get(timeZone);
  if (!f) {
    f = new Intl.DateTimeFormat("en-US", {
      timeZone,
      hourCycle: "h23",
      year: "numeric",
      month: "2-digit",
      day: "2-digit",
      hour: "2-digit",
      minute: "2-digit",
      second: "2-digit",
    });
    formatters.set(timeZone, f);
  }
  return f;
}

/** Throw `INVALID_OPTION` unless `timeZone` is an IANA zone known to Intl. */
export function assertTimeZone(timeZone: string, field = "timezone"): void {
  try {
    formatter(timeZone);
  } catch {
    throw invalidOption(
      field,
      `"${timeZone}" is not a time zone known to Intl (use an IANA name like "Europe/Berlin")`,
    );
  }
}

/** The wall-clock time of instant `ms` in `timeZone`, encoded as if it were UTC (whole seconds). */
export function wallFields(ms: number, timeZone: string): number {
  const parts: Record<string, number> = {};
  for (const p of formatter(timeZone).formatToParts(new Date(ms))) {
    if (p.type !== "literal") parts[p.type] = Number(p.value);
  }
  return Date.UTC(parts.year!, parts.month! - 1, parts.day!, parts.hour!, parts.minute!, parts.second!);
}

/**
 * The earliest instant whose wall-clock time in `timeZone` is `wall` (see {@link wallFields}),
 * or `undefined` when that wall time does not exist (skipped by a DST change).
 */
export function wallToInstant(wall: number, timeZone: string): number | undefined {
  const offsets = new Set([
    wallFields(wall - 86_400_000, timeZone) - (wall - 86_400_000),
    wallFields(wall, timeZone) - wall,
    wallFields(wall + 86_400_000, timeZone) - (wall + 86_400_000),
  ]);
  const candidates = [...offsets]
    .map((offset) => wall - offset)
    .filter((instant) => wallFields(instant, timeZone) === wall)
    .sort((a, b) => a - b);
  return candidates[0];
}
