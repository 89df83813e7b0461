/// <reference path="./cluster-key-slot.d.ts" />
import calculateSlot from "cluster-key-slot";
import type { Cluster, Redis } from "ioredis";

/**
 * The master connection of `cluster` that serves `key`'s slot, from the client's slot map
 * (`undefined` before the map is known). Used to send slot-bound control commands (`CLIENT ID`,
 * `CLIENT UNBLOCK`, `WAIT`) to the right node.
 */
export function nodeServing(cluster: Cluster, key: string): Redis | undefined {
  const nodeKey = cluster.slots[calculateSlot(key)]?.[0];
  if (nodeKey === undefined) return undefined;
  return cluster.nodes("master").find((node) => `${node.options.host}:${node.options.port}` === nodeKey);
}

/** True when two connections talk to the same server (host and port). */
export function sameServer(a: Redis, b: Redis): boolean {
  return a.options.host === b.options.host && a.options.port === b.options.port;
}
