export type {
  CapabilityName,
  CounterDeltas,
  CounterPair,
  CronRegistryCapability,
  DueWatchCapability,
  EventLogCapability,
  EventLogEntry,
  EventLogReader,
  LeaseCapability,
  MetricsCell,
  MetricsMinute,
  OnceCapability,
  QueueInspectCapability,
  StatsCapability,
  StatsDay,
  StoreCapabilities,
} from "./capabilities/exports.js";
export {
  addCell,
  emptyCell,
  METRICS_BUCKETS_MS,
  METRICS_MINUTE_TTL_SECONDS,
  metricsBucket,
  minuteStart,
  requireCapability,
  STATS_DAY_TTL_SECONDS,
  utcDay,
  utcDays,
} from "./capabilities/exports.js";
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
export { generateJid, generateNodeId } from "./ids.js";
export type { JobPayload, NewJob } from "./job.js";
export { buildPayload, displayClass, encodePayload, MAX_ERROR_MESSAGE_LENGTH, parsePayload } from "./job.js";
export { MALFORMED_CLASS, malformedEntry } from "./job-execution.js";
export { assertKnownKeys, closestName } from "./known-keys.js";
export type { Logger, LogLevel } from "./logger.js";
export { consoleLogger } from "./logger.js";
export { MemoryStore } from "./memory-store.js";
export type { NodeHandle } from "./node-handle.js";
export type { QueueOptions, VerkOptions } from "./options.js";
export type { EnqueueKind, EnqueueOperation, PerformInfo, VerkPlugin } from "./plugin.js";
export type { QueueInfo, QueueStatus, RunningJob } from "./queue-runner.js";
export type { BackoffFn, FailurePolicy } from "./retry.js";
export {
  compressBacktrace,
  DEFAULT_DEAD_LIMITS,
  DEFAULT_MAX_RETRIES,
  defaultBackoffSeconds,
  describeError,
  maxRetries,
  planFailure,
} from "./retry.js";
export type {
  ControlMessage,
  DeadSetLimits,
  DueSet,
  EncodedJob,
  FailOutcome,
  FetchResult,
  QueueChannel,
  ScheduledEntry,
  StoreCounts,
  VerkStore,
} from "./store.js";
export type { TimestampUnit } from "./time.js";
export { nowSeconds, payloadTimestamp, sleep, timestampToMs, toSeconds } from "./time.js";
export type { StopOptions, VerkState } from "./verk.js";
export { createVerk, Verk } from "./verk.js";
export type { JobContext, JobProducer, PerformFn, WorkerDefinition, WorkerOptions } from "./worker.js";
export { defineWorker, WorkerRegistry } from "./worker.js";
