import { createVerk, defineWorker, type Verk } from "@verk/core";
import { redisStore } from "@verk/redis-store";
import {
  type Consumer,
  type ConsumerHooks,
  type JobData,
  type Producer,
  QUEUE,
  type SystemAdapter,
} from "./types.js";

const CLASS = "BenchNoop";

/** Verk: `enqueue` / `enqueueBulk` on a producer-only instance; a node running queue `bench`. */
export const verkAdapter: SystemAdapter = {
  name: "verk",
  label: "Verk (this repo)",
  async producer(url: string): Promise<Producer> {
    const verk = createVerk({ store: redisStore({ url }) });
    await verk.connect();
    return {
      async add(data: JobData) {
        await verk.enqueue({ class: CLASS, queue: QUEUE, args: [data] });
      },
      async addBulk(items: JobData[]) {
        await verk.enqueueBulk(items.map((data) => ({ class: CLASS, queue: QUEUE, args: [data] })));
      },
      close: () => verk.stop(),
    };
  },
  async consumer(url: string, concurrency: number, hooks: ConsumerHooks): Promise<Consumer> {
    const noop = defineWorker(CLASS, async (data: JobData) => {
      hooks.onStart(data);
    });
    const verk: Verk = createVerk({
      store: redisStore({ url }),
      queues: { [QUEUE]: concurrency },
      workers: [noop],
      logLevel: "error",
    });
    // Counted in job:finished: emitted only after the ack reached Redis.
    verk.on("job:finished", () => hooks.onDone());
    await verk.connect();
    return {
      start: () => verk.start(),
      close: () => verk.stop({ timeout: 1_000 }),
    };
  },
};
