import {
  type ControlMessage,
  type DueSet,
  type EncodedJob,
  type FailOutcome,
  type NodeHandle,
  type QueueChannel,
  type ScheduledEntry,
  type StoreCapabilities,
  type StoreCounts,
  VerkError,
  type VerkStore,
} from "@verk/core";
import { Redis } from "ioredis";
import { AckBatcher } from "./ack-batcher.js";
import { redisCapabilities } from "./capabilities/index.js";
import { closeConnection, waitReady } from "./connection.js";
import { ControlSubscriber, encodeControlMessage } from "./control.js";
import { createKeys, type Keys } from "./keys.js";
import { attachLiveness } from "./nodes/liveness.js";
import {
  describeClient,
  maskUrl,
  type RedisStoreOptions,
  type ResolvedOptions,
  resolveOptions,
} from "./options.js";
import { PushBatcher } from "./push-batcher.js";
import { RedisQueueChannel } from "./queue-channel.js";
import { defineScripts, formatSeconds, runScript } from "./scripts.js";
import { attachSidekiqProcess } from "./sidekiq/process-heartbeat.js";
import { assertSupportedRedis } from "./version.js";

/** Payloads per LPUSH/ZADD command. */
const CHUNK = 1_000;

/**
 * {@link VerkStore} on Redis: Sidekiq's keys plus Verk's in-progress lists, with every
 * multi-key change done atomically by a Lua script (see `lua/`). Create it with `redisStore()`.
 */
export class RedisStore implements VerkStore {
  /** Always `"redis"`. */
  readonly kind = "redis";
  /**
   * The command connection (the `client` you passed, or the store's own). An escape hatch:
   * don't run blocking commands on it and don't close it while the store is in use.
   */
  readonly client: Redis;
  /** The key names this store uses (with the namespace applied). */
  readonly keys: Keys;
  readonly #options: ResolvedOptions;
  readonly #ownsClient: boolean;
  readonly #address: string;
  readonly #acks: AckBatcher;
  readonly #pushes: PushBatcher;
  readonly #channels = new Set<RedisQueueChannel>();
  readonly #control: ControlSubscriber;
  /** The add-on capabilities (stats counters, leases, once markers, cron registry, event log, due notifications). */
  readonly capabilities: Required<StoreCapabilities>;
  #connecting: Promise<void> | undefined;
  #closing: Promise<void> | undefined;

