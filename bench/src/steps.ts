import type { ALL_STEPS } from "./args.js";
import { runCpuHog, runMulticore, runOverhead } from "./isolation-workloads.js";
import { runClusterLayout } from "./workloads/cluster-layout.js";
import { runDueAtOnce } from "./workloads/due-at-once.js";
import { runLimitProcess, runUniqueEnqueue } from "./workloads/flow.js";
import { runHeartbeatHog } from "./workloads/heartbeat-hog.js";
import { runProcessPayload } from "./workloads/process-payload.js";
import { PROMOTE_LATE_JOBS, runPromoteLate } from "./workloads/promote-late.js";
import { runPushCost } from "./workloads/push-cost.js";
import { runRetryStorm } from "./workloads/retry-storm.js";
import { runScheduleBulk } from "./workloads/schedule-bulk.js";
import { runWaitReplicas } from "./workloads/wait-replicas.js";
import {
  type RoundMetrics,
  runBulk,
  runEnqueueOne,
  runLatency,
  runProcess,
  type WorkloadContext,
} from "./workloads.js";

/** One workload of the bench, selectable with `--steps <id>`. */
export interface Step {
  readonly id: (typeof ALL_STEPS)[number];
  /** Short name for the progress lines. */
  readonly name: string;
  run(ctx: WorkloadContext): Promise<RoundMetrics>;
  /** Runs for Verk only (isolated queues have no peer equivalent). */
  readonly verkOnly?: boolean;
}

/** Every workload, in the order a round runs them. */
export const STEPS: readonly Step[] = [
  { id: "enqueue", name: "enqueue 1-by-1", run: runEnqueueOne },
  { id: "bulk", name: "enqueue bulk", run: runBulk },
  { id: "process", name: "process x1", run: (ctx) => runProcess(ctx, 1) },
  { id: "process2", name: "process x2", run: (ctx) => runProcess(ctx, 2) },
  { id: "latency", name: "latency", run: runLatency },
  { id: "process-2k", name: "process 2 KB", run: (ctx) => runProcessPayload(ctx, "2k") },
  { id: "process-20k", name: "process 20 KB", run: (ctx) => runProcessPayload(ctx, "20k") },
  { id: "process-200k", name: "process 200 KB", run: (ctx) => runProcessPayload(ctx, "200k") },
  { id: "due-2k", name: "due 2 KB", run: (ctx) => runDueAtOnce(ctx, "2k") },
  { id: "due-20k", name: "due 20 KB", run: (ctx) => runDueAtOnce(ctx, "20k") },
  { id: "due-200k", name: "due 200 KB", run: (ctx) => runDueAtOnce(ctx, "200k") },
  { id: "retry-storm", name: "retry storm", run: runRetryStorm },
  { id: "schedule-bulk", name: "schedule bulk", run: runScheduleBulk },
  {
    id: "promote-late",
    name: "promote late",
    run: (ctx) => runPromoteLate(ctx, ctx.smoke ? 12 : PROMOTE_LATE_JOBS),
  },
  { id: "cpuhog", name: "cpu hog", run: runCpuHog, verkOnly: true },
  { id: "multicore", name: "multi-core", run: runMulticore, verkOnly: true },
  { id: "overhead", name: "isolation cost", run: runOverhead, verkOnly: true },
  { id: "push-cost", name: "push cost", run: runPushCost, verkOnly: true },
  { id: "heartbeat-hog", name: "heartbeat hog", run: runHeartbeatHog, verkOnly: true },
  { id: "cluster-layout", name: "cluster layout", run: runClusterLayout, verkOnly: true },
  { id: "wait-replicas", name: "waitReplicas", run: runWaitReplicas, verkOnly: true },
  { id: "unique-enqueue", name: "unique enqueue", run: runUniqueEnqueue, verkOnly: true },
  { id: "limit-process", name: "limited process", run: runLimitProcess, verkOnly: true },
];
