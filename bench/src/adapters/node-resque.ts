import { Redis } from "ioredis";
import { Queue, Worker } from "node-resque";
import {
  type Consumer,
  type ConsumerHooks,
  type ConsumerOptions,
  hostPort,
  type JobData,
  type Producer,
  QUEUE,
  type SystemAdapter,
} from "./types.js";

/** Poll delay of an idle node-resque worker, ms (its default is 5,000). */
const POLL_MS = 5;

/**
 * node-resque 9.7: `enqueue` (no bulk API); "concurrency N" is N `Worker` objects in one
 * process sharing one ioredis connection, as node-peers.md measured it. Not in the scheduled and
 * retry workloads: its delayed jobs need a separate `Scheduler` process and its retries a plugin.
 */
export const nodeResqueAdapter: SystemAdapter = {
  name: "node-resque",
  label: "node-resque 9.7.1",
  features: { schedule: false, retryAtOnce: false },
  async producer(url: string): Promise<Producer> {
    const queue = new Queue({ connection: { ...hostPort(url) } }, {});
    queue.on("error", () => {});
    await queue.connect();
    return {
      async add(data: JobData) {
        await queue.enqueue(QUEUE, "noop", [data]);
      },
      close: () => queue.end(),
    };
  },
  async consumer(url: string, { concurrency }: ConsumerOptions, hooks: ConsumerHooks): Promise<Consumer> {
    const redis = new Redis(hostPort(url));
    redis.setMaxListeners(0); // every Worker adds listeners to the shared connection
    const jobs = {
      noop: {
        perform: async (data: JobData) => {
          hooks.onStart(data);
        },
      },
    };
    const workers: Worker[] = [];
    for (let n = 0; n < concurrency; n++) {
      const worker = new Worker(
        { connection: { redis }, queues: [QUEUE], timeout: POLL_MS, name: `bench-${process.pid}-${n}` },
        jobs,
      );
      worker.on("success", () => hooks.onDone());
      worker.on("error", () => {});
      await worker.connect();
      workers.push(worker);
    }
    return {
      async start() {
        await Promise.all(workers.map((w) => w.start()));
      },
      async close() {
        await Promise.all(workers.map((w) => w.end().catch(() => {})));
        await redis.quit().catch(() => {});
      },
    };
  },
};