  /** @throws VerkError `INVALID_OPTION` for invalid options; see {@link RedisStoreOptions}. */
  constructor(options: RedisStoreOptions = {}) {
    this.#options = resolveOptions(options);
    this.keys = createKeys(this.#options.namespace);
    if (this.#options.client) {
      this.client = this.#options.client;
      this.#ownsClient = false;
    } else {
      this.client = new Redis(this.#options.url, {
        ...this.#options.redis,
        lazyConnect: true,
        enableAutoPipelining: true,
      });
      this.client.on("error", noop); // reported by connect() and by the failing commands
      this.#ownsClient = true;
    }
    this.#address =
      options.client || options.url === undefined ? describeClient(this.client) : maskUrl(this.#options.url);
    defineScripts(this.client);
    this.#acks = new AckBatcher(this.client);
    this.#pushes = new PushBatcher(this.client, this.keys);
    this.#control = new ControlSubscriber(this.keys.control, () => this.#duplicate());
    this.capabilities = redisCapabilities(this.client, this.keys, () => this.#duplicate());
  }

  /**
   * Connect the command connection and check the server version. Idempotent.
   * @throws VerkError `CONNECTION_FAILED` when Redis is not reachable within `connectTimeoutMs`
   * (the message names the URL, password masked); `UNSUPPORTED_REDIS` below Redis 6.2.
   */
  connect(): Promise<void> {
    if (this.#closing)
      return Promise.reject(new VerkError("INVALID_STATE", "[redis-store] the store is closed"));
    this.#connecting ??= this.#connect().catch((error: unknown) => {
      this.#connecting = undefined;
      throw error;
    });
    return this.#connecting;
  }

  async #connect(): Promise<void> {
    try {
      await waitReady(this.client, this.#options.connectTimeoutMs, this.#address);
    } catch (error) {
      if (this.#ownsClient) this.client.disconnect();
      throw error;
    }
    assertSupportedRedis(await this.client.info("server"));
  }

  /** Close every connection the store opened (QUIT, bounded by about 1 s each); never a passed-in `client`. Idempotent. */
  close(): Promise<void> {
    this.#closing ??= (async () => {
      await Promise.all([this.#acks.flush().catch(noop), this.#pushes.flush().catch(noop)]);
      await Promise.all([...this.#channels].map((c) => c.close()));
      await this.#control.close();
      if (this.#ownsClient) await closeConnection(this.client);
    })();
    return this.#closing;
  }

  /**
   * LPUSH jobs onto `queue:<q>` and SADD their queues to `queues`. Pushes of one event-loop turn
   * share one LPUSH per queue (1,000 payloads per command); resolves once Redis stored them.
   */
  push(jobs: readonly EncodedJob[]): Promise<void> {
    return this.#pushes.push(jobs);
  }

  /** ZADD entries to `schedule`, scored by `at` (epoch seconds, full float precision). */
  async schedule(entries: readonly ScheduledEntry[]): Promise<void> {
    const calls: Promise<unknown>[] = [];
    for (let i = 0; i < entries.length; i += CHUNK) {
      const args: string[] = [];
      for (const entry of entries.slice(i, i + CHUNK)) args.push(seconds(entry.at, "at"), entry.raw);
      calls.push(this.client.zadd(this.keys.schedule, ...args));
    }
    await Promise.all(calls);
    if (entries.length > 0) void this.capabilities.dueWatch.notify(Math.min(...entries.map((e) => e.at)));
  }

  /** Open `queue`'s fetch channel for `nodeId` on a new connection of its own. */
  openQueue(queue: string, nodeId: string): QueueChannel {
    if (this.#closing) throw new VerkError("INVALID_STATE", "[redis-store] the store is closed");
    const channel = new RedisQueueChannel(
      {
        keys: this.keys,
        control: this.client,
        createConnection: () => this.#duplicate(),
        onClose: (c) => this.#channels.delete(c),
        acks: this.#acks,
      },
      queue,
      nodeId,
    );
    this.#channels.add(channel);
    return channel;
  }

  /** Remove `raw` from the in-progress list; acks of one event-loop turn share one round trip. */
  ack(queue: string, nodeId: string, raw: Buffer): Promise<boolean> {
    return this.#acks.ack(this.keys.inprogress(queue, nodeId), raw);
  }

  /** Atomically take `raw` out of the in-progress list and apply `outcome` (script `fail`). */
  async fail(queue: string, nodeId: string, raw: Buffer, outcome: FailOutcome): Promise<boolean> {
    const keys = [this.keys.inprogress(queue, nodeId), this.keys.retry, this.keys.dead];
    let args: (string | Buffer)[];
    if (outcome.kind === "discard") args = [raw, "discard", "", "0", "0", "0"];
    else if (outcome.kind === "retry")
      args = [raw, "retry", outcome.raw, seconds(outcome.at, "at"), "0", "0"];
    else {
      const { maxJobs, maxAgeSeconds } = outcome.limits;
      const cutoff = seconds(outcome.at - maxAgeSeconds, "limits.maxAgeSeconds");
      args = [
        raw,
        "dead",
        outcome.raw,
        seconds(outcome.at, "at"),
        String(Math.max(0, Math.floor(maxJobs))),
        cutoff,
      ];
    }
    return (await runScript(this.client, "fail", keys, args)) === 1;
  }

  /** Move in-progress jobs (oldest first) back to the front of `queue` (script `requeue`). */
  async requeue(queue: string, nodeId: string, raws: readonly Buffer[]): Promise<number> {
    if (raws.length === 0) return 0;
    const keys = [this.keys.inprogress(queue, nodeId), this.keys.queue(queue)];
    return (await runScript(this.client, "requeue", keys, raws)) as number;
  }

  /** Move everything in `nodeId`'s in-progress lists back to the front of their queues, in order. */
  async recoverNode(nodeId: string): Promise<number> {
    const queues = await this.client.smembers(this.keys.nodeQueues(nodeId));
    let total = 0;
    for (const queue of queues) {
      const keys = [this.keys.inprogress(queue, nodeId), this.keys.queue(queue)];
      for (;;) {
        const [moved, remaining] = (await runScript(this.client, "recover", keys, [
          this.#options.recoverBatchSize,
        ])) as [number, number];
        total += moved;
        if (remaining === 0 || moved === 0) break;
      }
    }
    return total;
  }

  /**
   * Move up to `limit` jobs of `set` due at `now` (epoch seconds) onto their queues, setting
   * `enqueued_at` to `now`. Entries without a valid `queue` go to the dead set instead.
   * Resolves the number pushed onto queues.
   */
  async promoteDue(set: DueSet, now: number, limit: number): Promise<number> {
    if (limit < 1) return 0;
    const keys = [this.keys[set], this.keys.queues, this.keys.dead];
    const args = [seconds(now, "now"), Math.floor(limit), this.keys.prefix];
    const [moved, dead] = (await runScript(this.client, "promote", keys, args)) as [number, number];
    // Unreadable members went to the dead set; they count as taken, so a caller looping
    // "while the count equals the limit" keeps going.
    return moved + dead;
  }

  /** SADD/SREM `queue` in `verk:paused`, then PUBLISH the change on `verk:control`. */
  async setPaused(queue: string, paused: boolean): Promise<void> {
    const message = encodeControlMessage({ type: paused ? "pause" : "resume", queue });
    await Promise.all([
      paused ? this.client.sadd(this.keys.paused, queue) : this.client.srem(this.keys.paused, queue),
      this.client.publish(this.keys.control, message),
    ]);
  }

  /** The members of `verk:paused`. */
  pausedQueues(): Promise<string[]> {
    return this.client.smembers(this.keys.paused);
  }

  /** Listen to `verk:control` (one shared subscriber connection, created lazily). */
  subscribeControl(listener: (message: ControlMessage) => void): Promise<() => Promise<void>> {
    if (this.#closing)
      return Promise.reject(new VerkError("INVALID_STATE", "[redis-store] the store is closed"));
    return this.#control.subscribe(listener);
  }

  /** SADD `nodeId` to `verk_nodes` and `queues` to `verk:node:<id>:queues`. */
  async registerNode(nodeId: string, queues: readonly string[]): Promise<void> {
    const calls: Promise<unknown>[] = [this.client.sadd(this.keys.nodes, nodeId)];
    if (queues.length > 0) calls.push(this.client.sadd(this.keys.nodeQueues(nodeId), ...queues));
    await Promise.all(calls);
  }

  /**
   * Remove `nodeId` from `verk_nodes` and delete its queue set, but only when all its
   * in-progress lists are empty: otherwise the registration stays so recovery can find them.
   */
  async deregisterNode(nodeId: string): Promise<void> {
    const queues = await this.client.smembers(this.keys.nodeQueues(nodeId));
    const lengths = await Promise.all(queues.map((q) => this.client.llen(this.keys.inprogress(q, nodeId))));
    if (lengths.some((n) => n > 0)) return;
    await Promise.all([
      this.client.srem(this.keys.nodes, nodeId),
      this.client.del(this.keys.nodeQueues(nodeId)),
    ]);
  }

  /** LLEN of every queue in `queues`, and the sizes of `schedule`, `retry` and `dead`. */
  async counts(): Promise<StoreCounts> {
    const [names, schedule, retry, dead] = await Promise.all([
      this.client.smembers(this.keys.queues),
      this.client.zcard(this.keys.schedule),
      this.client.zcard(this.keys.retry),
      this.client.zcard(this.keys.dead),
    ]);
    names.sort();
    const lengths = await Promise.all(names.map((q) => this.client.llen(this.keys.queue(q))));
    const queues: Record<string, number> = {};
    names.forEach((q, i) => {
      queues[q] = lengths[i] ?? 0;
    });
    return { queues, schedule, retry, dead };
  }

  /**
   * Called by `start()`: begins the node's heartbeats (Sidekiq's process entry unless
   * `sidekiqProcess: false`). Resolves the function `stop()` calls to end them, in reverse order.
   */
  async attachNode(node: NodeHandle): Promise<() => Promise<void>> {
    const detachers: (() => Promise<void>)[] = [];
    if (this.#options.sidekiqProcess) {
      detachers.push(await attachSidekiqProcess(this.client, this.keys, node, this.#options.sidekiqProcess));
    }
    const liveness = { ...this.#options.liveness, batchSize: this.#options.recoverBatchSize };
    detachers.push(await attachLiveness(this.client, this.keys, node, liveness));
    return async () => {
      for (const detach of detachers.reverse()) await detach();
    };
  }

  /** A new connection with the command connection's options (its own error listener, lazy). */
  #duplicate(): Redis {
    const conn = this.client.duplicate({ lazyConnect: true, enableAutoPipelining: false });
    conn.on("error", noop); // surfaced through the commands that fail
    return conn;
  }
}

function seconds(value: number, field: string): string {
  if (!Number.isFinite(value)) {
    throw new VerkError(
      "INVALID_OPTION",
      `[redis-store] "${field}" must be a finite number of epoch seconds`,
      {
        field,
      },
    );
  }
  return formatSeconds(value);
}

function noop(): void {}
