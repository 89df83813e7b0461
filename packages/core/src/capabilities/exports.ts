/** Every capability type and helper, re-exported from one place for the package index. */
export type { CronRegistryCapability } from "./cron-registry.js";
export type { DueWatchCapability } from "./due-watch.js";
export type { EventLogCapability, EventLogEntry, EventLogReader } from "./event-log.js";
export type {
  Admission,
  AdmitRequest,
  FlowCapability,
  FlowCounters,
  FlowJob,
  FlowScheduledJob,
  HeldSlot,
  LimitSpec,
  OnceClaim,
  QueueChannelOptions,
  UniqueLock,
  UniqueOutcome,
} from "./flow.js";
export { slotMember } from "./flow.js";
export type { CapabilityName, StoreCapabilities } from "./index.js";
export { requireCapability } from "./index.js";
export type { LeaseCapability } from "./lease.js";
export type { MetricsCell, MetricsMinute } from "./metrics.js";
export {
  addCell,
  emptyCell,
  METRICS_BUCKETS_MS,
  METRICS_MINUTE_TTL_SECONDS,
  metricsBucket,
  minuteStart,
} from "./metrics.js";
export type { KeepAliveSpec, NodeBeat, NodesCapability, PeerRecovery, RecoverPeerOptions } from "./nodes.js";
export type { OnceCapability } from "./once.js";
export type { QueueInspectCapability } from "./queue-inspect.js";
export type { CounterDeltas, CounterPair, StatsCapability, StatsDay } from "./stats.js";
export { STATS_DAY_TTL_SECONDS, utcDay, utcDays } from "./stats.js";
