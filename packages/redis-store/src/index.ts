/**
 * `@verk/redis-store`: the Redis {@link VerkStore} of Verk, Sidekiq-compatible on the wire.
 * @packageDocumentation
 */
import type { VerkStore } from "@verk/core";
import type { RedisStoreOptions } from "./options.js";
import { RedisStore } from "./redis-store.js";

export type {
  ActionResult,
  AdminProcess,
  AdminQueue,
  AdminSetName,
  AdminSource,
  BusyJob,
  EntryKey,
  ListOptions,
  ListPage,
  MoveAction,
  ProcessSignal,
  ProgressFn,
  QueueJob,
  QueueJobsPage,
  QueueOverview,
  QueueSearchOptions,
  QueueSearchResult,
  SearchFilters,
  SearchOptions,
  SearchResult,
  ServerInfo,
  SetEntry,
  VerkNode,
} from "./admin/index.js";
export {
  ACTION_BATCH,
  decodeBacktrace,
  entryKey,
  latencyOf,
  moveMembers,
  parseEntryKey,
  RedisAdmin,
  toEntry,
} from "./admin/index.js";
export type { Keys } from "./keys.js";
export { createKeys } from "./keys.js";
export type { LivenessOptions } from "./nodes/options.js";
export type { RedisStoreOptions } from "./options.js";
export { DEFAULT_URL, maskUrl } from "./options.js";
export { RedisStore } from "./redis-store.js";
export { isSupportedRedisVersion, MIN_REDIS_VERSION, parseRedisVersion } from "./version.js";

/**
 * Create a Redis store for `createVerk({ store })`. Nothing connects until `connect()`
 * (which `createVerk` calls) or the first command.
 * @example
 * ```ts
 * const store = redisStore({ url: "redis://localhost:6379", namespace: "app" });
 * ```
 * @throws VerkError `INVALID_OPTION` for invalid options (e.g. an ioredis `keyPrefix`).
 */
export function redisStore(options: RedisStoreOptions = {}): RedisStore & VerkStore {
  return new RedisStore(options);
}
