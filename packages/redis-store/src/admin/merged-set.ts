import type { RedisClient as Redis } from "../client.js";
import { rangeEntries } from "./set-search.js";
import type { AdminSetName, SetEntry } from "./types.js";

/**
 * One sorted set behind a view: the Sidekiq layout's global set (`queue` undefined) or, in the
 * cluster layout, one queue's own `schedule`, `retry` or `dead` set.
 */
export interface SetSource {
  /** The queue whose set this is (cluster layout), or `undefined` for the global set. */
  readonly queue: string | undefined;
  /** The sorted set's key. */
  readonly key: string;
}

/** An entry with the set it was read from (the move goes through that set's slot). */
export interface SourcedEntry {
  readonly entry: SetEntry;
  readonly source: SetSource;
}

/** Most members one read of one source asks for. */
const MAX_CHUNK = 500;
/** Below this many entries per source left to skip, {@link MergedSet.skip} reads them through. */
const SKIP_READ_PER_SOURCE = 25;

/** Display order: dead newest first, the others soonest first; ties by member, as one ZRANGE orders them. */
export function displayOrder(set: AdminSetName): (a: SetEntry, b: SetEntry) => number {
  const sign = set === "dead" ? -1 : 1;
  return (a, b) => sign * (a.score - b.score || (a.raw < b.raw ? -1 : a.raw > b.raw ? 1 : 0));
}

interface Cursor {
  readonly source: SetSource;
  /** Rank (display order) of the next member to read from Redis. */
  rank: number;
  /** ZCARD when the view was opened. */
  readonly size: number;
  /** Read but not yet consumed, in display order. */
  buffer: SetEntry[];
  /** Members the next read asks for: small at first (most sources add few entries to a page), doubling up to the chunk. */
  fill: number;
}

/**
 * Several sorted sets read as one, merged in display order (a k-way merge): the cluster layout's
 * "all retries" is every queue's retry set. Reads are chunked (at most 500 members per source and
 * call; the first read of each source asks for its share of the chunk, later ones double) and
 * lazy, so memory stays bounded and a page costs about its size plus one head per source; {@link MergedSet.skip} jumps over the first entries by
 * rank probes instead of reading them. A snapshot in the same sense as paging one ZSET: entries
 * added or removed meanwhile shift later pages.
 */
export class MergedSet {
  readonly #redis: Redis;
  readonly #set: AdminSetName;
  readonly #order: (a: SetEntry, b: SetEntry) => number;
  readonly #chunk: number;
  #cursors: Cursor[] = [];
  #opened = false;
  #total = 0;

  /**
   * @param chunk - members per read of one source (clamped to 1..500); about the page size.
   */
  constructor(
    redis: Redis,
    set: AdminSetName,
    readonly sources: readonly SetSource[],
    chunk = 100,
  ) {
    this.#redis = redis;
    this.#set = set;
    this.#order = displayOrder(set);
    this.#chunk = Math.max(1, Math.min(MAX_CHUNK, Math.floor(chunk)));
  }

  /** Members of every source together (ZCARD each, when opened). */
  async total(): Promise<number> {
    await this.#open();
    return this.#total;
  }

  async #open(): Promise<void> {
    if (this.#opened) return;
    this.#opened = true;
    const sizes = await Promise.all(this.sources.map((source) => this.#redis.zcard(source.key)));
    const live = sizes.filter((n) => n > 0).length;
    const first = Math.max(1, Math.ceil(this.#chunk / Math.max(1, live)));
    this.#cursors = this.sources
      .map((source, i) => ({ source, rank: 0, size: sizes[i]!, buffer: [], fill: first }))
      .filter((c) => c.size > 0);
    this.#total = sizes.reduce((a, b) => a + b, 0);
  }

  /**
   * Skip the first `count` entries in display order. One source: its rank moves. Several: each
   * round probes, on every source, the member `step = left / sources` ranks ahead and skips the
   * `step` members of the source whose probe comes first: none of them can rank at `left` or
   * later in the merged order, so nothing is skipped wrongly; the last few are read through.
   */
  async skip(count: number): Promise<void> {
    await this.#open();
    let left = Math.max(0, Math.floor(count));
    if (left > 0 && this.#cursors.every((c) => c.buffer.length === 0)) {
      for (;;) {
        const live = this.#cursors.filter((c) => c.rank < c.size);
        if (live.length === 0 || left <= 0) break;
        if (live.length === 1) {
          const only = live[0]!;
          only.rank = Math.min(only.size, only.rank + left);
          left = 0;
          break;
        }
        const step = Math.floor(left / live.length);
        if (step < SKIP_READ_PER_SOURCE) break;
        const probes = await Promise.all(
          live.map(async (c) => {
            const at = Math.min(c.rank + step, c.size) - 1;
            const [probe] = await rangeEntries(this.#redis, c.source.key, this.#set, at, at);
            return { cursor: c, probe, count: at + 1 - c.rank };
          }),
        );
        let best: (typeof probes)[number] | undefined;
        for (const p of probes) {
          if (p.probe === undefined) {
            // the set shrank meanwhile: treat it as read to its end
            p.cursor.rank = p.cursor.size;
            continue;
          }
          if (best === undefined || this.#order(p.probe, best.probe!) < 0) best = p;
        }
        if (best === undefined) continue;
        best.cursor.rank += best.count;
        left -= best.count;
      }
    }
    while (left > 0 && (await this.next()) !== undefined) left--;
  }

  /** The next entry in display order, or `undefined` at the end. */
  async next(): Promise<SourcedEntry | undefined> {
    await this.#open();
    await Promise.all(
      this.#cursors.filter((c) => c.buffer.length === 0 && c.rank < c.size).map((c) => this.#fill(c)),
    );
    let best: Cursor | undefined;
    for (const c of this.#cursors) {
      const head = c.buffer[0];
      if (head !== undefined && (best === undefined || this.#order(head, best.buffer[0]!) < 0)) best = c;
    }
    if (best === undefined) return undefined;
    return { entry: best.buffer.shift()!, source: best.source };
  }

  /** Up to `count` next entries. */
  async take(count: number): Promise<SourcedEntry[]> {
    const out: SourcedEntry[] = [];
    while (out.length < count) {
      const item = await this.next();
      if (item === undefined) break;
      out.push(item);
    }
    return out;
  }

  async #fill(c: Cursor): Promise<void> {
    const count = c.fill;
    c.fill = Math.min(this.#chunk, 2 * c.fill);
    const chunk = await rangeEntries(this.#redis, c.source.key, this.#set, c.rank, c.rank + count - 1);
    c.rank += count;
    if (chunk.length < count) c.rank = c.size; // read to the end
    c.buffer = chunk;
  }
}
