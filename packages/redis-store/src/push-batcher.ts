import type { EncodedJob } from "@verk/core";
import type { Redis } from "ioredis";
import type { Keys } from "./keys.js";

/** Payloads per LPUSH command. */
const CHUNK = 1_000;

interface QueueBatch {
  readonly raws: string[];
  readonly done: Promise<void>;
  resolve(): void;
  reject(error: unknown): void;
}

/**
 * Coalesces the pushes issued during one turn of the event loop: per queue, one `SADD queues`
 * and one multi-value `LPUSH` (1,000 payloads per command) for all of them, in call order, so
 * FIFO order is kept. A push resolves only after the LPUSH holding its jobs was acknowledged by
 * Redis; a failing queue rejects only the pushes that had jobs for that queue.
 */
export class PushBatcher {
  readonly #redis: Redis;
  readonly #keys: Keys;
  #pending = new Map<string, QueueBatch>();
  #timer: NodeJS.Immediate | undefined;
  readonly #inflight = new Set<Promise<void>>();

  constructor(redis: Redis, keys: Keys) {
    this.#redis = redis;
    this.#keys = keys;
  }

  /** Queue `jobs` for the next flush; resolves once they are all stored. */
  push(jobs: readonly EncodedJob[]): Promise<void> {
    if (jobs.length === 0) return Promise.resolve();
    let single: QueueBatch | undefined;
    let several: Set<QueueBatch> | undefined;
    for (const job of jobs) {
      const batch = this.#batch(job.queue);
      batch.raws.push(job.raw);
      if (single === undefined) single = batch;
      else if (batch !== single) {
        several ??= new Set([single]);
        several.add(batch);
      }
    }
    this.#timer ??= setImmediate(() => {
      this.flush().catch(() => {});
    });
    if (several === undefined) return single!.done;
    return Promise.all([...several].map((b) => b.done)).then(() => {});
  }

  /** Send every queued push now; resolves when all sent pushes have been answered. */
  flush(): Promise<void> {
    if (this.#timer !== undefined) {
      clearImmediate(this.#timer);
      this.#timer = undefined;
    }
    const batches = this.#pending;
    this.#pending = new Map();
    for (const [queue, batch] of batches) {
      const calls: Promise<unknown>[] = [this.#redis.sadd(this.#keys.queues, queue)];
      const key = this.#keys.queue(queue);
      const { raws } = batch;
      if (raws.length <= CHUNK) calls.push(this.#redis.lpush(key, ...raws));
      else
        for (let i = 0; i < raws.length; i += CHUNK)
          calls.push(this.#redis.lpush(key, ...raws.slice(i, i + CHUNK)));
      Promise.all(calls).then(() => batch.resolve(), batch.reject);
      const tracked: Promise<void> = batch.done.then(
        () => {
          this.#inflight.delete(tracked);
        },
        () => {
          this.#inflight.delete(tracked);
        },
      );
      this.#inflight.add(tracked);
    }
    return Promise.all([...this.#inflight]).then(() => {});
  }

  #batch(queue: string): QueueBatch {
    let batch = this.#pending.get(queue);
    if (batch === undefined) {
      let resolve!: () => void;
      let reject!: (error: unknown) => void;
      const done = new Promise<void>((res, rej) => {
        resolve = res;
        reject = rej;
      });
      batch = { raws: [], done, resolve, reject };
      this.#pending.set(queue, batch);
    }
    return batch;
  }
}
