import { beeQueueAdapter } from "./bee-queue.js";
import { bullmqAdapter } from "./bullmq.js";
import { nodeResqueAdapter } from "./node-resque.js";
import type { SystemAdapter, SystemName } from "./types.js";
import { verkAdapter } from "./verk.js";

/** Every system, Verk first. */
export const ALL_SYSTEMS: readonly SystemName[] = ["verk", "bullmq", "bee-queue", "node-resque"];

const adapters: Record<SystemName, SystemAdapter> = {
  verk: verkAdapter,
  bullmq: bullmqAdapter,
  "bee-queue": beeQueueAdapter,
  "node-resque": nodeResqueAdapter,
};

/** The adapter of `name`. */
export function adapterFor(name: SystemName): SystemAdapter {
  return adapters[name];
}
