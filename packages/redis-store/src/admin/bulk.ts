import type { DeadSetLimits } from "@verk/core";
import type { RedisClient as Redis } from "../client.js";
import type { Keys } from "../keys.js";
import { applyInBatches, type MoveAction } from "./actions.js";
import {
  type EntryKey,
  entriesByKeys,
  matchesSearch,
  rangeEntries,
  SET_SCAN_CHUNK,
  type SearchFilters,
} from "./set-search.js";
import type { ActionResult, AdminSetName, ProgressFn } from "./types.js";

/** Apply `action` to the entries addressed by `entryKeys` (each found by score, then jid). */
export async function actOnKeys(
  redis: Redis,
  keys: Keys,
  set: AdminSetName,
  action: MoveAction | "delete",
  entryKeys: readonly EntryKey[],
  limits: DeadSetLimits,
): Promise<ActionResult & { readonly missing: number }> {
  const found = await entriesByKeys(redis, keys.set(set), set, entryKeys);
  const result = await applyInBatches(
    redis,
    keys,
    set,
    action,
    found.map((e) => e.raw),
    limits,
  );
  return { ...result, missing: Math.max(0, entryKeys.length - found.length) };
}

/**
 * Apply `action` to every entry of `set` passing `filters`, reading the set in chunks of 500 and
 * acting on each chunk's matches before reading on (memory stays bounded whatever the set size).
 * `onProgress(read, total)` follows the members read. Entries added meanwhile may be missed.
 */
export async function actOnMatching(
  redis: Redis,
  keys: Keys,
  set: AdminSetName,
  action: MoveAction | "delete",
  filters: SearchFilters,
  limits: DeadSetLimits,
  onProgress?: ProgressFn,
): Promise<ActionResult> {
  const key = keys.set(set);
  const total = await redis.zcard(key);
  let result: ActionResult = { done: 0, gone: 0, invalid: 0 };
  let rank = 0;
  let read = 0;
  onProgress?.(0, total);
  for (;;) {
    const chunk = await rangeEntries(redis, key, set, rank, rank + SET_SCAN_CHUNK - 1);
    if (chunk.length === 0) break;
    const raws = chunk.filter((e) => matchesSearch(e, filters)).map((e) => e.raw);
    const r = await applyInBatches(redis, keys, set, action, raws, limits);
    result = { done: result.done + r.done, gone: result.gone + r.gone, invalid: result.invalid + r.invalid };
    read += chunk.length;
    onProgress?.(Math.min(read, total), total);
    if (chunk.length < SET_SCAN_CHUNK) break;
    // The entries this chunk lost (moved, deleted, or taken meanwhile) no longer hold ranks.
    rank += chunk.length - r.done - r.gone;
  }
  return result;
}
