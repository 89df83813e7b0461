export type { MoveAction } from "./actions.js";
export { ACTION_BATCH, moveMembers } from "./actions.js";
export { decodeBacktrace } from "./backtrace.js";
export { toEntry } from "./entries.js";
export type { QueueOverview, VerkNode } from "./nodes.js";
export type { QueueJob, QueueJobsPage, QueueSearchOptions, QueueSearchResult } from "./queue-jobs.js";
export { latencyOf } from "./queues.js";
export type { AdminSource } from "./redis-admin.js";
export { RedisAdmin } from "./redis-admin.js";
export type { ServerInfo } from "./server-info.js";
export type { EntryKey, SearchFilters, SearchOptions, SearchResult } from "./set-search.js";
export { entryKey, parseEntryKey } from "./set-search.js";
export type { ProcessSignal } from "./signals.js";
export type {
  ActionResult,
  AdminProcess,
  AdminQueue,
  AdminSetName,
  BusyJob,
  ListOptions,
  ListPage,
  ProgressFn,
  SetEntry,
} from "./types.js";
