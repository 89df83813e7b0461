import { VerkError } from "@verk/core";
/**
 * Every Redis key and channel Verk uses, in one place, for both key layouts:
 *
 * - `"sidekiq"` (the default, for one Redis): Sidekiq's own keys (`queue:<q>`, `queues`,
 *   `schedule`, `retry`, `dead`, `stat:*`, `processes`, ...) so Sidekiq and its Web UI share
 *   them, plus Verk's (`inprogress:<q>:<node>`, `verk_nodes`, `verk:*`).
 * - `"cluster"` (Redis Cluster): every key of one queue carries that queue's hash tag,
 *   `verk:{<q>}:…` (its waiting list, in-progress lists, schedule, retry and dead sets, pause
 *   flag, liveness markers), so each script touches one slot and different queues spread over
 *   the shards. Keys that are global by nature (queue names, nodes, processes, stats, leases,
 *   cron, events) share the tag `{verk}` and are never touched by a script that touches a
 *   queue's keys. Sidekiq cannot read this layout.
 *
 * With a `namespace`, each name is prefixed by `namespace + ":"` (hash tags are unaffected).
 */

/** Which key layout a store uses; see the module note. */
export type KeyLayout = "sidekiq" | "cluster";

/** The time-ordered sets. */
export type SetName = "schedule" | "retry" | "dead";

/** Key builder for one namespace and layout; see {@link createKeys}. */
export interface Keys {
  /** The layout. */
  readonly layout: KeyLayout;
  /** `""` or `namespace + ":"`; prepended to every key. */
  readonly prefix: string;

  // ---- one queue's keys (one slot per queue in the cluster layout) ----
  /** LIST of waiting jobs of `queue`: LPUSH to enqueue, taken from the right. */
  queue(queue: string): string;
  /** LIST of the jobs of `queue` that node `nodeId` holds. */
  inprogress(queue: string, nodeId: string): string;
  /** ZSET `name` holding the jobs of `queue` (Sidekiq layout: the one global set). */
  setOf(name: SetName, queue: string): string;
  /**
   * How fetch learns that `queue` is paused: `SISMEMBER key member` when `member` is not empty
   * (Sidekiq layout: the `verk:paused` set), else `EXISTS key` (cluster: a per-queue flag).
   */
  pauseFlag(queue: string): { readonly key: string; readonly member: string };
  /**
   * Key whose presence says node `nodeId` is alive, as seen from `queue`'s slot: the node's
   * heartbeat key in the Sidekiq layout, a per-queue marker refreshed with it in the cluster layout.
   */
  aliveMarker(queue: string, nodeId: string): string;
  /** STRING marking a push batch as written (idempotent re-sends), with a short TTL. */
  pushToken(queue: string, token: string): string;
  /** STRING: an exactly-once marker next to `queue`'s keys (`once-push`). */
  onceMarker(queue: string, key: string): string;
  /** LIST of jobs taken from `queue`'s sets on their way to another queue's list (cluster layout). */
  outbox(queue: string): string;

  // ---- global keys ({verk} slot in the cluster layout) ----
  /** SET of known queue names (Sidekiq's `queues`). */
  readonly queues: string;
  /**
   * The global `schedule`/`retry`/`dead` set (Sidekiq layout only; in the cluster layout each
   * queue has its own: use {@link Keys.setOf}).
   * @throws Error in the cluster layout.
   */
  set(name: SetName): string;
  /** ZSET: queue name → earliest due time (epoch seconds) of its `set` (cluster layout). */
  dueIndex(set: "schedule" | "retry"): string;
  /** SET of node ids that may own in-progress jobs. */
  readonly nodes: string;
  /** STRING whose presence says node `nodeId` is alive (value: its beat token), with a TTL. */
  heartbeat(nodeId: string): string;
  /** SET of the queues node `nodeId` runs. */
  nodeQueues(nodeId: string): string;
  /** STRING: the data epoch, a random value that changes only when Redis lost its data (`node-beat`). */
  readonly epoch: string;
  /** SET of paused queue names (for listing; fetch reads {@link Keys.pauseFlag}). */
  readonly paused: string;
  /** Pub/sub channel of pause/resume messages. */
  readonly control: string;
  /** SET of live process identities (Sidekiq's Busy page). */
  readonly processes: string;
  /** HASH of one process: info JSON, busy, beat, quiet, rss, rtt_us (Sidekiq). */
  process(id: string): string;
  /** HASH of a process's running jobs: `<id>:work` (Sidekiq >= 6.4.2) or `<id>:workers` (6.4.1). */
  processWork(id: string, name: "work" | "workers"): string;
  /** LIST of signals sent to a process (`TSTP`, `TERM`, `TTIN`) by Sidekiq's API and Web UI. */
  processSignals(id: string): string;
  /** STRING `stat:processed` / `stat:failed` (Sidekiq's totals). */
  statTotal(kind: "processed" | "failed"): string;
  /** STRING `stat:<kind>:YYYY-MM-DD` (Sidekiq, UTC day, 5-year TTL). */
  statDay(kind: "processed" | "failed", date: string): string;
  /** STRING `verk:stat:<kind>:queue:<q>` (Verk, lifetime per queue). */
  statQueue(kind: "processed" | "failed", queue: string): string;
  /** HASH of one minute of Verk's job metrics (`<suffix>` = `YYYYMMDD|H:M`), with a TTL. */
  metricsMinute(suffix: string): string;
  /** HASH of one minute in Sidekiq 7's metrics shape (`j|YYYYMMDD|H:M`), with a TTL. */
  sidekiqMetricsMinute(suffix: string): string;
  /** STRING: the lease holder's token, with a TTL. */
  lease(name: string): string;
  /** STRING: an exactly-once marker, with a TTL. */
  once(key: string): string;
  /** HASH: periodic job name → JSON. */
  readonly cron: string;
  /** STREAM: the capped cross-node event log. */
  readonly events: string;
  /** Pub/sub channel: "a job due at <epoch seconds> was added". */
  readonly due: string;
}

