import { createVerk } from "@verk/core";
import { redisStore } from "@verk/redis-store";
import { IsolationNode } from "../isolation-node.js";
import { resetRedis } from "../redis.js";
import type { RoundMetrics, WorkloadContext } from "../workloads.js";

/** The fast liveness settings of the chaos docs (issue #10): heartbeat 250 ms, TTL 1 s. */
export const FAST_LIVENESS = { heartbeatMs: 250, nodeTtlMs: 1_000 } as const;
/** Milliseconds each hog job blocks the event loop of its (in-process) queue. */
export const BLOCK_MS = 2_400;

const sleep = (ms: number) => new Promise((resolve) => setTimeout(resolve, ms));

interface HogRun {
  /** Jobs of the hog node that the peer recovered (declared it dead). */
  recovered: number;
  /** Lowest remaining TTL of the hog node's heartbeat seen (PTTL every 20 ms), ms; -2 = it expired. */
  minTtlMs: number;
}

/**
 * A forked node runs `jobs` jobs that each block its event loop for 2.4 s (queue `hog`,
 * in-process, concurrency 1) with the fast liveness settings; a peer node in this process (same
 * settings) would recover its jobs if its heartbeat expired, and this process reads the heartbeat's
 * PTTL every 20 ms. With `keepAlive: false` the node runs without its keep-alive thread
 * (`maxEventLoopBlockMs: 0`), and the run stops once the first job has finished.
 */
async function hogRun(ctx: WorkloadContext, jobs: number, keepAlive: boolean): Promise<HogRun> {
  const { admin } = ctx.redis;
  await resetRedis(admin);
  const nodeId = `hog-${keepAlive ? "thread" : "plain"}-${process.pid}`;
  const liveness = keepAlive ? FAST_LIVENESS : { ...FAST_LIVENESS, maxEventLoopBlockMs: 0 };
  const node = await IsolationNode.open(ctx.redis.url, { hog: 1 }, { liveness, nodeId });
  const peer = createVerk({
    store: redisStore({ url: ctx.redis.url, sidekiqProcess: false }),
    queues: { peer: 1 },
    liveness: FAST_LIVENESS,
    logLevel: "error",
    pollIntervalMs: 0,
  });
  let recovered = 0;
  peer.on("jobs:recovered", (event) => {
    if (event.fromNodeId === nodeId) recovered += event.count;
  });
  let minTtlMs = Number.POSITIVE_INFINITY;
  let watching = true;
  try {
    const producer = createVerk({ store: redisStore({ url: ctx.redis.url, sidekiqProcess: false }) });
    await producer.enqueueBulk(
      Array.from({ length: jobs }, () => ({ class: "IsoBlock", queue: "hog", args: [BLOCK_MS] })),
    );
    await producer.stop();
    await peer.start();
    const watch = (async () => {
      while (watching) {
        const ttl = await admin.pttl(`verk:node:${nodeId}`);
        if (ttl !== -2 || minTtlMs !== Number.POSITIVE_INFINITY) minTtlMs = Math.min(minTtlMs, ttl);
        await sleep(20);
      }
    })();
    await node.start();
    const bound = 30_000 + jobs * BLOCK_MS * 4;
    await node.waitFor((r) => (r.classes.IsoBlock?.finished ?? 0) >= (keepAlive ? jobs : 1), bound);
    watching = false;
    await watch;
  } finally {
    watching = false;
    await node.close();
    await peer.stop({ timeout: 0 }).catch(() => {});
    await resetRedis(admin);
  }
  return { recovered, minTtlMs };
}

/**
 * Heartbeats under the CPU hog (issue #10, Verk only): no false death with heartbeat 250 ms and
 * TTL 1 s while handlers block the event loop for 2.4 s each (3 in a row; `--smoke`: 1), thanks to
 * the keep-alive thread; the same node without it is declared dead during its first block.
 */
export async function runHeartbeatHog(ctx: WorkloadContext): Promise<RoundMetrics> {
  const withThread = await hogRun(ctx, ctx.smoke ? 1 : 3, true);
  const without = await hogRun(ctx, 1, false);
  return {
    heartbeatHogFalseDeaths: withThread.recovered,
    heartbeatHogMinTtlMs: withThread.minTtlMs,
    heartbeatHogNoThreadFalseDeaths: without.recovered,
  };
}
