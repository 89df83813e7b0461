import type { RedisClient as Redis } from "../client.js";
import { matches, toEntry } from "./entries.js";
import type { AdminSetName, ListOptions, SetEntry } from "./types.js";

/** Members read per ZRANGE while searching a set. */
export const SET_SCAN_CHUNK = 500;
/** Default bound of members one search call reads. */
export const DEFAULT_SET_MAX_SCAN = 10_000;

/** Filters of {@link searchEntries}: those of {@link ListOptions} plus a text search of the args. */
export interface SearchFilters extends Pick<ListOptions, "className" | "queue" | "errorText"> {
  /** Keep entries whose `args` (as JSON) contain this text, case-insensitively. (Default: any) */
  argsText?: string;
}

/** Paging of {@link searchEntries}. */
export interface SearchOptions extends SearchFilters {
  /** Rank (display order) to start reading at. (Default: 0) */
  cursor?: number;
  /** Stop after this many matches. (Default: 25) */
  limit?: number;
  /** Read at most this many members in this call. (Default: 10,000) */
  maxScan?: number;
}

/** A bounded search of a set. */
export interface SearchResult {
  /** Members of the set (ZCARD). */
  readonly total: number;
  /** Matches found by this call, in display order. */
  readonly entries: SetEntry[];
  /** Members read by this call. */
  readonly scanned: number;
  /** Rank to continue from, or `undefined` when the end of the set was reached. */
  readonly nextCursor: number | undefined;
}

/** The address of one entry, as in Sidekiq's Web UI: its score and jid (`"<score>-<jid>"`). */
export interface EntryKey {
  readonly score: number;
  readonly jid: string;
}

/** `"<score>-<jid>"` of an entry. */
export function entryKey(entry: Pick<SetEntry, "score" | "jid">): string {
  return `${entry.score}-${entry.jid}`;
}

/** Parse `"<score>-<jid>"`; `undefined` when malformed. */
export function parseEntryKey(text: string): EntryKey | undefined {
  const m = /^(-?\d+(?:\.\d+)?(?:e[+-]?\d+)?)-(.*)$/i.exec(text);
  if (!m) return undefined;
  const score = Number(m[1]);
  return Number.isFinite(score) ? { score, jid: m[2]! } : undefined;
}

/** True when no filter is set. */
export function noFilters(f: SearchFilters): boolean {
  return !f.className && !f.queue && !f.errorText && !f.argsText;
}

/** True when `entry` passes every filter of `f`. */
export function matchesSearch(entry: SetEntry, f: SearchFilters): boolean {
  const base: ListOptions = {
    ...(f.className ? { className: f.className } : {}),
    ...(f.queue ? { queue: f.queue } : {}),
    ...(f.errorText ? { errorText: f.errorText } : {}),
  };
  if (!matches(entry, base)) return false;
  if (!f.argsText) return true;
  const args = entry.payload ? JSON.stringify(entry.payload.args ?? null) : entry.raw;
  return args.toLowerCase().includes(f.argsText.toLowerCase());
}

/** Members at ranks [start, stop] in display order (dead newest first, others soonest first). */
export async function rangeEntries(
  redis: Redis,
  key: string,
  set: AdminSetName,
  start: number,
  stop: number,
): Promise<SetEntry[]> {
  const flat =
    set === "dead"
      ? await redis.zrange(key, start, stop, "REV", "WITHSCORES")
      : await redis.zrange(key, start, stop, "WITHSCORES");
  const out: SetEntry[] = [];
  for (let i = 0; i + 1 < flat.length; i += 2) out.push(toEntry(set, flat[i]!, Number(flat[i + 1])));
  return out;
}

/** Search `set` from rank `cursor`, reading at most `maxScan` members in chunks of 500. */
export async function searchEntries(
  redis: Redis,
  key: string,
  set: AdminSetName,
  options: SearchOptions = {},
): Promise<SearchResult> {
  const limit = Math.max(1, Math.floor(options.limit ?? 25));
  const maxScan = Math.max(1, Math.floor(options.maxScan ?? DEFAULT_SET_MAX_SCAN));
  const total = await redis.zcard(key);
  const entries: SetEntry[] = [];
  let rank = Math.max(0, Math.floor(options.cursor ?? 0));
  let scanned = 0;
  while (rank < total && scanned < maxScan && entries.length < limit) {
    const size = Math.min(SET_SCAN_CHUNK, maxScan - scanned);
    const chunk = await rangeEntries(redis, key, set, rank, rank + size - 1);
    if (chunk.length === 0) break;
    for (const entry of chunk) {
      scanned++;
      rank++;
      if (matchesSearch(entry, options)) {
        entries.push(entry);
        if (entries.length >= limit) break;
      }
    }
  }
  return { total, entries, scanned, nextCursor: rank < total ? rank : undefined };
}

/** The entries addressed by `keys` (ZRANGE BYSCORE on each score, then the jid), in the order given. */
export async function entriesByKeys(
  redis: Redis,
  key: string,
  set: AdminSetName,
  keys: readonly EntryKey[],
): Promise<SetEntry[]> {
  if (keys.length === 0) return [];
  const pipeline = redis.pipeline();
  for (const k of keys) pipeline.zrangebyscore(key, String(k.score), String(k.score), "WITHSCORES");
  const results = (await pipeline.exec()) ?? [];
  const out: SetEntry[] = [];
  const seen = new Set<string>();
  keys.forEach((k, i) => {
    const flat = (results[i]?.[1] ?? []) as string[];
    for (let j = 0; j + 1 < flat.length; j += 2) {
      const entry = toEntry(set, flat[j]!, Number(flat[j + 1]));
      if (entry.jid === k.jid && !seen.has(entry.raw)) {
        seen.add(entry.raw);
        out.push(entry);
      }
    }
  });
  return out;
}