/**
 * Build the key names.
 * @param namespace - optional prefix; `undefined` or `""` means none (Sidekiq's own keys).
 * @param layout - `"sidekiq"` (Default) or `"cluster"`.
 */
export function createKeys(namespace?: string, layout: KeyLayout = "sidekiq"): Keys {
  const p = namespace ? `${namespace}:` : "";
  return layout === "cluster" ? clusterKeys(p) : sidekiqKeys(p);
}

function sidekiqKeys(p: string): Keys {
  const heartbeat = (nodeId: string) => `${p}verk:node:${nodeId}`;
  return {
    layout: "sidekiq",
    prefix: p,
    queue: (queue) => `${p}queue:${queue}`,
    inprogress: (queue, nodeId) => `${p}inprogress:${queue}:${nodeId}`,
    setOf: (name) => `${p}${name}`,
    pauseFlag: (queue) => ({ key: `${p}verk:paused`, member: queue }),
    aliveMarker: (_queue, nodeId) => heartbeat(nodeId),
    pushToken: (_queue, token) => `${p}verk:push:${token}`,
    onceMarker: (_queue, key) => `${p}verk:once:${key}`,
    outbox: (queue) => `${p}verk:outbox:${queue}`,
    queues: `${p}queues`,
    set: (name) => `${p}${name}`,
    dueIndex: (set) => `${p}verk:due-index:${set}`,
    nodes: `${p}verk_nodes`,
    heartbeat,
    nodeQueues: (nodeId) => `${p}verk:node:${nodeId}:queues`,
    epoch: `${p}verk:epoch`,
    paused: `${p}verk:paused`,
    control: `${p}verk:control`,
    processes: `${p}processes`,
    process: (id) => `${p}${id}`,
    processWork: (id, name) => `${p}${id}:${name}`,
    processSignals: (id) => `${p}${id}-signals`,
    statTotal: (kind) => `${p}stat:${kind}`,
    statDay: (kind, date) => `${p}stat:${kind}:${date}`,
    statQueue: (kind, queue) => `${p}verk:stat:${kind}:queue:${queue}`,
    metricsMinute: (suffix) => `${p}verk:j|${suffix}`,
    sidekiqMetricsMinute: (suffix) => `${p}j|${suffix}`,
    lease: (name) => `${p}verk:lease:${name}`,
    once: (key) => `${p}verk:once:${key}`,
    cron: `${p}verk:cron`,
    events: `${p}verk:events`,
    due: `${p}verk:due`,
  };
}

function clusterKeys(p: string): Keys {
  const q = (queue: string, rest: string) => `${p}verk:{${queue}}:${rest}`;
  const g = (rest: string) => `${p}{verk}:${rest}`;
  return {
    layout: "cluster",
    prefix: p,
    queue: (queue) => q(queue, "queue"),
    inprogress: (queue, nodeId) => q(queue, `inprogress:${nodeId}`),
    setOf: (name, queue) => q(queue, name),
    pauseFlag: (queue) => ({ key: q(queue, "paused"), member: "" }),
    aliveMarker: (queue, nodeId) => q(queue, `alive:${nodeId}`),
    pushToken: (queue, token) => q(queue, `push:${token}`),
    onceMarker: (queue, key) => q(queue, `once:${key}`),
    outbox: (queue) => q(queue, "outbox"),
    queues: g("queues"),
    set: (name) => {
      throw new Error(`[redis-store] the cluster key layout has one ${name} set per queue (setOf)`);
    },
    dueIndex: (set) => g(`due-index:${set}`),
    nodes: g("nodes"),
    heartbeat: (nodeId) => g(`node:${nodeId}`),
    nodeQueues: (nodeId) => g(`node:${nodeId}:queues`),
    epoch: g("epoch"),
    paused: g("paused"),
    control: g("control"),
    processes: g("processes"),
    process: (id) => g(`process:${id}`),
    processWork: (id, name) => g(`process:${id}:${name}`),
    processSignals: (id) => g(`process:${id}-signals`),
    statTotal: (kind) => g(`stat:${kind}`),
    statDay: (kind, date) => g(`stat:${kind}:${date}`),
    statQueue: (kind, queue) => g(`stat:${kind}:queue:${queue}`),
    metricsMinute: (suffix) => g(`j|${suffix}`),
    sidekiqMetricsMinute: (suffix) => g(`sidekiq-j|${suffix}`),
    lease: (name) => g(`lease:${name}`),
    once: (key) => g(`once:${key}`),
    cron: g("cron"),
    events: g("events"),
    due: g("due"),
  };
}

/**
 * Reject a queue name the cluster layout cannot tag: one starting with `}` would give its keys
 * an empty hash tag, spreading them over several slots. Returns an error message, or undefined.
 */
export function clusterQueueNameProblem(queue: string): string | undefined {
  return queue.startsWith("}")
    ? `queue name "${queue}" cannot start with "}" in the cluster key layout`
    : undefined;
}

/**
 * Throw `INVALID_JOB` (field `queue`) when a queue of `items` cannot be written in `keys`' layout
 * (see {@link clusterQueueNameProblem}); the Sidekiq layout takes every name.
 */
export function assertQueueNames(keys: Keys, items: readonly { queue: string }[]): void {
  if (keys.layout !== "cluster") return;
  for (const { queue } of items) {
    const problem = clusterQueueNameProblem(queue);
    if (problem) throw new VerkError("INVALID_JOB", `[redis-store] ${problem}`, { field: "queue" });
  }
}
