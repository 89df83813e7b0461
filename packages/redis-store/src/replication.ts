import { VerkError } from "@verk/core";
import { isCluster, type RedisClient } from "./client.js";
import { nodeServing } from "./cluster-nodes.js";
import type { Keys } from "./keys.js";

/**
 * `waitReplicas`: after a write, Redis `WAIT` on the connection (on a Redis Cluster: the master
 * connection of the written keys' slot) that sent it, so the write resolves only once `replicas`
 * replicas have it and survives a failover of its master. Writes of one event-loop turn share one
 * `WAIT` per server. Without the option, {@link Replication.confirm} resolves at once.
 */
export class Replication {
  readonly #client: RedisClient;
  readonly #settings: { readonly replicas: number; readonly timeoutMs: number } | undefined;
  #pending = new Map<
    string,
    { keys: string[]; done: Promise<void>; resolve(): void; reject(e: unknown): void }
  >();
  #timer: NodeJS.Immediate | undefined;

  constructor(
    client: RedisClient,
    _keys: Keys,
    settings: { readonly replicas: number; readonly timeoutMs: number } | undefined,
  ) {
    this.#client = client;
    this.#settings = settings;
  }

  /** True when `waitReplicas` is set (else {@link confirm} resolves at once). */
  get active(): boolean {
    return this.#settings !== undefined;
  }

  /**
   * Resolve once the writes already sent for `written` (keys) are on enough replicas: one `WAIT`
   * per server the keys live on (on a Redis Cluster, the masters of their slots).
   * @throws VerkError `REPLICATION_TIMEOUT` when fewer replicas confirmed within the timeout.
   */
  confirm(written: readonly string[]): Promise<void> {
    if (this.#settings === undefined || written.length === 0) return Promise.resolve();
    const byServer = new Map<string, string[]>();
    for (const key of written) {
      const server = isCluster(this.#client) ? String(nodeKey(this.#client, key)) : "single";
      const list = byServer.get(server);
      if (list === undefined) byServer.set(server, [key]);
      else list.push(key);
    }
    const waits = [...byServer].map(([server, keys]) => this.#batch(server, keys));
    return waits.length === 1 ? waits[0]! : Promise.all(waits).then(() => {});
  }

  /** Join the pending WAIT of `server` (created for this event-loop turn) with `keys`. */
  #batch(server: string, keys: readonly string[]): Promise<void> {
    let batch = this.#pending.get(server);
    if (batch === undefined) {
      let resolve!: () => void;
      let reject!: (e: unknown) => void;
      const done = new Promise<void>((res, rej) => {
        resolve = res;
        reject = rej;
      });
      batch = { keys: [], done, resolve, reject };
      this.#pending.set(server, batch);
    }
    batch.keys.push(...keys);
    this.#timer ??= setImmediate(() => this.#flush());
    return batch.done;
  }

  #flush(): void {
    this.#timer = undefined;
    const batches = this.#pending;
    this.#pending = new Map();
    const { replicas, timeoutMs } = this.#settings!;
    for (const batch of batches.values()) {
      const client = this.#client;
      const connection = isCluster(client) ? nodeServing(client, batch.keys[0]!) : client;
      if (connection === undefined) {
        batch.reject(
          new VerkError(
            "REPLICATION_TIMEOUT",
            "[redis-store] waitReplicas: no master serves the written keys",
          ),
        );
        continue;
      }
      connection.wait(replicas, timeoutMs).then((acked) => {
        if (acked >= replicas) batch.resolve();
        else {
          batch.reject(
            new VerkError(
              "REPLICATION_TIMEOUT",
              `[redis-store] only ${acked} of ${replicas} replica(s) confirmed the write within ${timeoutMs} ms; it is written on the master but may be lost if it fails over now`,
            ),
          );
        }
      }, batch.reject);
    }
  }

  /** Nothing to release (kept for symmetry with the other parts). */
  async close(): Promise<void> {}
}

function nodeKey(client: RedisClient, key: string): string | undefined {
  if (!isCluster(client)) return "single";
  const node = nodeServing(client, key);
  return node ? `${node.options.host}:${node.options.port}` : undefined;
}
