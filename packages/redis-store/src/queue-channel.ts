import type { FetchResult, QueueChannel } from "@verk/core";
import type { Redis } from "ioredis";
import { type AckBatcher, addAckCommands } from "./ack-batcher.js";
import { isCluster, type RedisClient } from "./client.js";
import { nodeServing, sameServer } from "./cluster-nodes.js";
import { closeConnection } from "./connection.js";
import type { Keys } from "./keys.js";
import { type FetchKeys, NATIVE_FETCH_BYTES, nativeFetch } from "./native-fetch.js";
import { defineScripts, runScriptBuffer, type ScriptMode, type ScriptName } from "./scripts.js";

/** A fetch that replaces the plain one (flow control: a queue with class-wide limits, `flow/limited-fetch.ts`). */
export interface ChannelFetch {
  fetch(max: number, blockMs: number): Promise<FetchResult>;
  /** Cut a wait of `fetch` short. */
  interrupt(): void;
}

/** What a {@link RedisQueueChannel} needs from its store. */
export interface ChannelContext {
  readonly keys: Keys;
  /** A new connection of the channel's own (not connected yet). */
  createConnection(): RedisClient;
  /** The store's command connection, used to send `CLIENT UNBLOCK`. */
  readonly control: RedisClient;
  /** How scripts are registered (Redis 7 flags or not). */
  readonly scriptMode: ScriptMode;
  /** Called once when the channel closes. */
  onClose(channel: RedisQueueChannel): void;
  /** The store's ack batcher: a fetch sends the acks pending for its list in the same round trip. */
  readonly acks?: AckBatcher;
  /** Flow control: builds the fetch of a queue whose classes have class-wide limits. (Default: the plain fetch) */
  readonly limited?: (channel: RedisQueueChannel) => ChannelFetch;
}

/** True for Redis' refusal of a command that may grow memory at maxmemory (`noeviction`). */
function isOutOfMemory(error: unknown): boolean {
  return error instanceof Error && /^OOM\b/.test(error.message);
}

const EMPTY: FetchResult = Object.freeze({ paused: false, jobs: [] }) as FetchResult;
const PAUSED: FetchResult = Object.freeze({ paused: true, jobs: [] }) as FetchResult;
/** How often `interrupt()` retries `CLIENT UNBLOCK` while the BLMOVE has not reached the server yet (ms). */
const UNBLOCK_RETRY_MS = 5;
/**
 * One queue's fetch channel on its own Redis connection, so a blocking BLMOVE on one queue
 * never delays another queue or the store's other commands. On a Redis Cluster the connection
 * is a cluster client of its own; `CLIENT UNBLOCK` goes to the node that serves the queue's slot.
 */
export class RedisQueueChannel implements QueueChannel {
  readonly #ctx: ChannelContext;
  readonly #queueKey: string;
  readonly #inprogressKey: string;
  readonly #keys: string[];
  readonly #pauseMember: string;
  readonly #fetchKeys: FetchKeys;
  readonly #conn: RedisClient;
  /** The server connection the blocking BLMOVE runs on, and its `CLIENT ID`. */
  #blocker: { readonly server: Redis; id: number | undefined } | undefined;
  #blocking = false;
  #interrupted = false;
  /** Moving average of the fetched payload sizes (bytes): picks the script or the native fetch. */
  #averageBytes = 0;
  #closed: Promise<void> | undefined;
  /** Ends the wait of a fetch whose BLMOVE Redis refused at maxmemory. */
  #wake: (() => void) | undefined;
  readonly #limited: ChannelFetch | undefined;

