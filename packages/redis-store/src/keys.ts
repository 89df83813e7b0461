/**
 * Every Redis key and channel Verk uses, in one place. With a `namespace`, each name is
 * prefixed by `namespace + ":"`; without one, the keys are exactly Sidekiq's.
 */

/** Key builder for one namespace; see {@link createKeys}. */
export interface Keys {
  /** `""` or `namespace + ":"`; prepended to every key. */
  readonly prefix: string;
  /** LIST of waiting jobs of `queue` (Sidekiq): LPUSH to enqueue, taken from the right. */
  queue(queue: string): string;
  /** SET of known queue names (Sidekiq). */
  readonly queues: string;
  /** ZSET of scheduled jobs, scored by run-at time in epoch seconds (Sidekiq). */
  readonly schedule: string;
  /** ZSET of jobs waiting for a retry, scored by retry time in epoch seconds (Sidekiq). */
  readonly retry: string;
  /** ZSET of dead jobs, scored by time of death in epoch seconds (Sidekiq). */
  readonly dead: string;
  /** LIST of the jobs of `queue` that node `nodeId` is running (Verk). */
  inprogress(queue: string, nodeId: string): string;
  /** SET of node ids that may own in-progress jobs (Verk). */
  readonly nodes: string;
  /** SET of the queues node `nodeId` runs (Verk). */
  nodeQueues(nodeId: string): string;
  /** SET of paused queue names (Verk). */
  readonly paused: string;
  /** Pub/sub channel of pause/resume messages (Verk). */
  readonly control: string;
  /** SET of live process identities (Sidekiq's Busy page). */
  readonly processes: string;
  /** HASH of one process: info JSON, busy, beat, quiet, rss, rtt_us (Sidekiq). */
  process(id: string): string;
  /** HASH of a process's running jobs: `<id>:work` (Sidekiq >= 6.4.2) or `<id>:workers` (6.4.1). */
  processWork(id: string, name: "work" | "workers"): string;
  /** LIST of signals sent to a process (`TSTP`, `TERM`, `TTIN`) by Sidekiq's API and Web UI. */
  processSignals(id: string): string;
}

/**
 * Build the key names for `namespace`.
 * @param namespace - optional prefix; `undefined` or `""` means none (Sidekiq's own keys).
 */
export function createKeys(namespace?: string): Keys {
  const prefix = namespace ? `${namespace}:` : "";
  return {
    prefix,
    queue: (queue) => `${prefix}queue:${queue}`,
    queues: `${prefix}queues`,
    schedule: `${prefix}schedule`,
    retry: `${prefix}retry`,
    dead: `${prefix}dead`,
    inprogress: (queue, nodeId) => `${prefix}inprogress:${queue}:${nodeId}`,
    nodes: `${prefix}verk_nodes`,
    nodeQueues: (nodeId) => `${prefix}verk:node:${nodeId}:queues`,
    paused: `${prefix}verk:paused`,
    control: `${prefix}verk:control`,
    processes: `${prefix}processes`,
    process: (id) => `${prefix}${id}`,
    processWork: (id, name) => `${prefix}${id}:${name}`,
    processSignals: (id) => `${prefix}${id}-signals`,
  };
}
