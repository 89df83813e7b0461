import type { NodesCapability } from "../capabilities/nodes.js";
import { KeepAliveThread } from "./keep-alive.js";
import type { LivenessNode } from "./node.js";
import { NodeLiveness } from "./node-liveness.js";
import type { ResolvedLiveness } from "./options.js";

/** A started node's liveness: the loop and, when the store offers one, its keep-alive thread. @internal */
export interface RunningLiveness {
  readonly loop: NodeLiveness;
  /** Tell the keep-alive thread the node's queues changed. */
  queuesChanged(): void;
  /** Stop beating and delete the heartbeat. */
  stop(): Promise<void>;
}

/**
 * Start the liveness policy of `node` on `nodes` (see {@link NodeLiveness}); with
 * `maxEventLoopBlockMs > 0` and a store that can, also a keep-alive thread. Resolves once the first
 * beat is written and the thread is connected (at most 3 s more); `undefined` when heartbeats are
 * off (`heartbeatMs: 0`). Rejects when the first beat fails.
 */
export async function startLiveness(
  nodes: NodesCapability,
  node: LivenessNode,
  settings: ResolvedLiveness,
): Promise<RunningLiveness | undefined> {
  if (settings.heartbeatMs <= 0) return undefined;
  const loop = new NodeLiveness(nodes, node, settings);
  if (node.afterBeat) loop.onBeat = () => node.afterBeat?.();
  await loop.start();
  const spec = () => nodes.keepAlive?.(node.nodeId, node.queueNames(), settings.nodeTtlMs);
  const first = settings.maxEventLoopBlockMs > 0 ? spec() : undefined;
  let thread: KeepAliveThread | undefined;
  if (first) {
    thread = new KeepAliveThread(first, settings.heartbeatMs, settings.maxEventLoopBlockMs, node.logger);
    loop.onBeat = () => {
      thread?.beaten();
      node.afterBeat?.();
    };
    // Before the first job may block the event loop, the thread must be able to cover it.
    await thread.ready;
  }
  return {
    loop,
    queuesChanged() {
      const next = spec();
      if (thread && next) thread.update(next);
    },
    async stop() {
      await thread?.stop();
      await loop.stop();
    },
  };
}