  constructor(ctx: ChannelContext, queue: string, nodeId: string) {
    this.#ctx = ctx;
    this.#queueKey = ctx.keys.queue(queue);
    this.#inprogressKey = ctx.keys.inprogress(queue, nodeId);
    const pause = ctx.keys.pauseFlag(queue);
    this.#keys = [this.#queueKey, this.#inprogressKey, pause.key];
    this.#pauseMember = pause.member;
    this.#fetchKeys = {
      queueKey: this.#queueKey,
      inprogressKey: this.#inprogressKey,
      pauseKey: pause.key,
      pauseMember: pause.member,
    };
    this.#conn = ctx.createConnection();
    defineScripts(this.#conn, ctx.scriptMode);
    if (!isCluster(this.#conn)) {
      const server = this.#conn;
      this.#blocker = { server, id: undefined };
      server.on("ready", () => {
        this.#blocker = { server, id: undefined };
      });
    }
    this.#limited = ctx.limited?.(this);
  }

  /** The channel's own connection (for tests and diagnostics). */
  get connection(): RedisClient {
    return this.#conn;
  }

  /**
   * Move up to `max` jobs into the in-progress list; when none waits, block up to `blockMs`
   * milliseconds (BLMOVE) for one, then top the batch up. Resolves `{ paused: true }` when the
   * queue is paused and no jobs after `interrupt()`, a timeout or `close()`.
   */
  async fetch(max: number, blockMs: number): Promise<FetchResult> {
    if (this.#closed || max < 1) return EMPTY;
    this.#interrupted = false;
    if (this.#limited) return this.#limited.fetch(max, blockMs);
    const first = this.#native()
      ? await nativeFetch(this.#conn, this.#fetchKeys, this.#ctx.acks, max, undefined)
      : await this.#scriptFetch(max);
    if (first.paused) return PAUSED;
    if (first.jobs.length > 0) return this.#observe(first);
    if (blockMs <= 0 || this.#interrupted || this.#closed) return EMPTY;
    await this.#prepareBlocker();
    this.#blocking = true;
    let job: Buffer | null;
    try {
      job = await this.#conn.blmoveBuffer(
        this.#queueKey,
        this.#inprogressKey,
        "RIGHT",
        "LEFT",
        blockMs / 1000,
      );
    } catch (error) {
      if (!isOutOfMemory(error)) throw error;
      // At maxmemory Redis refuses BLMOVE (it may grow memory) even on an empty queue: wait as
      // the block would have, then fetch again with the script, which is allowed (allow-oom).
      this.#blocking = false;
      await this.#idle(blockMs);
      return EMPTY;
    } finally {
      this.#blocking = false;
    }
    if (job === null) return EMPTY;
    if (this.#native() || job.length >= NATIVE_FETCH_BYTES)
      return this.#observe(await nativeFetch(this.#conn, this.#fetchKeys, this.#ctx.acks, max - 1, job));
    const rest = (await runScriptBuffer(this.#conn, "claim-blocked", this.#keys, [
      this.#pauseMember,
      job,
      max - 1,
    ])) as [number, ...Buffer[]];
    return rest[0] === 1 ? PAUSED : this.#observe({ paused: false, jobs: rest.slice(1) as Buffer[] });
  }

  #native(): boolean {
    return this.#averageBytes >= NATIVE_FETCH_BYTES;
  }

  #observe(result: FetchResult): FetchResult {
    if (result.jobs.length === 0) return result;
    const mean = result.jobs.reduce((sum, job) => sum + job.length, 0) / result.jobs.length;
    this.#averageBytes = this.#averageBytes === 0 ? mean : 0.7 * this.#averageBytes + 0.3 * mean;
    return result;
  }

  /** Fetch with the `fetch` script (one round trip, the pending acks in the same pipeline). */
  async #scriptFetch(max: number): Promise<FetchResult> {
    const reply = (await this.#ackAndFetch(max)) as [number, ...Buffer[]];
    return reply[0] === 1 ? PAUSED : { paused: false, jobs: reply.slice(1) as Buffer[] };
  }

  /**
   * Run the `fetch` script; when acks of this node's in-progress list are waiting in the store's
   * batcher, send their `ack` script call first in the same pipeline (one write, one round trip;
   * both keys share the queue's slot, so this holds on a Redis Cluster too).
   */
  #ackAndFetch(max: number): Promise<unknown> {
    return this.ackAndRun("fetch", this.#keys, [this.#pauseMember, max]);
  }

  /**
   * Run script `name` (a fetch: its reply's strings as Buffers) on the channel's connection, with
   * the acks pending for this node's in-progress list sent first in the same pipeline.
   */
  ackAndRun(
    name: ScriptName,
    keys: readonly string[],
    args: readonly (string | number | Buffer)[],
  ): Promise<unknown> {
    const acks = this.#ctx.acks?.take(this.#inprogressKey);
    if (acks === undefined) return runScriptBuffer(this.#conn, name, keys, args);
    const pipeline = this.#conn.pipeline();
    const part = addAckCommands(pipeline, this.#inprogressKey, acks);
    void runScriptBuffer(pipeline as unknown as Redis, name, keys, args);
    const results = pipeline.exec();
    this.#ctx.acks!.track(
      results.then(
        (all) => part.settle((all ?? []).slice(0, part.replies) as [Error | null, unknown][]),
        (error: unknown) => {
          for (const a of acks) a.reject(error);
        },
      ),
    );
    return results.then((all) => {
      const [error, value] = all?.[part.replies] ?? [new Error("[redis-store] pipeline: no reply")];
      if (error) throw error;
      return value;
    });
  }

  /** True once `interrupt()` or `close()` was called during the current fetch. */
  get cut(): boolean {
    return this.#interrupted || this.#closed !== undefined;
  }

  /** Run a blocking command on the channel's connection so that `interrupt()` and `close()` can cut it short. */
  async blocking<T>(command: (connection: RedisClient) => Promise<T>): Promise<T> {
    await this.#prepareBlocker();
    this.#blocking = true;
    try {
      return await command(this.#conn);
    } finally {
      this.#blocking = false;
    }
  }

  /** Find the server connection the BLMOVE will use and its `CLIENT ID` (cached until it changes). */
  async #prepareBlocker(): Promise<void> {
    if (isCluster(this.#conn)) {
      const server = nodeServing(this.#conn, this.#queueKey);
      if (server === undefined) return;
      if (this.#blocker?.server !== server) this.#blocker = { server, id: undefined };
    }
    const blocker = this.#blocker;
    if (blocker === undefined || blocker.id !== undefined) return;
    blocker.id = await blocker.server.client("ID").then(Number, () => undefined);
  }

  /** Cut a pending blocking fetch short with `CLIENT UNBLOCK` (sent on the command connection). */
  interrupt(): void {
    this.#interrupted = true;
    this.#wake?.();
    this.#limited?.interrupt();
    if (this.#blocking) void this.#unblock();
  }

  /** Wait `ms` (cut short by `interrupt()`/`close()`): the block Redis refused under maxmemory. */
  #idle(ms: number): Promise<void> {
    if (this.#interrupted || this.#closed) return Promise.resolve();
    return new Promise((resolve) => {
      const timer = setTimeout(() => this.#wake?.(), ms);
      this.#wake = () => {
        clearTimeout(timer);
        this.#wake = undefined;
        resolve();
      };
    });
  }

  async #unblock(): Promise<void> {
    // The BLMOVE may still be on its way to the server: retry until it is unblocked or has returned.
    while (this.#blocking) {
      const blocker = this.#blocker;
      if (blocker?.id !== undefined) {
        const control = this.#ctx.control;
        const via = isCluster(control)
          ? control.nodes("master").find((node) => sameServer(node, blocker.server))
          : control;
        const unblocked = await via?.client("UNBLOCK", blocker.id).catch(() => 0);
        if (unblocked === 1) return;
      }
      await new Promise((resolve) => setTimeout(resolve, UNBLOCK_RETRY_MS));
    }
  }

  /** Interrupt any pending fetch and close the connection (QUIT, bounded by 1 s). Idempotent. */
  close(): Promise<void> {
    if (!this.#closed) {
      this.interrupt();
      this.#closed = (async () => {
        if (this.#blocking) await this.#waitUnblocked();
        await closeConnection(this.#conn);
        this.#ctx.onClose(this);
      })();
    }
    return this.#closed;
  }

  async #waitUnblocked(): Promise<void> {
    const deadline = Date.now() + 1_000;
    while (this.#blocking && Date.now() < deadline) await new Promise((r) => setTimeout(r, UNBLOCK_RETRY_MS));
  }
}
