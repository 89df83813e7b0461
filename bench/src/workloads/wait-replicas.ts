/**
 * Issue #13 (Verk only): the cost of `waitReplicas: 1`. A master and one replica (two private
 * redis-servers, `--replicaof`); the same round measures enqueue 1-by-1 (50 in flight), bulk
 * enqueue (1,000 per call) and processing (one forked node at concurrency 50 draining N no-op
 * jobs) without the option and with it. Enqueues resolve after `WAIT` (coalesced per event-loop
 * turn); processing acks are not waited for (a lost ack only runs a job again), failure writes are.
 */
import { createVerk } from "@verk/core";
import { redisStore } from "@verk/redis-store";
import { startRedis, type TestRedis } from "@verk/test-redis";
import { Redis } from "ioredis";
import { hrtimeMs } from "../clock.js";
import { IsolationNode } from "../isolation-node.js";
import type { RoundMetrics, WorkloadContext } from "../workloads.js";

const IN_FLIGHT = 50;
const sleep = (ms: number) => new Promise((resolve) => setTimeout(resolve, ms));

/** A master and a replica in sync. */
async function startPair(): Promise<{
  master: TestRedis;
  replica: TestRedis;
  admin: Redis;
  stop(): Promise<void>;
}> {
  const master = await startRedis({ args: ["--save", "", "--appendonly", "no"] });
  const replica = await startRedis({
    args: ["--save", "", "--appendonly", "no", "--replicaof", "127.0.0.1", String(master.port)],
  });
  const admin = new Redis(master.url);
  const probe = new Redis(replica.url);
  const deadline = Date.now() + 20_000;
  while (!/master_link_status:up/.test(await probe.info("replication"))) {
    if (Date.now() > deadline) throw new Error("the replica did not sync within 20 s");
    await sleep(50);
  }
  probe.disconnect();
  return {
    master,
    replica,
    admin,
    async stop() {
      admin.disconnect();
      await Promise.all([replica.stop(), master.stop()]);
    },
  };
}

async function measure(url: string, jobs: number, wait: boolean) {
  const store = { url, sidekiqProcess: false, ...(wait ? { waitReplicas: 1 } : {}) };
  const producer = createVerk({ store: redisStore(store) });
  try {
    await producer.connect();
    let next = 0;
    const t0 = hrtimeMs();
    await Promise.all(
      Array.from({ length: IN_FLIGHT }, async () => {
        while (next < jobs) {
          next++;
          await producer.enqueue({ class: "IsoNoop", queue: "noop", args: [] });
        }
      }),
    );
    const enqueueOne = (jobs * 1000) / (hrtimeMs() - t0);
    const t1 = hrtimeMs();
    for (let start = 0; start < jobs; start += 1_000)
      await producer.enqueueBulk(
        Array.from({ length: Math.min(1_000, jobs - start) }, () => ({
          class: "IsoNoop",
          queue: "noop",
          args: [],
        })),
      );
    const bulk = (jobs * 1000) / (hrtimeMs() - t1);
    const node = await IsolationNode.open(url, { noop: 50 }, { store });
    try {
      await node.start();
      const report = await node.waitFor(
        (r) => (r.classes.IsoNoop?.finished ?? 0) >= 2 * jobs,
        60_000 + jobs * 4,
      );
      const { firstStart, lastFinish } = report.classes.IsoNoop!;
      return { enqueueOne, bulk, process: (2 * jobs * 1000) / (lastFinish - firstStart) };
    } finally {
      await node.close();
    }
  } finally {
    await producer.stop();
  }
}

/** The workload (`--steps wait-replicas`). */
export async function runWaitReplicas(ctx: WorkloadContext): Promise<RoundMetrics> {
  const jobs = Math.max(100, Math.floor(ctx.jobs / 2));
  const pair = await startPair();
  try {
    const off = await measure(pair.master.url, jobs, false);
    await pair.admin.flushall();
    const on = await measure(pair.master.url, jobs, true);
    return {
      waitOffEnqueueOneJobsPerSec: off.enqueueOne,
      waitOnEnqueueOneJobsPerSec: on.enqueueOne,
      waitOffBulkJobsPerSec: off.bulk,
      waitOnBulkJobsPerSec: on.bulk,
      waitOffProcessJobsPerSec: off.process,
      waitOnProcessJobsPerSec: on.process,
    };
  } finally {
    await pair.stop();
  }
}
