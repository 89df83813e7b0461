import type { DeadSetLimits } from "@verk/core";
import type { RedisClient as Redis } from "../client.js";
import type { Keys } from "../keys.js";
import { ACTION_BATCH, addResults, applyInBatches, type MoveAction } from "./actions.js";
import type { SetSource, SourcedEntry } from "./merged-set.js";
import { matchesSearch, rangeEntries, SET_SCAN_CHUNK, type SearchFilters } from "./set-search.js";
import type { ActionResult, AdminSetName, ProgressFn } from "./types.js";

const NONE: ActionResult = { done: 0, gone: 0, invalid: 0 };

/**
 * Apply `action` to entries read from several sets (the cluster layout's per-queue sets): each
 * set's entries move through that set's own slot (see `moveMembers`), in batches of 100.
 * `onProgress(handled, total)` follows the entries handled.
 */
export async function applySourced(
  redis: Redis,
  keys: Keys,
  set: AdminSetName,
  action: MoveAction | "delete",
  items: readonly SourcedEntry[],
  limits: DeadSetLimits,
  onProgress?: ProgressFn,
): Promise<ActionResult> {
  const bySource = new Map<string, { source: SetSource; raws: string[] }>();
  for (const { entry, source } of items) {
    let group = bySource.get(source.key);
    if (group === undefined) {
      group = { source, raws: [] };
      bySource.set(source.key, group);
    }
    group.raws.push(entry.raw);
  }
  let result = NONE;
  let handled = 0;
  onProgress?.(0, items.length);
  for (const { source, raws } of bySource.values()) {
    for (let i = 0; i < raws.length; i += ACTION_BATCH) {
      const batch = raws.slice(i, i + ACTION_BATCH);
      const r = await applyInBatches(redis, keys, set, action, batch, limits, undefined, source.queue);
      result = addResults(result, r);
      handled += batch.length;
      onProgress?.(handled, items.length);
    }
  }
  return result;
}

/**
 * Apply `action` to every entry passing `filters` in every source, one source after the other,
 * reading each in chunks of 500 and acting on a chunk's matches before reading on (memory stays
 * bounded). `onProgress(read, total)` follows the members read. Entries added meanwhile may be missed.
 */
export async function actOnMatchingSourced(
  redis: Redis,
  keys: Keys,
  set: AdminSetName,
  sources: readonly SetSource[],
  action: MoveAction | "delete",
  filters: SearchFilters,
  limits: DeadSetLimits,
  onProgress?: ProgressFn,
): Promise<ActionResult> {
  const sizes = await Promise.all(sources.map((source) => redis.zcard(source.key)));
  const total = sizes.reduce((a, b) => a + b, 0);
  let result = NONE;
  let read = 0;
  onProgress?.(0, total);
  for (const source of sources) {
    let rank = 0;
    for (;;) {
      const chunk = await rangeEntries(redis, source.key, set, rank, rank + SET_SCAN_CHUNK - 1);
      if (chunk.length === 0) break;
      const raws = chunk.filter((e) => matchesSearch(e, filters)).map((e) => e.raw);
      const r = await applyInBatches(redis, keys, set, action, raws, limits, undefined, source.queue);
      result = addResults(result, r);
      read += chunk.length;
      onProgress?.(Math.min(read, total), total);
      if (chunk.length < SET_SCAN_CHUNK) break;
      // The entries this chunk lost (moved, deleted, or taken meanwhile) no longer hold ranks.
      rank += chunk.length - r.done - r.gone;
    }
  }
  return result;
}
