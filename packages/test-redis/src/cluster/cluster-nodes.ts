/** Number of hash slots of a Redis Cluster. */
export const CLUSTER_SLOTS = 16_384;

/** One node of a test cluster as some node's `CLUSTER NODES` describes it. */
export interface ClusterNodeInfo {
  /** The node's 40-character cluster id. */
  readonly id: string;
  readonly host: string;
  readonly port: number;
  /** `redis://127.0.0.1:<port>` */
  readonly url: string;
  readonly role: "master" | "replica";
  /** Id of the master a replica follows (`undefined` for a master). */
  readonly masterId: string | undefined;
  /** Port of the master a replica follows (`undefined` for a master or an unknown master). */
  readonly masterPort: number | undefined;
  /** Inclusive slot ranges a master serves, e.g. `[[0, 5460]]`; empty for replicas. */
  readonly slots: readonly (readonly [number, number])[];
  /** Flagged `fail` (or `fail?`) by the node whose view this is. */
  readonly failing: boolean;
}

/**
 * Parse a `CLUSTER NODES` reply. Lines look like
 * `<id> <ip:port@bus[,hostname]> <flags> <master|-> <ping> <pong> <epoch> <link> <slot>...`;
 * importing/migrating markers (`[slot->-id]`) are skipped.
 */
export function parseClusterNodes(reply: string): ClusterNodeInfo[] {
  const lines = reply
    .split("\n")
    .map((line) => line.trim())
    .filter(Boolean);
  const raw = lines.map((line) => {
    const [id = "", address = "", flagField = "", master = "-", , , , , ...slotFields] = line.split(" ");
    const hostPort = address.split("@")[0] ?? "";
    const colon = hostPort.lastIndexOf(":");
    const host = hostPort.slice(0, colon) || "127.0.0.1";
    const port = Number(hostPort.slice(colon + 1));
    const flags = flagField.split(",");
    const slots: [number, number][] = [];
    for (const field of slotFields) {
      if (field.startsWith("[")) continue;
      const [from, to] = field.split("-");
      slots.push([Number(from), Number(to ?? from)]);
    }
    return { id, host, port, flags, master, slots };
  });
  const portOf = new Map(raw.map((node) => [node.id, node.port]));
  return raw.map((node) => {
    const replica = node.flags.includes("slave");
    return {
      id: node.id,
      host: node.host,
      port: node.port,
      url: `redis://${node.host}:${node.port}`,
      role: replica ? "replica" : "master",
      masterId: replica && node.master !== "-" ? node.master : undefined,
      masterPort: replica ? portOf.get(node.master) : undefined,
      slots: replica ? [] : node.slots,
      failing: node.flags.includes("fail") || node.flags.includes("fail?"),
    };
  });
}

/** The id of the node serving each slot (index = slot), `undefined` where none does. */
export function slotOwners(nodes: readonly ClusterNodeInfo[]): (string | undefined)[] {
  const owners: (string | undefined)[] = new Array(CLUSTER_SLOTS).fill(undefined);
  for (const node of nodes) {
    for (const [from, to] of node.slots) for (let slot = from; slot <= to; slot++) owners[slot] = node.id;
  }
  return owners;
}
