import type { RedisClient as Redis } from "../client.js";
import type { Keys } from "../keys.js";
import { matches, toEntry } from "./entries.js";
import { displayOrder, MergedSet, type SetSource, type SourcedEntry } from "./merged-set.js";
import {
  DEFAULT_SET_MAX_SCAN,
  type EntryKey,
  matchesSearch,
  noFilters,
  type SearchOptions,
  type SearchResult,
} from "./set-search.js";
import type { AdminSetName, ListOptions, ListPage, SetEntry } from "./types.js";

/**
 * The views of the cluster key layout, where each queue has its own `schedule`, `retry` and
 * `dead` sets: "all retries" is every queue's retry set merged in display order (see
 * {@link MergedSet}). Paging, search cursors and totals mean the same as on one global set.
 */

/**
 * The sets behind a view of `set`: the global one (Sidekiq layout), else one per known queue
 * (the `queues` registry, paused queues and, for `schedule`/`retry`, the queues of the due index).
 */
export async function setSources(redis: Redis, keys: Keys, set: AdminSetName): Promise<SetSource[]> {
  if (keys.layout !== "cluster") return [{ queue: undefined, key: keys.set(set) }];
  const [known, paused, due] = await Promise.all([
    redis.smembers(keys.queues),
    redis.smembers(keys.paused),
    set === "dead" ? Promise.resolve<string[]>([]) : redis.zrange(keys.dueIndex(set), 0, -1),
  ]);
  return [...new Set([...known, ...paused, ...due])]
    .sort()
    .map((queue) => ({ queue, key: keys.setOf(set, queue) }));
}

function hasFilter(options: ListOptions): boolean {
  return options.className !== undefined || options.queue !== undefined || options.errorText !== undefined;
}

/** Every entry of the merged view passing `keep`, in display order, with its source. */
export async function scanSourced(
  redis: Redis,
  sources: readonly SetSource[],
  set: AdminSetName,
  keep: (entry: SetEntry) => boolean = () => true,
): Promise<SourcedEntry[]> {
  const merged = new MergedSet(redis, set, sources, 500);
  const out: SourcedEntry[] = [];
  for (let item = await merged.next(); item !== undefined; item = await merged.next())
    if (keep(item.entry)) out.push(item);
  return out;
}

/** One page of the merged view; without filters it skips to the page by rank probes (no full read). */
export async function listMerged(
  redis: Redis,
  sources: readonly SetSource[],
  set: AdminSetName,
  options: ListOptions = {},
): Promise<ListPage> {
  const offset = Math.max(0, Math.floor(options.offset ?? 0));
  const limit = Math.max(1, Math.floor(options.limit ?? 25));
  const merged = new MergedSet(redis, set, sources, limit);
  const total = await merged.total();
  if (!hasFilter(options)) {
    await merged.skip(offset);
    const entries = (await merged.take(limit)).map((item) => item.entry);
    return { total, matched: total, entries };
  }
  const all = await scanSourced(redis, sources, set, (entry) => matches(entry, options));
  return { total, matched: all.length, entries: all.slice(offset, offset + limit).map((item) => item.entry) };
}

/** A bounded search of the merged view from merged rank `cursor` (see `searchEntries`). */
export async function searchMerged(
  redis: Redis,
  sources: readonly SetSource[],
  set: AdminSetName,
  options: SearchOptions = {},
): Promise<SearchResult> {
  const limit = Math.max(1, Math.floor(options.limit ?? 25));
  const maxScan = Math.max(1, Math.floor(options.maxScan ?? DEFAULT_SET_MAX_SCAN));
  const merged = new MergedSet(redis, set, sources, noFilters(options) ? limit : 500);
  const total = await merged.total();
  let rank = Math.max(0, Math.floor(options.cursor ?? 0));
  await merged.skip(rank);
  const entries: SetEntry[] = [];
  let scanned = 0;
  while (rank < total && scanned < maxScan && entries.length < limit) {
    const item = await merged.next();
    if (item === undefined) {
      rank = total;
      break;
    }
    scanned++;
    rank++;
    if (matchesSearch(item.entry, options)) entries.push(item.entry);
  }
  return { total, entries, scanned, nextCursor: rank < total ? rank : undefined };
}

/** Escape glob characters for ZSCAN MATCH. */
function globEscape(text: string): string {
  return text.replace(/[*?[\]\\]/g, (c) => `\\${c}`);
}

/** The entries with `jid` in any source (ZSCAN MATCH on each, then an exact check), in display order. */
export async function findSourced(
  redis: Redis,
  sources: readonly SetSource[],
  set: AdminSetName,
  jid: string,
): Promise<SourcedEntry[]> {
  const found = await Promise.all(
    sources.map(async (source) => {
      const out: SourcedEntry[] = [];
      let cursor = "0";
      do {
        const [next, flat] = await redis.zscan(
          source.key,
          cursor,
          "MATCH",
          `*${globEscape(jid)}*`,
          "COUNT",
          1000,
        );
        cursor = next;
        for (let i = 0; i + 1 < flat.length; i += 2) {
          const entry = toEntry(set, flat[i]!, Number(flat[i + 1]));
          if (entry.jid === jid && !out.some((e) => e.entry.raw === entry.raw)) out.push({ entry, source });
        }
      } while (cursor !== "0");
      return out;
    }),
  );
  const order = displayOrder(set);
  return found.flat().sort((a, b) => order(a.entry, b.entry));
}

/** The entries addressed by `keys` (`ZRANGE BYSCORE` on each score, in every source), in the order given. */
export async function byKeysSourced(
  redis: Redis,
  sources: readonly SetSource[],
  set: AdminSetName,
  keys: readonly EntryKey[],
): Promise<SourcedEntry[]> {
  if (keys.length === 0 || sources.length === 0) return [];
  const replies = await Promise.all(
    keys.map((k) =>
      Promise.all(
        sources.map((source) =>
          redis.zrangebyscore(source.key, String(k.score), String(k.score), "WITHSCORES"),
        ),
      ),
    ),
  );
  const out: SourcedEntry[] = [];
  const seen = new Set<string>();
  keys.forEach((k, i) => {
    sources.forEach((source, j) => {
      const flat = replies[i]![j]!;
      for (let n = 0; n + 1 < flat.length; n += 2) {
        const entry = toEntry(set, flat[n]!, Number(flat[n + 1]));
        const id = `${source.key}\u0000${entry.raw}`;
        if (entry.jid === k.jid && !seen.has(id)) {
          seen.add(id);
          out.push({ entry, source });
        }
      }
    });
  });
  return out;
}
