import { invalidOption } from "@verk/core";

const known = new Set<string>();

/** Throw `INVALID_OPTION` unless `timeZone` is an IANA zone known to Intl. */
export function assertTimeZone(timeZone: string, field = "timezone"): void {
  if (known.has(timeZone)) return;
  try {
    new Intl.DateTimeFormat("en-US", { timeZone });
  } catch {
    throw invalidOption(
      field,
      `"${timeZone}" is not a time zone known to Intl (use an IANA name like "Europe/Berlin")`,
    );
  }
  known.add(timeZone);
}
