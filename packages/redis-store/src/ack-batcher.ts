import type { ChainableCommander, Redis } from "ioredis";
import { isCluster, type RedisClient } from "./client.js";
import { runScript } from "./scripts.js";

/**
 * Acks of payloads at least this long (bytes) are sent as plain `LREM` commands rather than
 * through the `ack` script: Redis copies every script argument into Lua and back, which for large
 * payloads costs far more Redis time than the command itself (measured: about 12 ms against
 * 0.5 ms for 50 acks of 200 KB). Below it, one script call per batch is cheaper.
 */
export const NATIVE_ACK_BYTES = 16 * 1024;

/** An ack waiting to be sent. */
export interface PendingAck {
  /** The exact bytes fetched. */
  readonly raw: Buffer;
  resolve(removed: boolean): void;
  reject(error: unknown): void;
}

type Reply = [Error | null, unknown];

/**
 * Add the commands acking `acks` of in-progress list `key` to `pipeline`: one `ack` script call
 * for the small payloads, one `LREM key -1 <bytes>` per large one. Returns how many replies they
 * produce and a function settling the acks from those replies (in order).
 */
export function addAckCommands(
  pipeline: ChainableCommander,
  key: string,
  acks: readonly PendingAck[],
): { readonly replies: number; settle(replies: readonly Reply[]): void } {
  const small = acks.filter((a) => a.raw.length < NATIVE_ACK_BYTES);
  const large = acks.filter((a) => a.raw.length >= NATIVE_ACK_BYTES);
  if (small.length > 0) {
    void runScript(
      pipeline as unknown as Redis,
      "ack",
      [key],
      small.map((a) => a.raw),
    );
  }
  for (const a of large) pipeline.lrem(key, -1, a.raw);
  return {
    replies: (small.length > 0 ? 1 : 0) + large.length,
    settle(replies) {
      let i = 0;
      if (small.length > 0) {
        const [error, removed] = replies[i++] ?? [new Error("[redis-store] ack: no reply"), undefined];
        small.forEach((a, j) => {
          if (error) a.reject(error);
          else a.resolve((removed as number[])[j] === 1);
        });
      }
      for (const a of large) {
        const [error, removed] = replies[i++] ?? [new Error("[redis-store] ack: no reply"), undefined];
        if (error) a.reject(error);
        else a.resolve(Number(removed) > 0);
      }
    },
  };
}

/**
 * Coalesces the acks issued during one turn of the event loop: each in-progress list gets one
 * `ack` script call with all its (small) payloads, and all calls of a server share one round trip.
 * A fetch on a list takes its pending acks into its own round trip instead ({@link AckBatcher.take}).
 */
export class AckBatcher {
  readonly #redis: RedisClient;
  #pending = new Map<string, PendingAck[]>();
  #timer: NodeJS.Immediate | undefined;
  #inflight = new Set<Promise<void>>();

  constructor(redis: RedisClient) {
    this.#redis = redis;
  }

  /** Queue an ack of `raw` in `inprogressKey`; resolves true when it was removed. */
  ack(inprogressKey: string, raw: Buffer): Promise<boolean> {
    return new Promise<boolean>((resolve, reject) => {
      let list = this.#pending.get(inprogressKey);
      if (list === undefined) {
        list = [];
        this.#pending.set(inprogressKey, list);
      }
      list.push({ raw, resolve, reject });
      this.#timer ??= setImmediate(() => this.flush());
    });
  }

  /**
   * Take the acks queued for `inprogressKey` out of the next flush: a fetch on that list sends
   * them in its own round trip and hands the replies to {@link AckBatcher.track}.
   */
  take(inprogressKey: string): PendingAck[] | undefined {
    const acks = this.#pending.get(inprogressKey);
    if (acks !== undefined) this.#pending.delete(inprogressKey);
    return acks;
  }

  /** Keep `work` (acks sent elsewhere) among the writes {@link AckBatcher.flush} waits for. */
  track(work: Promise<unknown>): void {
    const tracked: Promise<void> = work.then(
      () => {
        this.#inflight.delete(tracked);
      },
      () => {
        this.#inflight.delete(tracked);
      },
    );
    this.#inflight.add(tracked);
  }

  /** Send every queued ack now; resolves when their replies have arrived. */
  flush(): Promise<void> {
    if (this.#timer !== undefined) {
      clearImmediate(this.#timer);
      this.#timer = undefined;
    }
    const batches = this.#pending;
    this.#pending = new Map();
    // Lists of different queues live on different shards of a cluster: one pipeline per list
    // there; on one Redis, one pipeline for all.
    const groups = isCluster(this.#redis)
      ? [...batches].map((b) => [b])
      : batches.size > 0
        ? [[...batches]]
        : [];
    for (const group of groups) {
      const pipeline = this.#redis.pipeline();
      const parts = group.map(([key, acks]) => addAckCommands(pipeline, key, acks));
      const all = group.flatMap(([, acks]) => acks);
      this.track(
        pipeline.exec().then(
          (results) => {
            let offset = 0;
            for (const part of parts) {
              part.settle((results ?? []).slice(offset, offset + part.replies) as Reply[]);
              offset += part.replies;
            }
          },
          (error: unknown) => {
            for (const a of all) a.reject(error);
          },
        ),
      );
    }
    return Promise.all([...this.#inflight]).then(() => {});
  }
}
