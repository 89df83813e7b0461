import type { NodesCapability } from "../capabilities/nodes.js";
import { VerkError } from "../errors.js";
import type { Logger } from "../logger.js";
import { sleep } from "../time.js";

/**
 * Refuse to start a second live process with the same `nodeId` (Verk's #155: both would put each
 * other's long jobs back, and every such job runs twice). A heartbeat left by an earlier run is
 * watched for up to 1.5 heartbeats: if its value changes, its owner is alive and this rejects with
 * `NODE_ID_IN_USE`; if it stays the same (a crashed predecessor) or expires, the start goes on,
 * and the node takes its predecessor's in-progress jobs back. This assumes both processes use the
 * same `heartbeatMs`. @internal
 */
export async function assertNoLiveTwin(
  nodes: NodesCapability,
  nodeId: string,
  heartbeatMs: number,
  logger: Logger,
): Promise<void> {
  const seen = await nodes.readBeat(nodeId);
  if (seen === undefined) return;
  const deadline = Date.now() + Math.ceil(heartbeatMs * 1.5) + 250;
  const step = Math.max(20, Math.floor(heartbeatMs / 4));
  while (Date.now() < deadline) {
    await sleep(step);
    const now = await nodes.readBeat(nodeId);
    if (now === undefined) return;
    if (now !== seen) {
      throw new VerkError(
        "NODE_ID_IN_USE",
        `another live process runs as node "${nodeId}" (its heartbeat keeps beating): give each process its own nodeId (or leave nodeId unset for a unique one)`,
        { field: "nodeId" },
      );
    }
  }
  logger.info(
    { nodeId },
    "an earlier run of this node id left a heartbeat that no longer beats (it crashed); taking its in-progress jobs back",
  );
}
