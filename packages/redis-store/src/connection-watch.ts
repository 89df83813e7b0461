import type { StoreContext } from "@verk/core";
import type { RedisClient } from "./client.js";

/** How often the clock offset to Redis is measured again, in ms. */
const CLOCK_MS = 60_000;
/** How often the outage check runs (and a probe `PING` is sent when none is pending), in ms. */
const CHECK_MS = 500;

/** Settings of {@link ConnectionWatch}. */
export interface WatchSettings {
  /** Warn once Redis has been unreachable this long, in ms. */
  readonly unreachableWarnMs: number;
  /** Warn when the clocks differ by more than this, in ms. */
  readonly clockSkewWarnMs: number;
  /** How to name the server in messages (password masked). */
  readonly address: string;
}

/**
 * Watches the command connection: says (once, as a warning and an `error` event) when Redis has
 * been unreachable longer than `unreachableWarnMs` and again when it is back, notices a Redis that
 * restarted (its `run_id` changed: with no persistence its data is gone), and keeps the offset
 * between this node's clock and Redis's (`TIME`, halfway through the round trip), warning past
 * `clockSkewWarnMs`. Due times are judged by {@link ConnectionWatch.now}, the corrected clock.
 *
 * Unreachable means closed (reconnecting) or stalled: a server that keeps the connection open but
 * stops answering is noticed by a probe `PING` (one pending at a time, every 500 ms) that gets no
 * reply. A check that runs late (this process's event loop was blocked) judges nothing, since the
 * reply may be waiting unread in the socket.
 */
export class ConnectionWatch {
  readonly #client: RedisClient;
  readonly #settings: WatchSettings;
  #context: StoreContext | undefined;
  #downSince = 0;
  #warned = false;
  #runId: string | undefined;
  #offsetMs = 0;
  #skewWarned = false;
  #timer: NodeJS.Timeout | undefined;
  #clockTimer: NodeJS.Timeout | undefined;
  /** When the pending probe PING was sent (0: none pending). */
  #probeSentAt = 0;
  #lastCheckAt = 0;
  readonly #onDown = () => {
    if (this.#downSince === 0) this.#downSince = Date.now();
  };
  readonly #onReady = () => {
    void this.#back();
  };

  constructor(client: RedisClient, settings: WatchSettings) {
    this.#client = client;
    this.#settings = settings;
  }

  /** Redis's time now, epoch ms (this node's clock corrected by the measured offset). */
  now(): number {
    return Date.now() + this.#offsetMs;
  }

  /** The measured offset, Redis minus this node, in ms. */
  get offsetMs(): number {
    return this.#offsetMs;
  }

  /** Start watching (after the first successful connect); `context` receives the warnings. */
  async start(context: StoreContext | undefined): Promise<void> {
    this.#context = context ?? this.#context;
    if (this.#timer !== undefined) return;
    this.#runId = await this.#readRunId();
    await this.#measureClock();
    this.#client.on("close", this.#onDown);
    this.#client.on("reconnecting", this.#onDown);
    this.#client.on("ready", this.#onReady);
    this.#timer = setInterval(() => this.#check(), CHECK_MS);
    this.#timer.unref();
    this.#clockTimer = setInterval(() => void this.#measureClock(), CLOCK_MS);
    this.#clockTimer.unref();
  }

  /** Stop watching. */
  stop(): void {
    clearInterval(this.#timer);
    clearInterval(this.#clockTimer);
    this.#timer = undefined;
    this.#client.off("close", this.#onDown);
    this.#client.off("reconnecting", this.#onDown);
    this.#client.off("ready", this.#onReady);
  }

  #check(): void {
    const now = Date.now();
    const late = this.#lastCheckAt !== 0 && now - this.#lastCheckAt > 2 * CHECK_MS;
    this.#lastCheckAt = now;
    if (late) return;
    if (this.#probeSentAt === 0) this.#probe(now);
    else if (this.#downSince === 0 && now - this.#probeSentAt >= CHECK_MS)
      this.#downSince = this.#probeSentAt;
    if (this.#downSince === 0 || this.#warned) return;
    const downMs = now - this.#downSince;
    if (downMs < this.#settings.unreachableWarnMs) return;
    this.#warned = true;
    const message = `Redis at ${this.#settings.address} has been unreachable for ${Math.round(downMs / 1000)} s (no reply); fetches, acks and writes wait and retry (enqueues fail at their deadline, writeTimeoutMs)`;
    this.#context?.logger.warn({ address: this.#settings.address, downMs }, message);
    this.#context?.report(new Error(message), "unreachable");
  }

  /** Send a probe PING; its reply proves the server answers (ends a stall). */
  #probe(now: number): void {
    this.#probeSentAt = now;
    this.#client.ping().then(
      () => {
        this.#probeSentAt = 0;
        if (this.#downSince !== 0 && this.#client.status === "ready") void this.#back();
      },
      () => {
        this.#probeSentAt = 0;
      },
    );
  }

  async #back(): Promise<void> {
    const since = this.#downSince;
    if (since === 0) return;
    this.#downSince = 0;
    if (this.#warned) {
      const downMs = Date.now() - since;
      this.#context?.logger.warn(
        { address: this.#settings.address, downMs },
        `Redis at ${this.#settings.address} is reachable again after ${Math.round(downMs / 1000)} s`,
      );
    }
    this.#warned = false;
    const runId = await this.#readRunId();
    if (runId !== undefined && this.#runId !== undefined && runId !== this.#runId) {
      this.#context?.logger.warn(
        { address: this.#settings.address, runId, previousRunId: this.#runId },
        `Redis at ${this.#settings.address} restarted (run_id changed): without persistence its jobs are gone; nodes report it when their registration is missing`,
      );
    }
    if (runId !== undefined) this.#runId = runId;
  }

  async #readRunId(): Promise<string | undefined> {
    try {
      const info = await this.#client.info("server");
      return /^run_id:(\w+)/m.exec(info)?.[1];
    } catch {
      return undefined;
    }
  }

  async #measureClock(): Promise<void> {
    try {
      const sent = Date.now();
      const [seconds, micros] = await this.#client.time();
      const received = Date.now();
      const server = Number(seconds) * 1000 + Number(micros) / 1000;
      this.#offsetMs = server - (sent + received) / 2;
    } catch {
      return;
    }
    const skew = Math.abs(this.#offsetMs);
    if (skew > this.#settings.clockSkewWarnMs && !this.#skewWarned) {
      this.#skewWarned = true;
      this.#context?.logger.warn(
        { offsetMs: Math.round(this.#offsetMs), address: this.#settings.address },
        `this node's clock differs from Redis's by ${Math.round(this.#offsetMs)} ms (over clockSkewWarnMs ${this.#settings.clockSkewWarnMs}): due times follow Redis's clock, but the times this node writes into payloads (created_at, enqueued_at, failed_at) are off by that much; fix the clock (NTP)`,
      );
    } else if (skew <= this.#settings.clockSkewWarnMs) this.#skewWarned = false;
  }
}
