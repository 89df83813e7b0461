import type { EventHub } from "./events.js";
import type { Logger } from "./logger.js";
import type { VerkStore } from "./store.js";

/** The lifecycle state of a {@link Verk} instance. */
export type VerkState = "idle" | "starting" | "running" | "stopping" | "stopped";

/** Options of {@link Verk.stop} and {@link Verk.removeQueue}. */
export interface StopOptions {
  /** Milliseconds to wait for running jobs before putting them back on their queue. (Default: `shutdownTimeoutMs`, 30,000) */
  timeout?: number;
}

/** The keys {@link StopOptions} accepts. @internal */
export const STOP_OPTION_KEYS = ["timeout"] as const satisfies readonly (keyof StopOptions)[];

/**
 * At start, put back at the front of their queues the jobs an earlier run of `nodeId` left in
 * progress (a restart with a fixed `nodeId`), saying so in the log and with `jobs:recovered`.
 * Resolves how many were put back. @internal
 */
export async function recoverOwnJobs(
  store: VerkStore,
  nodeId: string,
  logger: Logger,
  hub: EventHub,
): Promise<number> {
  const recovered = await store.recoverNode(nodeId);
  if (recovered > 0) {
    logger.warn(
      { nodeId, count: recovered },
      `put ${recovered} job(s) left in progress by an earlier run of node ${nodeId} back`,
    );
    hub.emit("jobs:recovered", { nodeId, fromNodeId: nodeId, count: recovered });
  }
  return recovered;
}
