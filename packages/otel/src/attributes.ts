/**
 * Span attribute names: OpenTelemetry's messaging semantic conventions (`messaging.*`,
 * `error.type`) plus Verk's own under `messaging.verk.*`, the namespace the conventions give
 * system-specific attributes.
 */
export const ATTR = {
  /** Always `"verk"`. */
  system: "messaging.system",
  /** `send` (enqueue, schedule, bulk), `process` (a run), `settle` (retry, dead, discard). */
  operationType: "messaging.operation.type",
  /** `send`, `schedule`, `process`, `retry`, `dead`, `discard`, `recover`. */
  operationName: "messaging.operation.name",
  /** The queue. */
  destination: "messaging.destination.name",
  /** The jid (spans of a single job). */
  messageId: "messaging.message.id",
  /** Jobs written by a bulk call, or put back by a recovery. */
  batchCount: "messaging.batch.message_count",
  /** The node (Verk's `nodeId`) that produced, ran or recovered jobs. */
  clientId: "messaging.client.id",
  /** Class of the error a run failed with (its `name`). */
  errorType: "error.type",
  /** The worker class (`wrapped` for ActiveJob payloads). */
  jobClass: "messaging.verk.job.class",
  /** Sidekiq's `retry_count` of the payload: absent on a first run, 0 on the first retry, … */
  retryCount: "messaging.verk.job.retry_count",
  /** When a scheduled job is due, or when a failed one is retried (ISO 8601). */
  runAt: "messaging.verk.job.run_at",
  /** True when the run happened in an isolated queue (worker thread or child process). */
  isolated: "messaging.verk.job.isolated",
  /** The node whose in-progress jobs were put back (recovery spans). */
  recoveredFrom: "messaging.verk.recovered_from",
} as const;

/** The value of `messaging.system`. */
export const MESSAGING_SYSTEM = "verk";
