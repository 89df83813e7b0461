import { inflateSync } from "node:zlib";

/**
 * Decode a stored `error_backtrace` into its lines. Reads the three shapes Sidekiq's API reads:
 * Base64 (newlines allowed) of the zlib-deflated JSON array of lines (Sidekiq >= 6 and Verk), a
 * raw JSON array, and a plain string. Marshal data (very old Sidekiq) cannot be read in Node.
 * @returns the lines, or `undefined` when `value` is absent or cannot be decoded.
 */
export function decodeBacktrace(value: unknown): string[] | undefined {
  if (value === undefined || value === null) return undefined;
  if (Array.isArray(value)) return value.map((line) => String(line));
  if (typeof value !== "string" || value.trim() === "") return undefined;
  const compact = value.replace(/\s+/g, "");
  if (/^[A-Za-z0-9+/]+={0,2}$/.test(compact)) {
    try {
      const parsed: unknown = JSON.parse(inflateSync(Buffer.from(compact, "base64")).toString("utf8"));
      if (Array.isArray(parsed)) return parsed.map((line) => String(line));
    } catch {
      // not deflated JSON: fall through
    }
  }
  return undefined;
}
