/**
 * Issue #13 (Verk only): processing on the cluster key layout with 6 queues on a 3-master Redis
 * Cluster, against the Sidekiq layout on the bench's one redis-server, same round. One forked
 * node at concurrency 8 per queue (48 in all) drains N waiting no-op jobs spread evenly over the
 * 6 queues; jobs/s from its first start to its last finish, and Redis CPU per job (`INFO cpu`
 * delta) on the one server and on each master.
 */
import { createVerk } from "@verk/core";
import { createKeys, redisStore } from "@verk/redis-store";
import { startCluster, type TestCluster } from "@verk/test-redis";
import { Redis } from "ioredis";
import { IsolationNode } from "../isolation-node.js";
import { redisCpuSeconds, resetRedis } from "../redis.js";
import type { RoundMetrics, WorkloadContext } from "../workloads.js";

/** Queues of the workload, and jobs each one runs at once. */
export const CLUSTER_QUEUES = 6;
export const PER_QUEUE_CONCURRENCY = 8;

/** Enqueue `jobs` no-op jobs round-robin over `queues` in bulk calls of 1,000. */
async function fill(store: Record<string, unknown>, queues: readonly string[], jobs: number): Promise<void> {
  const producer = createVerk({ store: redisStore({ ...store, sidekiqProcess: false }) });
  try {
    for (let start = 0; start < jobs; start += 1_000) {
      const batch = [];
      for (let i = start; i < Math.min(jobs, start + 1_000); i++)
        batch.push({ class: "IsoNoop", queue: queues[i % queues.length]!, args: [] });
      await producer.enqueueBulk(batch);
    }
  } finally {
    await producer.stop();
  }
}

/** Drain the filled queues with one forked node; jobs/s and Redis CPU µs per job on each server. */
async function drain(
  url: string,
  store: Record<string, unknown>,
  queues: readonly string[],
  jobs: number,
  servers: readonly Redis[],
): Promise<{ jobsPerSec: number; cpuMicrosPerJob: number[] }> {
  await fill(store, queues, jobs);
  const node = await IsolationNode.open(
    url,
    Object.fromEntries(queues.map((q) => [q, PER_QUEUE_CONCURRENCY])),
    { store: { ...store, sidekiqProcess: false } },
  );
  try {
    const before = await Promise.all(servers.map(redisCpuSeconds));
    await node.start();
    const report = await node.waitFor((r) => (r.classes.IsoNoop?.finished ?? 0) >= jobs, 60_000 + jobs * 2);
    const after = await Promise.all(servers.map(redisCpuSeconds));
    const { firstStart, lastFinish } = report.classes.IsoNoop!;
    return {
      jobsPerSec: (jobs * 1000) / (lastFinish - firstStart),
      cpuMicrosPerJob: after.map((a, i) => ((a - before[i]!) * 1e6) / jobs),
    };
  } finally {
    await node.close();
  }
}

/** Names of `count` queues spread evenly over the cluster's masters (by the slot of their keys). */
async function spreadQueues(cluster: TestCluster, count: number): Promise<string[]> {
  const keys = createKeys(undefined, "cluster");
  const masters = (await cluster.topology()).filter((n) => n.role === "master").length;
  const perMaster = new Map<number, number>();
  const picked: string[] = [];
  for (let i = 0; picked.length < count; i++) {
    const queue = `bench-${i}`;
    const port = (await cluster.masterOf(keys.queue(queue))).port;
    if ((perMaster.get(port) ?? 0) >= Math.ceil(count / masters)) continue;
    perMaster.set(port, (perMaster.get(port) ?? 0) + 1);
    picked.push(queue);
  }
  return picked;
}

/** The workload (`--steps cluster-layout`). */
export async function runClusterLayout(ctx: WorkloadContext): Promise<RoundMetrics> {
  const jobs = Math.max(CLUSTER_QUEUES * 10, ctx.jobs);
  const { admin } = ctx.redis;
  await resetRedis(admin);
  const oneQueues = Array.from({ length: CLUSTER_QUEUES }, (_, i) => `bench-${i}`);
  const one = await drain(ctx.redis.url, { url: ctx.redis.url }, oneQueues, jobs, [admin]);
  await resetRedis(admin);
  const cluster = await startCluster({ replicasPerMaster: 0, args: ["--save", "", "--appendonly", "no"] });
  const masters = (await cluster.topology())
    .filter((n) => n.role === "master")
    .sort((a, b) => a.port - b.port)
    .map((n) => new Redis(n.port, "127.0.0.1"));
  try {
    const queues = await spreadQueues(cluster, CLUSTER_QUEUES);
    const spread = await drain(
      cluster.urls[0]!,
      { cluster: { nodes: [...cluster.urls] } },
      queues,
      jobs,
      masters,
    );
    const perMaster = [...spread.cpuMicrosPerJob].sort((a, b) => b - a);
    return {
      clusterOneJobsPerSec: one.jobsPerSec,
      clusterOneRedisCpuMicrosPerJob: one.cpuMicrosPerJob[0],
      clusterJobsPerSec: spread.jobsPerSec,
      clusterRedisCpuMicrosPerJob: perMaster.reduce((a, b) => a + b, 0),
      clusterBusiestMasterCpuMicrosPerJob: perMaster[0],
      clusterMiddleMasterCpuMicrosPerJob: perMaster[1],
      clusterIdlestMasterCpuMicrosPerJob: perMaster[2],
    };
  } finally {
    for (const m of masters) m.disconnect();
    await cluster.stop();
  }
}
