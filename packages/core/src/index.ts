// Capability types and helpers (their curated list is in capabilities/exports.ts).
export * from "./capabilities/exports.js";
export { PROMOTE_BATCH, promoteAllDue } from "./due-poller.js";
export type { VerkErrorCode, VerkErrorOptions } from "./errors.js";
export {
  invalidJob,
  invalidOption,
  isVerkError,
  JobTimeoutError,
  UnknownWorkerError,
  VerkError,
} from "./errors.js";
export type { JobEventBase, VerkEventMap, VerkEventName, VerkListener } from "./events.js";
export { EventHub } from "./events.js";
export { planFailureOrDeadLetter, UNENCODABLE_CLASS } from "./failure-plan.js";
export { canonicalJson, uniqueDigest } from "./flow/digest.js";
export type { FlowDefaults } from "./flow/fields.js";
export { expiresAtMs, FLOW_FIELDS, lockOf } from "./flow/fields.js";
export type { LimitOptions, UniqueOptions, UniqueUntil } from "./flow/options.js";
export { LIMIT_OPTION_KEYS, UNIQUE_OPTION_KEYS } from "./flow/options.js";
export { generateJid, generateNodeId } from "./ids.js";
export { WorkerCrashedError } from "./isolation/crash.js";
export { isWorkerDefinition } from "./isolation/module-workers.js";
export type {
  IsolationMode,
  IsolationResourceLimits,
  NodeIsolationOptions,
  QueueIsolationOptions,
} from "./isolation/options.js";
export {
  DEFAULT_BLOCK_WARNING_MS,
  DEFAULT_TIMEOUT_GRACE_MS,
  NODE_ISOLATION_KEYS,
  QUEUE_ISOLATION_KEYS,
} from "./isolation/options.js";
export type { JobPayload, NewJob } from "./job.js";
export { buildPayload, displayClass, encodePayload, MAX_ERROR_MESSAGE_LENGTH, parsePayload } from "./job.js";
export type { JobDefaults } from "./job-encoder.js";
export type { JsonArgsCheck, JsonCompatible, JsonPrimitive, JsonValue } from "./json-value.js";
export { assertJsonValue, MAX_JSON_DEPTH } from "./json-value.js";
export { assertKnownKeys, closestName } from "./known-keys.js";
export type { KeepAliveWorkerData } from "./liveness/keep-alive.js";
export { livenessLoops } from "./liveness/node-liveness.js";
export type { LivenessOptions, ResolvedLiveness } from "./liveness/options.js";
export {
  DEFAULT_HEARTBEAT_MS,
  DEFAULT_MAX_EVENT_LOOP_BLOCK_MS,
  DEFAULT_MAX_RECOVERIES,
  DEFAULT_NODE_TTL_MS,
  LIVENESS_OPTIONS,
  resolveLiveness,
} from "./liveness/options.js";
export type { Logger, LogLevel } from "./logger.js";
export { consoleLogger } from "./logger.js";
export { MALFORMED_CLASS, malformedEntry } from "./malformed-payload.js";
export { MemoryStore } from "./memory-store.js";
export type { NodeHandle } from "./node-handle.js";
export type { QueueOptions, VerkOptions } from "./options.js";
export { DEAD_OPTION_KEYS, QUEUE_OPTION_KEYS, VERK_OPTION_KEYS } from "./options.js";
export type { EnqueueKind, EnqueueOperation, PerformInfo, VerkPlugin } from "./plugin.js";
export type { ScheduledJob } from "./producer.js";
export type { PauseOptions } from "./queue-control.js";
export { findUnknownQueue } from "./queue-control.js";
export type { QueueInfo, QueueStatus, RunningJob } from "./queue-info.js";
export type { BackoffFn, FailurePolicy } from "./retry.js";
export {
  compressBacktrace,
  DEFAULT_DEAD_LIMITS,
  DEFAULT_MAX_RETRIES,
  defaultBackoffSeconds,
  describeError,
  maxRetries,
  planFailure,
  UnencodablePayloadError,
} from "./retry.js";
export { MIN_EPOCH_MS, resolveRunAt, runAtAfter } from "./run-at.js";
export type {
  ControlMessage,
  DeadSetLimits,
  DueSet,
  EncodedJob,
  FailOutcome,
  FetchResult,
  QueueChannel,
  ScheduledEntry,
  StoreContext,
  StoreCounts,
  VerkStore,
} from "./store.js";
export type { TimestampUnit } from "./time.js";
export { nowSeconds, payloadTimestamp, sleep, timestampToMs, toSeconds } from "./time.js";
export type { StopOptions, VerkState } from "./verk.js";
export { createVerk, Verk } from "./verk.js";
export type { PreparedPush, ProducerSettings } from "./verk-producer.js";
export { VerkProducer } from "./verk-producer.js";
export type {
  EnqueueOptions,
  JobContext,
  JobProducer,
  PerformFn,
  WorkerCall,
  WorkerDefinition,
  WorkerOptions,
} from "./worker.js";
export { defineWorker, WORKER_OPTION_KEYS, WorkerRegistry } from "./worker.js";
export { ENQUEUE_OPTION_KEYS } from "./worker-shortcuts.js";
