export type { MoveAction } from "./actions.js";
export { ACTION_BATCH, moveMembers } from "./actions.js";
export { toEntry } from "./entries.js";
export { latencyOf } from "./queues.js";
export type { AdminSource } from "./redis-admin.js";
export { RedisAdmin } from "./redis-admin.js";
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
