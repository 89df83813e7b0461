/**
 * Verk-only workloads of issue #14 (flow control): what `unique` costs on enqueue and what a limit
 * costs on processing, each against the same jobs without, in the same run. Limits are set so
 * they never bind (the cost measured is the bookkeeping, not waiting).
 */
import { createVerk, defineWorker, type WorkerDefinition } from "@verk/core";
import { redisStore } from "@verk/redis-store";
import { hrtimeMs } from "../clock.js";
import { resetRedis } from "../redis.js";
import {
  BULK_CHUNK,
  CONCURRENCY,
  ENQUEUE_IN_FLIGHT,
  type RoundMetrics,
  type WorkloadContext,
} from "../workloads.js";

const noop = async (_i: number) => {};
const Plain = defineWorker("FlowPlain", noop);
const Unique = defineWorker("FlowUnique", noop, { unique: { for: 600 } });
/** Class-wide concurrency limit far above the node's concurrency (50). */
const ClassLimit = defineWorker("FlowClassLimit", noop, { limit: { concurrency: 1_000 } });
/** Class-wide rate limit far above the throughput (every start is logged in the sliding window). */
const RateLimit = defineWorker("FlowRateLimit", noop, { limit: { rate: 10_000_000, per: 1_000 } });
/** Per-key concurrency limit, 16 keys. */
const KeyLimit = defineWorker("FlowKeyLimit", noop, {
  limit: { concurrency: 1_000, key: (i) => String(i % 16) },
});

/** Jobs/s of enqueueing `jobs` jobs of `worker` one by one (50 in flight) or in bulk calls of 1,000. */
async function enqueueRate(
  ctx: WorkloadContext,
  worker: WorkerDefinition<[number]>,
  bulk: boolean,
): Promise<number> {
  await resetRedis(ctx.redis.admin);
  const producer = createVerk({ store: redisStore({ url: ctx.redis.url }), workers: [worker as never] });
  try {
    await producer.connect();
    const t0 = hrtimeMs();
    if (bulk) {
      for (let start = 0; start < ctx.jobs; start += BULK_CHUNK) {
        const end = Math.min(ctx.jobs, start + BULK_CHUNK);
        await worker.enqueueBulk(Array.from({ length: end - start }, (_, k): [number] => [start + k]));
      }
    } else {
      let next = 0;
      const loop = async () => {
        while (next < ctx.jobs) await worker.enqueue(next++);
      };
      await Promise.all(Array.from({ length: Math.min(ENQUEUE_IN_FLIGHT, ctx.jobs) }, loop));
    }
    return (ctx.jobs * 1000) / (hrtimeMs() - t0);
  } finally {
    await producer.stop();
    await resetRedis(ctx.redis.admin);
  }
}

/** Jobs/s of one node (concurrency 50, in this process) draining `jobs` waiting jobs of `worker`. */
async function processRate(ctx: WorkloadContext, worker: WorkerDefinition<[number]>): Promise<number> {
  await resetRedis(ctx.redis.admin);
  const producer = createVerk({ store: redisStore({ url: ctx.redis.url }) });
  for (let start = 0; start < ctx.jobs; start += BULK_CHUNK) {
    const end = Math.min(ctx.jobs, start + BULK_CHUNK);
    await producer.enqueueBulk(
      Array.from({ length: end - start }, (_, k) => ({ class: worker.name, args: [start + k] })),
    );
  }
  await producer.stop();
  const node = createVerk({
    store: redisStore({ url: ctx.redis.url, sidekiqProcess: false }),
    queues: { default: CONCURRENCY },
    workers: [worker as never],
    logLevel: "error",
    pollIntervalMs: 0,
    blockWarningMs: 0,
  });
  let first = 0;
  let last = 0;
  let finished = 0;
  const done = new Promise<void>((resolve) => {
    node.on("job:started", () => {
      if (first === 0) first = hrtimeMs();
    });
    node.on("job:finished", () => {
      last = hrtimeMs();
      if (++finished === ctx.jobs) resolve();
    });
  });
  try {
    await node.start();
    const bound = new Promise<"timeout">((resolve) =>
      setTimeout(() => resolve("timeout"), 60_000 + ctx.jobs * 20),
    );
    if ((await Promise.race([done, bound])) === "timeout") throw new Error(`${worker.name}: timed out`);
    return (ctx.jobs * 1000) / (last - first);
  } finally {
    await node.stop({ timeout: 1_000 });
    await resetRedis(ctx.redis.admin);
  }
}

/** Enqueue with and without `unique: { for: 600 }`: one by one and in bulk, distinct args (nothing dropped). */
export async function runUniqueEnqueue(ctx: WorkloadContext): Promise<RoundMetrics> {
  return {
    flowEnqueuePlainJobsPerSec: await enqueueRate(ctx, Plain, false),
    flowEnqueueUniqueJobsPerSec: await enqueueRate(ctx, Unique, false),
    flowBulkPlainJobsPerSec: await enqueueRate(ctx, Plain, true),
    flowBulkUniqueJobsPerSec: await enqueueRate(ctx, Unique, true),
  };
}

/** Process no-op jobs without a limit, with a class-wide concurrency limit, a class-wide rate limit and a per-key limit. */
export async function runLimitProcess(ctx: WorkloadContext): Promise<RoundMetrics> {
  return {
    flowProcessPlainJobsPerSec: await processRate(ctx, Plain),
    flowProcessClassLimitJobsPerSec: await processRate(ctx, ClassLimit),
    flowProcessRateLimitJobsPerSec: await processRate(ctx, RateLimit),
    flowProcessKeyLimitJobsPerSec: await processRate(ctx, KeyLimit),
  };
}
