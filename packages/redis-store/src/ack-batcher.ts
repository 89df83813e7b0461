import type { Redis } from "ioredis";
import { isCluster, type RedisClient } from "./client.js";
import { runScript } from "./scripts.js";

/** An ack waiting to be sent. */
export interface PendingAck {
  /** The exact bytes fetched. */
  readonly raw: Buffer;
  resolve(removed: boolean): void;
  reject(error: unknown): void;
}

/**
 * Coalesces the acks issued during one turn of the event loop: each in-progress list gets one
 * `ack` script call with all its payloads, and all those calls share one round trip.
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
   * them in its own round trip and hands the reply to {@link AckBatcher.settle}.
   */
  take(inprogressKey: string): PendingAck[] | undefined {
    const acks = this.#pending.get(inprogressKey);
    if (acks !== undefined) this.#pending.delete(inprogressKey);
    return acks;
  }

  /** Settle `acks` (from {@link AckBatcher.take}) with the reply of their `ack` script call. */
  settle(acks: readonly PendingAck[], reply: Promise<unknown>): void {
    const work = reply.then(
      (removed) => {
        acks.forEach((a, j) => {
          a.resolve((removed as number[])[j] === 1);
        });
      },
      (error: unknown) => {
        for (const a of acks) a.reject(error);
      },
    );
    const tracked = work.finally(() => this.#inflight.delete(tracked));
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
    const work: Promise<void>[] = [];
    if (batches.size > 0 && isCluster(this.#redis)) {
      // Lists of different queues live on different shards: one call per list (ioredis
      // auto-pipelines the calls bound for the same node).
      for (const [key, acks] of batches) {
        const reply = runScript(
          this.#redis,
          "ack",
          [key],
          acks.map((a) => a.raw),
        );
        this.settle(acks, reply);
      }
    } else if (batches.size > 0) {
      const pipeline = (this.#redis as Redis).pipeline();
      const groups = [...batches];
      for (const [key, acks] of groups) {
        void runScript(
          pipeline as unknown as Redis,
          "ack",
          [key],
          acks.map((a) => a.raw),
        );
      }
      work.push(
        pipeline.exec().then(
          (results) => {
            groups.forEach(([, acks], i) => {
              const [error, reply] = results?.[i] ?? [new Error("[redis-store] ack: no reply")];
              if (error) for (const a of acks) a.reject(error);
              else {
                acks.forEach((a, j) => {
                  a.resolve((reply as number[])[j] === 1);
                });
              }
            });
          },
          (error: unknown) => {
            for (const [, acks] of groups) for (const a of acks) a.reject(error);
          },
        ),
      );
    }
    const done = Promise.all([...this.#inflight, ...work]).then(() => {});
    const tracked = done.finally(() => this.#inflight.delete(tracked));
    this.#inflight.add(tracked);
    return done;
  }
}
