export type { VerkErrorCode, VerkErrorOptions } from "./errors.js";
export { isVerkError, JobTimeoutError, UnknownWorkerError, VerkError } from "./errors.js";
export type { JobPayload, NewJob } from "./job.js";
export { buildPayload, displayClass, encodePayload, parsePayload } from "./job.js";
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
export { generateJid, generateNodeId } from "./ids.js";
export { nowSeconds, toSeconds } from "./time.js";
