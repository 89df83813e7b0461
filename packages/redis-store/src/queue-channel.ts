import type { FetchResult, QueueChannel } from "@verk/core";
import type { Redis } from "ioredis";
import type { AckBatcher } from "./ack-batcher.js";
import { closeConnection } from "./connection.js";
import type { Keys } from "./keys.js";
import { defineScripts, runScript, runScriptBuffer } from "./scripts.js";

/** What a {@link RedisQueueChannel} needs from its store. */
export interface ChannelContext {
  readonly keys: Keys;
  /** A new connection of the channel's own (not connected yet). */
  createConnection(): Redis;
  /** The store's command connection, used to send `CLIENT UNBLOCK`. */
  readonly control: Redis;
  /** Called once when the channel closes. */
  onClose(channel: RedisQueueChannel): void;
  /** The store's ack batcher: a fetch sends the acks pending for its list in the same round trip. */
  readonly acks?: AckBatcher;
}

const EMPTY: FetchResult = Object.freeze({ paused: false, jobs: [] }) as FetchResult;
const PAUSED: FetchResult = Object.freeze({ paused: true, jobs: [] }) as FetchResult;
/** How often `interrupt()` retries `CLIENT UNBLOCK` while the BLMOVE has not reached the server yet (ms). */
const UNBLOCK_RETRY_MS = 5;

/**
 * One queue's fetch channel on its own Redis connection, so a blocking BLMOVE on one queue
 * never delays another queue or the store's other commands.
 */
export class RedisQueueChannel implements QueueChannel {
  readonly #ctx: ChannelContext;
  readonly #queue: string;
  readonly #queueKey: string;
  readonly #inprogressKey: string;
  readonly #conn: Redis;
  /** `CLIENT ID` of the connection, refreshed on every (re)connect. */
  #clientId: number | undefined;
  #blocking = false;
  #interrupted = false;
  #closed: Promise<void> | undefined;

  constructor(ctx: ChannelContext, queue: string, nodeId: string) {
    this.#ctx = ctx;
    this.#queue = queue;
    this.#queueKey = ctx.keys.queue(queue);
    this.#inprogressKey = ctx.keys.inprogress(queue, nodeId);
    this.#conn = ctx.createConnection();
    defineScripts(this.#conn);
    this.#conn.on("ready", () => {
      this.#clientId = undefined;
      this.#conn.client("ID").then(
        (id) => {
          this.#clientId = Number(id);
        },
        () => {},
      );
    });
  }

  /** The channel's own connection (for tests and diagnostics). */
  get connection(): Redis {
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
    const keys = [this.#queueKey, this.#inprogressKey, this.#ctx.keys.paused];
    const first = (await this.#ackAndFetch(keys, max)) as [number, ...Buffer[]];
    if (first[0] === 1) return PAUSED;
    if (first.length > 1) return { paused: false, jobs: first.slice(1) as Buffer[] };
    if (blockMs <= 0 || this.#interrupted || this.#closed) return EMPTY;

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
    } finally {
      this.#blocking = false;
    }
    if (job === null) return EMPTY;
    const rest = (await runScriptBuffer(this.#conn, "claim-blocked", keys, [this.#queue, job, max - 1])) as [
      number,
      ...Buffer[],
    ];
    return rest[0] === 1 ? PAUSED : { paused: false, jobs: rest.slice(1) as Buffer[] };
  }

  /**
   * Run the `fetch` script; when acks of this node's in-progress list are waiting in the store's
   * batcher, send their `ack` script call first in the same pipeline (one write, one round trip).
   */
  #ackAndFetch(keys: string[], max: number): Promise<unknown> {
    const acks = this.#ctx.acks?.take(this.#inprogressKey);
    if (acks === undefined) return runScriptBuffer(this.#conn, "fetch", keys, [this.#queue, max]);
    const pipeline = this.#conn.pipeline();
    void runScript(
      pipeline as unknown as Redis,
      "ack",
      [this.#inprogressKey],
      acks.map((a) => a.raw),
    );
    void runScriptBuffer(pipeline as unknown as Redis, "fetch", keys, [this.#queue, max]);
    const results = pipeline.exec();
    const reply = (i: number) =>
      results.then((all) => {
        const [error, value] = all?.[i] ?? [new Error("[redis-store] pipeline: no reply")];
        if (error) throw error;
        return value;
      });
    this.#ctx.acks!.settle(acks, reply(0));
    return reply(1);
  }

  /** Cut a pending blocking fetch short with `CLIENT UNBLOCK` (sent on the command connection). */
  interrupt(): void {
    this.#interrupted = true;
    if (this.#blocking) void this.#unblock();
  }

  async #unblock(): Promise<void> {
    // The BLMOVE may still be on its way to the server: retry until it is unblocked or has returned.
    while (this.#blocking) {
      const id = this.#clientId;
      if (id !== undefined) {
        const unblocked = await this.#ctx.control.client("UNBLOCK", id).catch(() => 0);
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
