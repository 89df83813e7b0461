import { UsageError } from "./errors.js";

const UNITS: Record<string, number> = { ms: 0.001, s: 1, m: 60, h: 3_600, d: 86_400, w: 604_800 };

/**
 * Parse a duration to seconds: `30s`, `5m`, `1h30m`, `2d`, `500ms`, or a plain number of seconds.
 * @throws UsageError naming `flag` when it is not a duration.
 */
export function parseDuration(text: string, flag: string): number {
  const trimmed = text.trim();
  if (/^\d+(\.\d+)?$/.test(trimmed)) return Number(trimmed);
  const parts = [...trimmed.matchAll(/(\d+(?:\.\d+)?)(ms|s|m|h|d|w)/g)];
  if (parts.length === 0 || parts.map((m) => m[0]).join("") !== trimmed) {
    throw new UsageError(`${flag}: "${text}" is not a duration (examples: 30s, 5m, 1h30m, 2d)`);
  }
  return parts.reduce((sum, m) => sum + Number(m[1]) * UNITS[m[2]!]!, 0);
}

/**
 * Parse an absolute time to epoch ms: an ISO 8601 date/time (`2025-12-01T09:00:00Z`, `2025-12-01 09:00`)
 * or epoch seconds / milliseconds.
 * @throws UsageError naming `flag`.
 */
export function parseTime(text: string, flag: string): number {
  const trimmed = text.trim();
  if (/^\d+(\.\d+)?$/.test(trimmed)) {
    const n = Number(trimmed);
    return n > 1e11 ? n : n * 1000;
  }
  const ms = Date.parse(trimmed.replace(" ", "T"));
  if (Number.isNaN(ms)) {
    throw new UsageError(
      `${flag}: "${text}" is not a time (use ISO 8601 like 2025-12-01T09:00:00Z, or epoch seconds)`,
    );
  }
  return ms;
}

/** A payload time (Float seconds or integer ms) as epoch ms, or undefined. */
export function payloadMs(value: unknown): number | undefined {
  const n = typeof value === "string" ? Number(value) : value;
  if (typeof n !== "number" || !Number.isFinite(n) || n <= 0) return undefined;
  return n > 1e11 ? n : n * 1000;
}
