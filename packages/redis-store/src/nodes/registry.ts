import { randomBytes } from "node:crypto";
import { createRequire } from "node:module";
import type { LivenessOptions, NodesCapability } from "@verk/core";
import type { RedisClient } from "../client.js";
import type { Keys } from "../keys.js";
import { runScript } from "../scripts.js";
import { recoverPeer } from "./recover-peer.js";

/** Members asked per SSCAN call of the node registry. */
const SCAN_COUNT = 100;

/** What the registry needs from its store. */
export interface RegistryContext {
  readonly client: RedisClient;
  readonly keys: Keys;
  /** Liveness options set on the store (older configurations). */
  readonly defaults: LivenessOptions;
  /** Connection settings a worker thread can use (structured-clonable). */
  connectionSpec(): unknown;
}

/**
 * {@link NodesCapability} on Redis. Sidekiq layout: heartbeat `verk:node:<id>` (PX TTL, value =
 * the beat token), registry `verk_nodes`, queues `verk:node:<id>:queues`, data epoch `verk:epoch`. Cluster layout: the same
 * under `{verk}`, plus a per-queue alive marker `verk:{<q>}:alive:<id>` refreshed with each beat,
 * so recovery can re-check liveness inside the queue's own slot.
 */
export function redisNodes(ctx: RegistryContext): NodesCapability {
  const { client, keys } = ctx;
  const cluster = keys.layout === "cluster";
  return {
    defaults: ctx.defaults,
    async beat(nodeId, value, ttlMs, queues) {
      const markers = cluster
        ? queues.map((q) =>
            client.set(keys.aliveMarker(q, nodeId), value, "PX", Math.max(1, Math.ceil(ttlMs))),
          )
        : [];
      const [reply] = await Promise.all([
        runScript(
          client,
          "node-beat",
          [keys.heartbeat(nodeId), keys.nodes, keys.nodeQueues(nodeId), keys.epoch],
          [nodeId, value, Math.max(1, Math.ceil(ttlMs)), randomBytes(8).toString("hex"), ...queues],
        ) as Promise<[string, number, string]>,
        ...markers,
      ]);
      return {
        previous: reply[0] === "" ? undefined : reply[0],
        registered: reply[1] === 1,
        epoch: reply[2],
      };
    },
    async readBeat(nodeId) {
      return (await client.get(keys.heartbeat(nodeId))) ?? undefined;
    },
    async members() {
      const members = new Set<string>();
      let cursor = "0";
      do {
        const [next, page] = await client.sscan(keys.nodes, cursor, "COUNT", SCAN_COUNT);
        for (const member of page) members.add(member);
        cursor = next;
      } while (cursor !== "0");
      return [...members];
    },
    async alive(nodeIds) {
      const found = await Promise.all(nodeIds.map((id) => client.exists(keys.heartbeat(id))));
      return found.map((n) => n === 1);
    },
    recoverPeer: (peerId, options) => recoverPeer(client, keys, peerId, options),
    async forgetPeer(peerId) {
      const queues = await client.smembers(keys.nodeQueues(peerId));
      const lists = queues.map((q) => keys.inprogress(q, peerId));
      if (cluster) {
        // The lists live in their queues' slots: check them here, the script checks the rest.
        const lengths = await Promise.all(lists.map((list) => client.llen(list)));
        if (lengths.some((n) => n > 0)) return false;
      }
      const scriptKeys = [
        keys.heartbeat(peerId),
        keys.nodes,
        keys.nodeQueues(peerId),
        ...(cluster ? [] : lists),
      ];
      return (await runScript(client, "forget-node", scriptKeys, [peerId])) === 1;
    },
    inProgress(queue, nodeId) {
      return client.lrangeBuffer(keys.inprogress(queue, nodeId), 0, -1);
    },
    async endBeat(nodeId, queues) {
      await Promise.all([
        client.del(keys.heartbeat(nodeId)),
        ...(cluster ? queues.map((q) => client.del(keys.aliveMarker(q, nodeId))) : []),
      ]);
    },
    keepAlive(nodeId, queues, ttlMs) {
      const aliveKeys = [
        keys.heartbeat(nodeId),
        ...(cluster ? queues.map((q) => keys.aliveMarker(q, nodeId)) : []),
      ];
      return {
        module: keepAliveModule(),
        data: { connection: ctx.connectionSpec(), keys: aliveKeys, ttlMs },
      };
    },
  };
}

/** The built keep-alive thread module of this package (resolved through its own exports map). */
function keepAliveModule(): string {
  return createRequire(import.meta.url).resolve("@verk/redis-store/keep-alive-thread");
}
