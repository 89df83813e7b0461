import type { Keys } from "../keys.js";

/** The parts of one limit's state. */
export type LimitPart =
  /** ZSET: concurrency slots, member `<nodeId>|<jid>` → expiry (epoch ms); expired slots are dropped on every check. */
  | "running"
  /** ZSET: the starts of the last window (a sliding log), member → start time (epoch ms). */
  | "starts"
  /** LIST: wake tokens for fetches waiting on a class-wide concurrency limit (at most `concurrency`). */
  | "wake"
  /** LIST: payloads parked by a per-key concurrency limit (also in the `schedule` set, as a fallback). */
  | "parked"
  /** STRING: the last start slot reserved for a job put back by a per-key rate limit (epoch ms). */
  | "next";

/**
 * The keys of flow control (issue #14), in the slot of the queue they gate so that every script
 * touches one slot:
 *
 * | what | Sidekiq layout | cluster layout |
 * |---|---|---|
 * | unique lock (STRING jid, PX `unique_for`) | `verk:unique:<digest>` | `verk:{<q>}:unique:<digest>` |
 * | class-wide limit part | `verk:limit:<class>:<part>` | `verk:{<q>}:limit:<class>:<part>` |
 * | per-key limit part | `verk:limit:<class>:key:<key>:<part>` | `verk:{<q>}:limit:<class>:key:<key>:<part>` |
 * | counters (HASH `expired`, `limited`, `duplicates`) | `verk:flow:<q>` | `verk:{<q>}:flow` |
 *
 * The digest covers class, queue and arguments, so a lock is per queue in both layouts. A limit is
 * per class across all queues in the Sidekiq layout, and per class *and queue* in the cluster
 * layout (its keys must share the queue's slot): a class whose jobs go to several queues gets one
 * limit per queue there. With a `namespace`, every key is prefixed by `namespace + ":"`.
 */
export interface FlowKeys {
  uniqueLock(queue: string, digest: string): string;
  limit(queue: string, className: string, key: string | undefined, part: LimitPart): string;
  counters(queue: string): string;
}

/** The flow-control keys of a store's {@link Keys} (same namespace and layout). */
export function flowKeys(keys: Keys): FlowKeys {
  const p = keys.prefix;
  const cluster = keys.layout === "cluster";
  const at = (queue: string, rest: string) => (cluster ? `${p}verk:{${queue}}:${rest}` : `${p}verk:${rest}`);
  return {
    uniqueLock: (queue, digest) => at(queue, `unique:${digest}`),
    limit: (queue, className, key, part) =>
      at(queue, `limit:${className}${key === undefined ? "" : `:key:${key}`}:${part}`),
    counters: (queue) => (cluster ? `${p}verk:{${queue}}:flow` : `${p}verk:flow:${queue}`),
  };
}
