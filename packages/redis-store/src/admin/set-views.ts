import type { DeadSetLimits } from "@verk/core";
import type { RedisClient as Redis } from "../client.js";
import type { Keys } from "../keys.js";
import { applyInBatches, type MoveAction } from "./actions.js";
import { actOnKeys, actOnMatching } from "./bulk.js";
import { findEntries, listEntries, matches, scanEntries } from "./entries.js";
import { actOnMatchingSourced, applySourced } from "./merged-actions.js";
import {
  byKeysSourced,
  findSourced,
  listMerged,
  scanSourced,
  searchMerged,
  setSources,
} from "./merged-views.js";
import {
  type EntryKey,
  entriesByKeys,
  type SearchFilters,
  type SearchOptions,
  type SearchResult,
  searchEntries,
} from "./set-search.js";
import type { ActionResult, AdminSetName, ListOptions, ListPage, ProgressFn, SetEntry } from "./types.js";

/**
 * The `schedule`, `retry` and `dead` views and actions of the admin API for either key layout:
 * the Sidekiq layout reads its one global set per name; the cluster layout merges every queue's
 * own set in display order and moves each entry through the slot of the set that holds it.
 */
export class SetViews {
  readonly #redis: Redis;
  readonly #keys: Keys;
  readonly #limits: DeadSetLimits;
  readonly #merged: boolean;

  constructor(redis: Redis, keys: Keys, limits: DeadSetLimits) {
    this.#redis = redis;
    this.#keys = keys;
    this.#limits = limits;
    this.#merged = keys.layout === "cluster";
  }

  #sources(set: AdminSetName) {
    return setSources(this.#redis, this.#keys, set);
  }

  async list(set: AdminSetName, options: ListOptions): Promise<ListPage> {
    if (!this.#merged) return listEntries(this.#redis, this.#keys.set(set), set, options);
    return listMerged(this.#redis, await this.#sources(set), set, options);
  }

  async entries(set: AdminSetName, options: ListOptions): Promise<SetEntry[]> {
    if (!this.#merged) return scanEntries(this.#redis, this.#keys.set(set), set, options);
    const all = await scanSourced(this.#redis, await this.#sources(set), set, (e) => matches(e, options));
    return all.map((item) => item.entry);
  }

  async find(set: AdminSetName, jid: string): Promise<SetEntry | undefined> {
    if (!this.#merged) return (await findEntries(this.#redis, this.#keys.set(set), set, jid))[0];
    return (await findSourced(this.#redis, await this.#sources(set), set, jid))[0]?.entry;
  }

  async actOn(
    set: AdminSetName,
    jid: string,
    action: MoveAction | "delete",
  ): Promise<ActionResult | undefined> {
    if (!this.#merged) {
      const found = await findEntries(this.#redis, this.#keys.set(set), set, jid);
      if (found.length === 0) return undefined;
      const raws = found.map((e) => e.raw);
      return applyInBatches(this.#redis, this.#keys, set, action, raws, this.#limits);
    }
    const found = await findSourced(this.#redis, await this.#sources(set), set, jid);
    if (found.length === 0) return undefined;
    return applySourced(this.#redis, this.#keys, set, action, found, this.#limits);
  }

  async actOnAll(
    set: AdminSetName,
    action: MoveAction | "delete",
    filters: ListOptions,
    onProgress?: ProgressFn,
  ): Promise<ActionResult> {
    if (!this.#merged) {
      const all = await scanEntries(this.#redis, this.#keys.set(set), set, filters);
      const raws = all.map((e) => e.raw);
      return applyInBatches(this.#redis, this.#keys, set, action, raws, this.#limits, onProgress);
    }
    const all = await scanSourced(this.#redis, await this.#sources(set), set, (e) => matches(e, filters));
    return applySourced(this.#redis, this.#keys, set, action, all, this.#limits, onProgress);
  }

  async search(set: AdminSetName, options: SearchOptions): Promise<SearchResult> {
    if (!this.#merged) return searchEntries(this.#redis, this.#keys.set(set), set, options);
    return searchMerged(this.#redis, await this.#sources(set), set, options);
  }

  async findByKeys(set: AdminSetName, keys: readonly EntryKey[]): Promise<SetEntry[]> {
    if (!this.#merged) return entriesByKeys(this.#redis, this.#keys.set(set), set, keys);
    return (await byKeysSourced(this.#redis, await this.#sources(set), set, keys)).map((item) => item.entry);
  }

  async actOnKeys(
    set: AdminSetName,
    action: MoveAction | "delete",
    keys: readonly EntryKey[],
  ): Promise<ActionResult & { readonly missing: number }> {
    if (!this.#merged) return actOnKeys(this.#redis, this.#keys, set, action, keys, this.#limits);
    const found = await byKeysSourced(this.#redis, await this.#sources(set), set, keys);
    const result = await applySourced(this.#redis, this.#keys, set, action, found, this.#limits);
    return { ...result, missing: Math.max(0, keys.length - found.length) };
  }

  async actOnMatching(
    set: AdminSetName,
    action: MoveAction | "delete",
    filters: SearchFilters,
    onProgress?: ProgressFn,
  ): Promise<ActionResult> {
    if (!this.#merged)
      return actOnMatching(this.#redis, this.#keys, set, action, filters, this.#limits, onProgress);
    const sources = await this.#sources(set);
    return actOnMatchingSourced(
      this.#redis,
      this.#keys,
      set,
      sources,
      action,
      filters,
      this.#limits,
      onProgress,
    );
  }
}
