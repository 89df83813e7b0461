import type { FetchResult, LimitSpec, QueueChannelOptions } from "@verk/core";
import type { Keys } from "../keys.js";
import type { ChannelFetch, RedisQueueChannel } from "../queue-channel.js";
import type { FlowKeys } from "./keys.js";

const EMPTY: FetchResult = Object.freeze({ paused: false, jobs: [] }) as FetchResult;
const PAUSED: FetchResult = Object.freeze({ paused: true, jobs: [] }) as FetchResult;

/** Class names that can be searched for verbatim in a payload (no JSON escaping can change them). */
const PLAIN_NAME = /^[A-Za-z0-9_:.$/ -]+$/;

/** Default slot TTL when the node gave none, ms (the default liveness TTL). */
const DEFAULT_SLOT_TTL_MS = 30_000;

/**
 * The fetch of a queue whose classes have class-wide limits (`lua/fetch-limited.lua`). Jobs move
 * into the in-progress list only while the next one's limit allows it; when the head job is over
 * its limit the fetch waits, without polling, then returns nothing (the runner fetches again):
 * - rate: a timer until the window's next slot (from the server's clock), cut short by `interrupt()`;
 * - concurrency: a blocking `BLPOP` on the limit's wake list, which `limit-release` feeds when a
 *   slot frees anywhere, bounded by `blockMs` (slots freed by expiry are seen on the next fetch).
 * An empty queue blocks on `BLMOVE` as the plain fetch does; the job it returns is then checked,
 * and put back at the front of the queue when it is over its limit.
 */
export class LimitedFetch implements ChannelFetch {
  readonly #channel: RedisQueueChannel;
  readonly #queueKey: string;
  readonly #inprogressKey: string;
  readonly #scriptKeys: string[];
  readonly #baseArgs: (string | number)[];
  readonly #limitArgs: (string | number)[];
  readonly #wakeKeys: Map<string, string>;
  #sleep: { timer: NodeJS.Timeout; resolve: () => void } | undefined;

  constructor(
    channel: RedisQueueChannel,
    keys: Keys,
    flow: FlowKeys,
    queue: string,
    nodeId: string,
    options: QueueChannelOptions,
  ) {
    this.#channel = channel;
    this.#queueKey = keys.queue(queue);
    this.#inprogressKey = keys.inprogress(queue, nodeId);
    const pause = keys.pauseFlag(queue);
    const limits: readonly LimitSpec[] = options.limits ?? [];
    this.#scriptKeys = [this.#queueKey, this.#inprogressKey, pause.key, flow.counters(queue)];
    this.#limitArgs = [];
    this.#wakeKeys = new Map();
    for (const limit of limits) {
      this.#scriptKeys.push(
        flow.limit(queue, limit.className, undefined, "running"),
        flow.limit(queue, limit.className, undefined, "starts"),
      );
      this.#limitArgs.push(
        limit.className,
        PLAIN_NAME.test(limit.className) ? JSON.stringify(limit.className) : "",
        limit.concurrency ?? 0,
        limit.rate ?? 0,
        limit.perMs ?? 0,
      );
      this.#wakeKeys.set(limit.className, flow.limit(queue, limit.className, undefined, "wake"));
    }
    this.#baseArgs = [pause.member, 0, nodeId, Math.ceil(options.slotTtlMs ?? DEFAULT_SLOT_TTL_MS)];
  }

  async fetch(max: number, blockMs: number): Promise<FetchResult> {
    const first = await this.#run(max, "");
    if (first.paused || first.jobs.length > 0) return first;
    if (first.waitMs > 0) return this.#wait(first, blockMs);
    if (blockMs <= 0 || this.#channel.cut) return EMPTY;
    // The queue is empty: block for its next job as the plain fetch does, then check its limit.
    const job = await this.#channel.blocking((conn) =>
      conn.blmoveBuffer(this.#queueKey, this.#inprogressKey, "RIGHT", "LEFT", blockMs / 1000),
    );
    if (job === null) return EMPTY;
    const rest = await this.#run(max, job);
    if (rest.paused || rest.jobs.length > 0) return rest;
    return rest.waitMs > 0 ? this.#wait(rest, blockMs) : EMPTY;
  }

  interrupt(): void {
    const sleep = this.#sleep;
    this.#sleep = undefined;
    if (sleep) {
      clearTimeout(sleep.timer);
      sleep.resolve();
    }
  }

  async #run(
    max: number,
    blocked: Buffer | "",
  ): Promise<FetchResult & { waitMs: number; reason: string; className?: string }> {
    const args = [...this.#baseArgs, blocked, ...this.#limitArgs];
    args[1] = max;
    const reply = (await this.#channel.ackAndRun("fetch-limited", this.#scriptKeys, args)) as [
      number,
      number?,
      Buffer?,
      ...Buffer[],
    ];
    if (reply[0] === 1) return { ...PAUSED, waitMs: 0, reason: "" };
    const jobs = reply.slice(3) as Buffer[];
    return { paused: false, jobs, waitMs: Number(reply[1] ?? 0), reason: String(reply[2] ?? "") };
  }

  /** Wait until the limit next allows the head job (at most `blockMs`), then resolve no jobs. */
  async #wait(limited: { waitMs: number; reason: string }, blockMs: number): Promise<FetchResult> {
    if (this.#channel.cut) return EMPTY;
    const waitMs = Math.min(limited.waitMs, Math.max(1, blockMs));
    if (limited.reason === "concurrency" && this.#wakeKeys.size > 0) {
      // Any class's release wakes the fetch; it then checks the head again.
      const wake = [...this.#wakeKeys.values()];
      await this.#channel.blocking((conn) => conn.blpop(...wake, Math.max(0.001, waitMs / 1000)));
      return EMPTY;
    }
    await new Promise<void>((resolve) => {
      this.#sleep = { timer: setTimeout(resolve, waitMs), resolve };
    });
    this.#sleep = undefined;
    return EMPTY;
  }
}
