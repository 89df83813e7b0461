import type { NumericMetric } from "./workloads.js";

/** A metric shown in the table. */
export interface MetricSpec {
  readonly key: NumericMetric;
  readonly label: string;
  /** True when a larger value is better (jobs/s); false for costs (ms, bytes, commands). */
  readonly higherIsBetter: boolean;
  readonly digits: number;
  /** Which table the row is in: issue #7's no-op workloads or issue #16's. (Default: `"classic"`) */
  readonly group?: "classic" | "issue16" | "isolation" | "hardening" | "issue13" | "issue14";
}

const issue14 = (key: NumericMetric, label: string): MetricSpec => ({
  key,
  label,
  higherIsBetter: true,
  digits: 0,
  group: "issue14",
});

const issue16 = (key: NumericMetric, label: string, higherIsBetter: boolean, digits: number): MetricSpec => ({
  key,
  label,
  higherIsBetter,
  digits,
  group: "issue16",
});

/** A row builder for the table of `group`. */
const inGroup =
  (group: NonNullable<MetricSpec["group"]>) =>
  (key: NumericMetric, label: string, higherIsBetter: boolean, digits: number): MetricSpec => ({
    key,
    label,
    higherIsBetter,
    digits,
    group,
  });

const hardening = inGroup("hardening");
const issue13 = inGroup("issue13");

const stall = (key: NumericMetric, workload: string) =>
  issue16(key, `${workload}: worst Redis latency event, ms`, false, 0);

