import { randomBytes } from "node:crypto";
import type { EncodedJob } from "@verk/core";
import type { RedisClient } from "./client.js";
import type { Keys } from "./keys.js";
import { runScript } from "./scripts.js";

/** Payloads per `push` script call. */
const CHUNK = 1_000;
/** How long a batch token lets a re-sent push be recognised, in ms (a safety net: tokens are deleted once acknowledged). */
const TOKEN_TTL_MS = 10 * 60 * 1000;
/** Acknowledged tokens deleted per push call. */
const DELETES_PER_CALL = 16;

interface QueueBatch {
  readonly raws: string[];
  readonly done: Promise<void>;
  resolve(): void;
  reject(error: unknown): void;
}

/**
 * Coalesces the pushes issued during one turn of the event loop: per queue, one `push` script
 * call (1,000 payloads per call) for all of them, in call order, so FIFO order is kept. Each call
 * claims a random batch token in the same step as its LPUSH: when the connection drops with the
 * call in flight and the client re-sends it after reconnecting, the re-sent call finds its token
 * and pushes nothing, so a batch is never written twice. Tokens whose reply arrived are deleted
 * by the next call (their TTL is a safety net). A push resolves only after Redis stored its jobs;
 * a failing queue rejects only the pushes that had jobs for that queue.
 */
export class PushBatcher {
  readonly #redis: RedisClient;
  readonly #keys: Keys;
  #pending = new Map<string, QueueBatch>();
  #timer: NodeJS.Immediate | undefined;
  readonly #inflight = new Set<Promise<void>>();
  /** Per queue: token keys whose push was acknowledged (no longer needed). */
  readonly #acknowledged = new Map<string, string[]>();
  /**
   * Batch tokens are this batcher's random prefix (72 bits, drawn once) and a counter: unique
   * across processes and calls without a CSPRNG call per batch.
   */
  readonly #tokenPrefix = `${randomBytes(9).toString("base64url")}.`;
  #tokenSeq = 0;

  constructor(redis: RedisClient, keys: Keys) {
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
      const calls: Promise<unknown>[] = [];
      const { raws } = batch;
      for (let i = 0; i < raws.length; i += CHUNK) calls.push(this.#call(queue, raws.slice(i, i + CHUNK)));
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

  /** Delete the tokens of acknowledged batches now (at close: they are only needed while a call is in flight). */
  async cleanup(): Promise<void> {
    const tokens = [...this.#acknowledged.values()].flat();
    this.#acknowledged.clear();
    await Promise.all(tokens.map((token) => this.#redis.del(token)));
  }

  async #call(queue: string, raws: string[]): Promise<void> {
    const keys = this.#keys;
    const tokenKey = keys.pushToken(queue, `${this.#tokenPrefix}${(++this.#tokenSeq).toString(36)}`);
    const list = keys.queue(queue);
    const cluster = keys.layout === "cluster";
    const done = this.#acknowledged.get(queue)?.splice(0, DELETES_PER_CALL) ?? [];
    const call = runScript(
      this.#redis,
      "push",
      [tokenKey, list, cluster ? list : keys.queues, ...done],
      [TOKEN_TTL_MS, cluster ? "none" : "registry", queue, ...raws],
    );
    // The registry lives in another slot in the cluster layout: add the name next to the push.
    await Promise.all([call, cluster ? this.#redis.sadd(keys.queues, queue) : undefined]);
    let acknowledged = this.#acknowledged.get(queue);
    if (acknowledged === undefined) {
      acknowledged = [];
      this.#acknowledged.set(queue, acknowledged);
    }
    acknowledged.push(tokenKey);
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
