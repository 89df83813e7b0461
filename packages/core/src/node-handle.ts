import type { VerkEventMap, VerkEventName } from "./events.js";
import type { Logger } from "./logger.js";
import type { QueueInfo, RunningJob } from "./queue-info.js";

/**
 * What a started Verk node shows its store, so the store can keep heartbeats (liveness,
 * Sidekiq's process entries), recover dead peers and act on remote signals.
 * Given to {@link VerkStore.attachNode} by `start()`.
 */
export interface NodeHandle {
  /** This node's identity. */
  readonly nodeId: string;
  /** When the node started, epoch ms. */
  readonly startedAt: number;
  /** The logger of the node. */
  readonly logger: Logger;
  /** The queues this node runs, with concurrency and state. */
  queues(): QueueInfo[];
  /** Jobs running on this node now. */
  runningJobs(): RunningJob[];
  /** True once the node was quieted. */
  readonly quieted: boolean;
  /** Quiet the node (stop fetching everywhere, keep running jobs): Sidekiq's TSTP. */
  quiet(): void;
  /** Ask the node to stop gracefully (Sidekiq's TERM); returns at once. */
  requestStop(): void;
  /** Emit a lifecycle event on the node's hub (e.g. `jobs:recovered`, `node:down` of a peer). */
  emit<E extends VerkEventName>(event: E, payload: VerkEventMap[E]): void;
}

/** The parts of a Verk instance a {@link NodeHandle} reads. @internal */
interface NodeSource {
  readonly nodeId: string;
  readonly logger: Logger;
  readonly quieted: boolean;
  queues(): QueueInfo[];
  runningJobs(): RunningJob[];
  quiet(): void;
  stop(): Promise<void>;
}

/** Build the {@link NodeHandle} of a started node. @internal */
export function createNodeHandle(
  node: NodeSource,
  startedAt: number,
  emit: <E extends VerkEventName>(event: E, payload: VerkEventMap[E]) => void,
): NodeHandle {
  return {
    nodeId: node.nodeId,
    startedAt,
    logger: node.logger,
    queues: () => node.queues(),
    runningJobs: () => node.runningJobs(),
    get quieted() {
      return node.quieted;
    },
    quiet: () => node.quiet(),
    requestStop: () => {
      node.stop().catch((error: unknown) => node.logger.error({ err: error }, "remote stop failed"));
    },
    emit,
  };
}