/** The table rows, in order. */
export const METRICS: readonly MetricSpec[] = [
  {
    key: "enqueueOneJobsPerSec",
    label: "enqueue 1-by-1 (50 in flight), jobs/s",
    higherIsBetter: true,
    digits: 0,
  },
  { key: "bulkJobsPerSec", label: "enqueue bulk (1,000/call), jobs/s", higherIsBetter: true, digits: 0 },
  { key: "processJobsPerSec", label: "process, 1 worker x 50, jobs/s", higherIsBetter: true, digits: 0 },
  { key: "process2JobsPerSec", label: "process, 2 workers x 50, jobs/s", higherIsBetter: true, digits: 0 },
  { key: "latencyP50Ms", label: "enqueue-to-start p50, ms", higherIsBetter: false, digits: 2 },
  { key: "latencyP99Ms", label: "enqueue-to-start p99, ms", higherIsBetter: false, digits: 2 },
  { key: "workerPeakRssMiB", label: "worker peak RSS, MiB", higherIsBetter: false, digits: 1 },
  { key: "redisBytesPerJob", label: "Redis bytes / waiting job", higherIsBetter: false, digits: 0 },
  { key: "redisCommandsPerJob", label: "Redis commands / processed job", higherIsBetter: false, digits: 2 },
  { key: "redisCpuMicrosPerJob", label: "Redis CPU µs / processed job", higherIsBetter: false, digits: 1 },
  { key: "workerCpuMicrosPerJob", label: "worker CPU µs / processed job", higherIsBetter: false, digits: 1 },
  issue16("processArgs2kJobsPerSec", "process, args 2 KB, 1 worker x 50, jobs/s", true, 0),
  issue16("processArgs20kJobsPerSec", "process, args 20 KB, 1 worker x 50, jobs/s", true, 0),
  issue16("processArgs200kJobsPerSec", "process, args 200 KB, 1 worker x 50, jobs/s", true, 0),
  issue16("dueAtOnce2kMs", "jobs of 2 KB due at one instant: all done after, ms", false, 0),
  issue16("dueAtOnce20kMs", "jobs of 20 KB due at one instant: all done after, ms", false, 0),
  issue16("dueAtOnce200kMs", "jobs of 200 KB due at one instant: all done after, ms", false, 0),
  issue16("retryStormJobsPerSec", "retry storm (each job fails once), args 2 KB, jobs/s", true, 0),
  issue16("scheduleBulkJobsPerSec", "schedule bulk (1,000/call), jobs/s", true, 0),
  issue16("promoteLateP50Ms", "scheduled 1 s ahead: start after due time p50, ms", false, 1),
  issue16("promoteLateP99Ms", "scheduled 1 s ahead: start after due time p99, ms", false, 1),
  stall("processArgs2kStallMs", "process 2 KB"),
  stall("processArgs20kStallMs", "process 20 KB"),
  stall("processArgs200kStallMs", "process 200 KB"),
  stall("dueAtOnce2kStallMs", "due at once 2 KB"),
  stall("dueAtOnce20kStallMs", "due at once 20 KB"),
  stall("dueAtOnce200kStallMs", "due at once 200 KB"),
  stall("retryStormStallMs", "retry storm"),
  stall("scheduleBulkStallMs", "schedule bulk"),
  stall("promoteLateStallMs", "scheduled 1 s ahead"),
  {
    key: "hogIsolatedP50Ms",
    label: "CPU hog isolated: other queue p50, ms",
    higherIsBetter: false,
    digits: 2,
    group: "isolation",
  },
  {
    key: "hogIsolatedP99Ms",
    label: "CPU hog isolated: other queue p99, ms",
    higherIsBetter: false,
    digits: 2,
    group: "isolation",
  },
  {
    key: "hogInProcessP50Ms",
    label: "CPU hog in-process: other queue p50, ms",
    higherIsBetter: false,
    digits: 0,
    group: "isolation",
  },
  {
    key: "hogInProcessP99Ms",
    label: "CPU hog in-process: other queue p99, ms",
    higherIsBetter: false,
    digits: 0,
    group: "isolation",
  },
  {
    key: "multicore1JobsPerSec",
    label: "5 ms CPU jobs, 1 thread, jobs/s",
    higherIsBetter: true,
    digits: 0,
    group: "isolation",
  },
  {
    key: "multicore2JobsPerSec",
    label: "5 ms CPU jobs, 2 threads, jobs/s",
    higherIsBetter: true,
    digits: 0,
    group: "isolation",
  },
  {
    key: "overheadIsolatedJobsPerSec",
    label: "no-op x 50, 1 worker thread, jobs/s",
    higherIsBetter: true,
    digits: 0,
    group: "isolation",
  },
  {
    key: "overheadInProcessJobsPerSec",
    label: "no-op x 50, in-process, jobs/s",
    higherIsBetter: true,
    digits: 0,
    group: "isolation",
  },
  hardening("pushTokenOneJobsPerSec", "push 1-by-1 (50 in flight): idempotent push script, jobs/s", true, 0),
  hardening(
    "pushBatchedOneJobsPerSec",
    "push 1-by-1: plain LPUSH batched per turn like the store, jobs/s",
    true,
    0,
  ),
  hardening("pushPlainOneJobsPerSec", "push 1-by-1: plain LPUSH + SADD per job, jobs/s", true, 0),
  hardening("pushTokenBulkJobsPerSec", "push 1,000/call: idempotent push script, jobs/s", true, 0),
  hardening("pushPlainBulkJobsPerSec", "push 1,000/call: plain LPUSH + SADD, jobs/s", true, 0),
  hardening("pushTokenOneRedisCpuMicrosPerJob", "push 1-by-1, idempotent: Redis CPU µs / job", false, 2),
  hardening("pushBatchedOneRedisCpuMicrosPerJob", "push 1-by-1, plain batched: Redis CPU µs / job", false, 2),
  hardening("pushTokenBulkRedisCpuMicrosPerJob", "push 1,000/call, idempotent: Redis CPU µs / job", false, 2),
  hardening("pushPlainBulkRedisCpuMicrosPerJob", "push 1,000/call, plain: Redis CPU µs / job", false, 2),
  hardening(
    "heartbeatHogFalseDeaths",
    "2.4 s blocks, heartbeat 250 ms / TTL 1 s: jobs recovered by a peer",
    false,
    0,
  ),
  hardening("heartbeatHogMinTtlMs", "2.4 s blocks: lowest remaining heartbeat TTL, ms", true, 0),
  hardening(
    "heartbeatHogNoThreadFalseDeaths",
    "same without the keep-alive thread: jobs recovered",
    false,
    0,
  ),
  issue14("flowEnqueuePlainJobsPerSec", "enqueue 1-by-1 (50 in flight), jobs/s"),
  issue14("flowEnqueueUniqueJobsPerSec", "enqueue 1-by-1, unique, jobs/s"),
  issue14("flowBulkPlainJobsPerSec", "enqueue bulk (1,000/call), jobs/s"),
  issue14("flowBulkUniqueJobsPerSec", "enqueue bulk, unique, jobs/s"),
  issue14("flowProcessPlainJobsPerSec", "process x 50 in-process, no limit, jobs/s"),
  issue14("flowProcessClassLimitJobsPerSec", "process, class concurrency limit, jobs/s"),
  issue14("flowProcessRateLimitJobsPerSec", "process, class rate limit, jobs/s"),
  issue14("flowProcessKeyLimitJobsPerSec", "process, per-key concurrency limit, jobs/s"),
  issue13("clusterOneJobsPerSec", "6 queues, Sidekiq layout, 1 Redis: process x 48, jobs/s", true, 0),
  issue13("clusterJobsPerSec", "6 queues, cluster layout, 3 masters: process x 48, jobs/s", true, 0),
  issue13("clusterOneRedisCpuMicrosPerJob", "6 queues, 1 Redis: Redis CPU µs / job", false, 1),
  issue13("clusterRedisCpuMicrosPerJob", "6 queues, 3 masters: Redis CPU µs / job, all masters", false, 1),
  issue13(
    "clusterBusiestMasterCpuMicrosPerJob",
    "6 queues, 3 masters: busiest master CPU µs / job",
    false,
    1,
  ),
  issue13("clusterMiddleMasterCpuMicrosPerJob", "6 queues, 3 masters: middle master CPU µs / job", false, 1),
  issue13("clusterIdlestMasterCpuMicrosPerJob", "6 queues, 3 masters: idlest master CPU µs / job", false, 1),
  issue13("waitOffEnqueueOneJobsPerSec", "master + replica: enqueue 1-by-1 (50 in flight), jobs/s", true, 0),
  issue13("waitOnEnqueueOneJobsPerSec", "… with waitReplicas: 1, jobs/s", true, 0),
  issue13("waitOffBulkJobsPerSec", "master + replica: enqueue bulk (1,000/call), jobs/s", true, 0),
  issue13("waitOnBulkJobsPerSec", "… with waitReplicas: 1, jobs/s", true, 0),
  issue13("waitOffProcessJobsPerSec", "master + replica: process x 50, jobs/s", true, 0),
  issue13("waitOnProcessJobsPerSec", "… with waitReplicas: 1, jobs/s", true, 0),
];

/** Per system, the metrics that timed out in some round (shown as "timeout" where no round gave a number). */
