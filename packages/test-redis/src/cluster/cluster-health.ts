import { infoField, tryRedisCommand } from "../redis-command.js";
import { CLUSTER_SLOTS, type ClusterNodeInfo, parseClusterNodes } from "./cluster-nodes.js";

/** What {@link checkClusterHealth} found: the topology when healthy, else the first problem seen. */
export type ClusterHealth =
  | { readonly healthy: true; readonly nodes: ClusterNodeInfo[] }
  | { readonly healthy: false; readonly problem: string };

/** A compact description of who serves which slots, to compare the views of two nodes. */
function slotSignature(view: readonly ClusterNodeInfo[]): string {
  return view
    .filter((node) => node.slots.length > 0)
    .map((node) => `${node.port}:${node.slots.map(([a, b]) => `${a}-${b}`).join(",")}`)
    .sort()
    .join(" ");
}

function covered(view: readonly ClusterNodeInfo[]): number {
  let slots = 0;
  for (const node of view) for (const [from, to] of node.slots) slots += to - from + 1;
  return slots;
}

function shapeProblem(view: readonly ClusterNodeInfo[], replicasPerMaster: number): string | undefined {
  for (const node of view) {
    if (node.role === "master" && node.slots.length === 0) return `${node.port} is a master without slots`;
    if (node.role !== "master") continue;
    const replicas = view.filter((other) => other.masterId === node.id).length;
    if (replicas !== replicasPerMaster)
      return `master ${node.port} has ${replicas} replicas, not ${replicasPerMaster}`;
  }
  return undefined;
}

/**
 * Is the cluster formed by the servers on `livePorts` healthy? Every live node says
 * `cluster_state:ok`; all of them agree on who serves each slot; every slot is served by a live
 * master; no live node is flagged failing by another; every live replica's link to its (live)
 * master is up. Servers known to be down are simply left out of `livePorts`. With
 * `replicasPerMaster`, every view must also show each slot-serving master with exactly that many
 * replicas and no master without slots (the shape of a freshly created cluster).
 */
export async function checkClusterHealth(
  livePorts: readonly number[],
  replicasPerMaster?: number,
): Promise<ClusterHealth> {
  const live = new Set(livePorts);
  let first: ClusterNodeInfo[] | undefined;
  let signature: string | undefined;
  for (const port of livePorts) {
    const info = await tryRedisCommand(port, "CLUSTER", "INFO");
    const state = infoField(info, "cluster_state");
    if (state !== "ok")
      return { healthy: false, problem: `node ${port}: cluster_state ${state ?? "unreachable"}` };
    const reply = await tryRedisCommand(port, "CLUSTER", "NODES");
    if (typeof reply !== "string") return { healthy: false, problem: `node ${port}: no CLUSTER NODES reply` };
    const view = parseClusterNodes(reply);
    const slots = covered(view);
    if (slots !== CLUSTER_SLOTS)
      return { healthy: false, problem: `node ${port} sees ${slots} of ${CLUSTER_SLOTS} slots served` };
    const deadOwner = view.find((node) => node.slots.length > 0 && !live.has(node.port));
    if (deadOwner)
      return {
        healthy: false,
        problem: `node ${port} sees slots served by ${deadOwner.port}, which is down`,
      };
    const failing = view.find((node) => node.failing && live.has(node.port));
    if (failing)
      return { healthy: false, problem: `node ${port} flags live node ${failing.port} as failing` };
    const missing = livePorts.find((p) => !view.some((node) => node.port === p));
    if (missing !== undefined)
      return { healthy: false, problem: `node ${port} does not know node ${missing}` };
    if (replicasPerMaster !== undefined) {
      const shape = shapeProblem(view, replicasPerMaster);
      if (shape) return { healthy: false, problem: `node ${port}: ${shape}` };
    }
    const sig = slotSignature(view);
    if (signature !== undefined && sig !== signature)
      return { healthy: false, problem: `nodes ${livePorts[0]} and ${port} disagree on the slot owners` };
    signature = sig;
    first ??= view;
  }
  for (const node of first ?? []) {
    if (node.role !== "replica" || !live.has(node.port)) continue;
    if (node.masterPort === undefined || !live.has(node.masterPort))
      return { healthy: false, problem: `replica ${node.port} follows a master that is down` };
    const replication = await tryRedisCommand(node.port, "INFO", "replication");
    const link = infoField(replication, "master_link_status");
    if (link !== "up") return { healthy: false, problem: `replica ${node.port}: master_link_status ${link}` };
  }
  return { healthy: true, nodes: first ?? [] };
}
