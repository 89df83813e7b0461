/**
 * Verk-only workloads of isolated queues (issue 10): a CPU hog next to an in-process queue,
 * multi-core scaling of thread-isolated CPU work, and the overhead of isolation on no-op jobs.
 * Each runs one forked Verk node per variant (`isolation-node.ts`); the bench process produces.
 */
import { createVerk, type NewJob, type QueueOptions } from "@verk/core";
import { redisStore } from "@verk/redis-store";
import { hrtimeMs } from "./clock.js";
import { IsolationNode } from "./isolation-node.js";
import { resetRedis } from "./redis.js";
import { percentile } from "./stats.js";
import type { RoundMetrics, WorkloadContext } from "./workloads.js";

/** Milliseconds of synchronous work of one hog job (`IsoHog`). */
export const HOG_MS = 300;
/** Hog threads (= concurrency of the hog queue). */
export const HOG_CONCURRENCY = 2;
/** Milliseconds between two probe jobs of the CPU-hog workload. */
export const PROBE_GAP_MS = 10;
/** Concurrency of the no-op queue of the overhead workload (isolated: one thread runs them all). */
export const OVERHEAD_CONCURRENCY = 50;

const sleep = (ms: number) => new Promise((resolve) => setTimeout(resolve, ms));

async function push(url: string, jobs: NewJob[]): Promise<void> {
  const producer = createVerk({ store: redisStore({ url }) });
  try {
    for (let i = 0; i < jobs.length; i += 1_000) await producer.enqueueBulk(jobs.slice(i, i + 1_000));
  } finally {
    await producer.stop();
  }
}

async function withNode<T>(
  ctx: WorkloadContext,
  queues: Record<string, number | QueueOptions>,
  run: (node: IsolationNode) => Promise<T>,
): Promise<T> {
  await resetRedis(ctx.redis.admin);
  const node = await IsolationNode.open(ctx.redis.url, queues);
  try {
    return await run(node);
  } finally {
    await node.close();
    await resetRedis(ctx.redis.admin);
  }
}

/**
 * Queue `hog` (concurrency 2) kept busy with 300 ms synchronous jobs, isolated in threads or
 * in-process; queue `probe` (in-process) gets one job every 10 ms: its enqueue-to-start p50/p99.
 */
async function hogLatency(ctx: WorkloadContext, isolated: boolean): Promise<{ p50: number; p99: number }> {
  const hog: QueueOptions = isolated
    ? { concurrency: HOG_CONCURRENCY, isolation: "thread" }
    : { concurrency: HOG_CONCURRENCY };
  return withNode(ctx, { hog, probe: 5 }, async (node) => {
    const window = ctx.latencyWarmupMs + ctx.latencyMs;
    // Enough hog jobs to keep the hog queue busy the whole window (in-process they run one at a time).
    const perHog = Math.ceil(window / HOG_MS) + 1;
    const hogs = isolated ? perHog * HOG_CONCURRENCY : perHog;
    await push(
      ctx.redis.url,
      Array.from({ length: hogs }, () => ({ class: "IsoHog", queue: "hog" })),
    );
    // The node may be too busy to answer while the hog runs in-process: watch Redis instead.
    const started = node.start();
    const deadline = Date.now() + 10_000;
    while ((await ctx.redis.admin.llen("queue:hog")) >= hogs && Date.now() < deadline) await sleep(5);
    const producer = createVerk({ store: redisStore({ url: ctx.redis.url }) });
    let sent = 0;
    let measuredFrom = 0;
    try {
      const t0 = hrtimeMs();
      const pending: Promise<string | null>[] = [];
      for (let k = 0; ; k++) {
        const due = t0 + k * PROBE_GAP_MS;
        if (due - t0 >= window) break;
        const wait = due - hrtimeMs();
        if (wait > 0) await sleep(wait);
        if (measuredFrom === 0 && due - t0 >= ctx.latencyWarmupMs) measuredFrom = sent;
        pending.push(producer.enqueue({ class: "Probe", queue: "probe", args: [{ t: hrtimeMs() }] }));
        sent++;
      }
      await Promise.all(pending);
    } finally {
      await producer.stop();
    }
    await started;
    const report = await node.waitFor((r) => r.probeLatencies.length >= sent, 60_000 + window * 4);
    const measured = report.probeLatencies.slice(measuredFrom);
    return { p50: percentile(measured, 50), p99: percentile(measured, 99) };
  });
}

/** CPU hog: the in-process queue's latency with the hog isolated in threads, and in-process. */
export async function runCpuHog(ctx: WorkloadContext): Promise<RoundMetrics> {
  const isolated = await hogLatency(ctx, true);
  const inProcess = await hogLatency(ctx, false);
  return {
    hogIsolatedP50Ms: isolated.p50,
    hogIsolatedP99Ms: isolated.p99,
    hogInProcessP50Ms: inProcess.p50,
    hogInProcessP99Ms: inProcess.p99,
  };
}

/** Jobs per second of `jobs` waiting jobs of `className` on queue `queue` of a node with `options`. */
async function drain(
  ctx: WorkloadContext,
  queue: string,
  className: string,
  jobs: number,
  options: number | QueueOptions,
): Promise<number> {
  return withNode(ctx, { [queue]: options }, async (node) => {
    await push(
      ctx.redis.url,
      Array.from({ length: jobs }, (_, i) => ({ class: className, queue, args: [i] })),
    );
    await node.start();
    const report = await node.waitFor(
      (r) => (r.classes[className]?.finished ?? 0) >= jobs,
      120_000 + jobs * 20,
    );
    const c = report.classes[className]!;
    return (c.finished * 1000) / (c.lastFinish - c.firstStart);
  });
}

/**
 * Multi-core: ~5 ms synchronous jobs in a thread-isolated queue with 1 thread, then 2; the
 * concurrency is twice the threads, so each thread has its next job at hand (no idle round trip).
 */
export async function runMulticore(ctx: WorkloadContext): Promise<RoundMetrics> {
  const jobs = Math.max(60, Math.round(ctx.jobs / 40));
  const one = await drain(ctx, "spin", "IsoSpin", jobs, { concurrency: 2, isolation: "thread", poolSize: 1 });
  const two = await drain(ctx, "spin", "IsoSpin", jobs, { concurrency: 4, isolation: "thread", poolSize: 2 });
  return { multicore1JobsPerSec: one, multicore2JobsPerSec: two };
}

/** Overhead: no-op jobs at concurrency 50, in one worker thread and in-process, same run. */
export async function runOverhead(ctx: WorkloadContext): Promise<RoundMetrics> {
  const isolated = await drain(ctx, "noop", "IsoNoop", ctx.jobs, {
    concurrency: OVERHEAD_CONCURRENCY,
    isolation: "thread",
    poolSize: 1,
  });
  const inProcess = await drain(ctx, "noop", "IsoNoop", ctx.jobs, OVERHEAD_CONCURRENCY);
  return { overheadIsolatedJobsPerSec: isolated, overheadInProcessJobsPerSec: inProcess };
}
