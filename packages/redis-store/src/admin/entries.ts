import type { RedisClient as Redis } from "../client.js";
import type { AdminSetName, ListOptions, ListPage, SetEntry } from "./types.js";

/** Members read per ZRANGE while scanning a set. */
const CHUNK = 500;

/** `value` if it is a string, else `""`. @internal */
export function str(value: unknown): string {
  return typeof value === "string" ? value : "";
}

/** A stored payload as a JSON object, or `undefined` when it is not one; never throws. @internal */
export function parseStoredPayload(raw: string): Record<string, unknown> | undefined {
  try {
    const parsed: unknown = JSON.parse(raw);
    if (parsed && typeof parsed === "object" && !Array.isArray(parsed))
      return parsed as Record<string, unknown>;
  } catch {
    // not JSON: shown raw
  }
  return undefined;
}

/** The class a UI shows: `display_class`, else `wrapped` (ActiveJob), else `class`. @internal */
export function shownClass(p: Record<string, unknown>): string {
  return str(p.display_class) || str(p.wrapped) || str(p.class);
}

/** Parse a stored member into a {@link SetEntry}; never throws (unreadable members keep empty fields). */
export function toEntry(set: AdminSetName, raw: string, score: number): SetEntry {
  const payload = parseStoredPayload(raw);
  const p = payload ?? {};
  const errorClass = str(p.error_class);
  const errorMessage = str(p.error_message);
  return {
    set,
    score,
    raw,
    payload,
    jid: str(p.jid),
    className: shownClass(p),
    queue: str(p.queue),
    error: errorClass && errorMessage ? `${errorClass}: ${errorMessage}` : errorClass || errorMessage,
    retryCount: typeof p.retry_count === "number" ? p.retry_count : undefined,
  };
}

/** True when `entry` passes every filter of `options`. */
export function matches(entry: SetEntry, options: ListOptions): boolean {
  if (options.className !== undefined) {
    const p = entry.payload ?? {};
    if (entry.className !== options.className && str(p.class) !== options.className) return false;
  }
  if (options.queue !== undefined && entry.queue !== options.queue) return false;
  if (options.errorText !== undefined && !entry.error.toLowerCase().includes(options.errorText.toLowerCase()))
    return false;
  return true;
}

function hasFilter(options: ListOptions): boolean {
  return options.className !== undefined || options.queue !== undefined || options.errorText !== undefined;
}

/** Dead jobs are shown newest first; scheduled and retries soonest first. */
function reversed(set: AdminSetName): boolean {
  return set === "dead";
}

async function range(redis: Redis, key: string, set: AdminSetName, start: number, stop: number) {
  const flat = reversed(set)
    ? await redis.zrange(key, start, stop, "REV", "WITHSCORES")
    : await redis.zrange(key, start, stop, "WITHSCORES");
  const out: SetEntry[] = [];
  for (let i = 0; i + 1 < flat.length; i += 2) out.push(toEntry(set, flat[i]!, Number(flat[i + 1])));
  return out;
}

/**
 * Every entry of `set` passing the filters, in display order, read in chunks of 500.
 * A snapshot: entries added or removed while it runs may be missed or included.
 */
export async function scanEntries(
  redis: Redis,
  key: string,
  set: AdminSetName,
  options: ListOptions = {},
): Promise<SetEntry[]> {
  const out: SetEntry[] = [];
  for (let start = 0; ; start += CHUNK) {
    const chunk = await range(redis, key, set, start, start + CHUNK - 1);
    for (const entry of chunk) if (matches(entry, options)) out.push(entry);
    if (chunk.length < CHUNK) return out;
  }
}

/** One page of `set`; without filters it reads only the page (ZRANGE by rank). */
export async function listEntries(
  redis: Redis,
  key: string,
  set: AdminSetName,
  options: ListOptions = {},
): Promise<ListPage> {
  const offset = Math.max(0, Math.floor(options.offset ?? 0));
  const limit = Math.max(1, Math.floor(options.limit ?? 25));
  const total = await redis.zcard(key);
  if (!hasFilter(options)) {
    const entries = await range(redis, key, set, offset, offset + limit - 1);
    return { total, matched: total, entries };
  }
  const all = await scanEntries(redis, key, set, options);
  return { total, matched: all.length, entries: all.slice(offset, offset + limit) };
}

/** Escape glob characters for ZSCAN MATCH. */
function globEscape(text: string): string {
  return text.replace(/[*?[\]\\]/g, (c) => `\\${c}`);
}

/** The entries of `set` whose `jid` is `jid` (ZSCAN MATCH, then an exact check). */
export async function findEntries(
  redis: Redis,
  key: string,
  set: AdminSetName,
  jid: string,
): Promise<SetEntry[]> {
  const out: SetEntry[] = [];
  let cursor = "0";
  do {
    const [next, flat] = await redis.zscan(key, cursor, "MATCH", `*${globEscape(jid)}*`, "COUNT", 1000);
    cursor = next;
    for (let i = 0; i + 1 < flat.length; i += 2) {
      const entry = toEntry(set, flat[i]!, Number(flat[i + 1]));
      if (entry.jid === jid && !out.some((e) => e.raw === entry.raw)) out.push(entry);
    }
  } while (cursor !== "0");
  return out;
}
