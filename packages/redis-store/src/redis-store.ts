import type {
  ControlMessage,
  DueSet,
  EncodedJob,
  FailOutcome,
  NodeHandle,
  QueueChannel,
  QueueChannelOptions,
  ScheduledEntry,
  StoreCapabilities,
  StoreContext,
  StoreCounts,
  VerkStore,
} from "@verk/core";
import { VerkError } from "@verk/core";
import { AckBatcher } from "./ack-batcher.js";
import { redisCapabilities } from "./capabilities/index.js";
import { connectionSpec, createClient, duplicateClient, type RedisClient } from "./client.js";
import { closeConnection } from "./connection.js";
import { ConnectionWatch } from "./connection-watch.js";
import { ControlSubscriber } from "./control.js";
import { mapped, storeClosed, storeError } from "./errors.js";
import { StoreFlow } from "./flow/store-flow.js";
import { assertQueueNames, createKeys, type Keys } from "./keys.js";
import { duePromoter } from "./moves/due-promoter.js";
import { NativePromoter } from "./moves/promote-native.js";
import { redisNodes } from "./nodes/registry.js";
import { type RedisStoreOptions, type ResolvedOptions, resolveOptions } from "./options.js";
import { PushBatcher } from "./push-batcher.js";
import { RedisQueueChannel } from "./queue-channel.js";
import { queueKnown } from "./queue-known.js";
import { Replication } from "./replication.js";
import { defineScripts, type ScriptMode } from "./scripts.js";
import { attachSidekiqProcess } from "./sidekiq/process-heartbeat.js";
import { connectStore, storeAddress } from "./store-connect.js";
import * as ops from "./store-ops.js";

/**
 * {@link VerkStore} on Redis: Sidekiq's keys (or, on a Redis Cluster, one hash tag per queue)
 * plus Verk's in-progress lists, with every multi-key change done atomically by a Lua script
 * that receives all its keys (see `lua/`). Create it with `redisStore()`.
 */
export class RedisStore implements VerkStore {
  /** Always `"redis"`. */
  readonly kind = "redis";
  /**
   * The command connection (the `client` you passed, or the store's own; a `Cluster` client on
   * Redis Cluster). An escape hatch: don't run blocking commands on it and don't close it while
   * the store is in use.
   */
  readonly client: RedisClient;
  /** The key names this store uses (namespace and layout applied). */
  readonly keys: Keys;
  readonly #options: ResolvedOptions;
  readonly #ownsClient: boolean;
  readonly #address: string;
  readonly #acks: AckBatcher;
  readonly #pushes: PushBatcher;
  readonly #flow: StoreFlow;
  readonly #channels = new Set<RedisQueueChannel>();
  readonly #control: ControlSubscriber;
  readonly #watch: ConnectionWatch;
  readonly #replication: Replication;
  readonly #promoter: ReturnType<typeof duePromoter>;
  readonly #native: NativePromoter;
  #scriptMode: ScriptMode = { flags: false };
  /** The add-on capabilities (stats counters, leases, once markers, cron registry, event log, due notifications, nodes). */
  readonly capabilities: Required<StoreCapabilities>;
  #connecting: Promise<void> | undefined;
  #closing: Promise<void> | undefined;

  /** @throws VerkError `INVALID_OPTION` for invalid options; see {@link RedisStoreOptions}. */
  constructor(options: RedisStoreOptions = {}) {
    this.#options = resolveOptions(options);
    this.keys = createKeys(this.#options.namespace, this.#options.layout);
    const { topology } = this.#options;
    this.client = createClient(topology);
    this.#ownsClient = !(topology.kind === "single" && topology.client !== undefined);
    if (this.#ownsClient) this.client.on("error", noop); // reported by connect() and by the failing commands
    this.#address = storeAddress(this.client, topology);
    defineScripts(this.client, this.#scriptMode);
    this.#acks = new AckBatcher(this.client);
    this.#pushes = new PushBatcher(this.client, this.keys);
    this.#control = new ControlSubscriber(this.keys.control, () => this.#duplicate());
    this.#watch = new ConnectionWatch(this.client, {
      unreachableWarnMs: this.#options.unreachableWarnMs,
      clockSkewWarnMs: this.#options.clockSkewWarnMs,
      address: this.#address,
    });
    this.#replication = new Replication(this.client, this.keys, this.#options.waitReplicas);
    this.#native = new NativePromoter(this.#duplicate(), this.keys);
    this.#promoter = duePromoter(this.client, this.keys, this.#native);
    this.#flow = new StoreFlow({
      client: this.client,
      keys: this.keys,
      checkQueues: (items) => assertQueueNames(this.keys, items),
      confirm: (keys) => this.#replication.confirm(keys),
      notifyDue: (at) => void this.capabilities.dueWatch.notify(at),
    });
    this.capabilities = {
      ...redisCapabilities(this.client, this.keys, () => this.#duplicate()),
      nodes: redisNodes({
        client: this.client,
        keys: this.keys,
        defaults: this.#options.livenessGiven,
        connectionSpec: () => connectionSpec(this.client),
      }),
      flow: this.#flow.capability,
    };
  }

  /**
   * Connect the command connection and check the server. Idempotent.
   * @throws VerkError `CONNECTION_FAILED` when Redis is not reachable within `connectTimeoutMs`
   * (the message names the URL, password masked); `UNSUPPORTED_REDIS` below Redis 6.2;
   * `INVALID_OPTION` for a database index the server does not have, or a Redis Cluster node
   * given as a plain URL.
   */
  connect(context?: StoreContext): Promise<void> {
    if (this.#closing)
      return Promise.reject(new VerkError("INVALID_STATE", "[redis-store] the store is closed"));
    this.#connecting ??= connectStore(this.client, this.#options, this.#address, this.#ownsClient)
      .then(async (server) => {
        this.#scriptMode = { flags: server.major >= 7 };
        defineScripts(this.client, this.#scriptMode);
        await this.#watch.start(context);
      })
      .catch((error: unknown) => {
        this.#connecting = undefined;
        throw error;
      });
    return this.#connecting;
  }

  /** Close every connection the store opened (QUIT, bounded by about 1 s each); never a passed-in `client`. Idempotent. */
  close(): Promise<void> {
    this.#closing ??= (async () => {
      this.#watch.stop();
      this.#flow.flush();
      await Promise.all([this.#acks.flush().catch(noop), this.#pushes.flush().catch(noop)]);
      await Promise.all([this.#pushes.cleanup().catch(noop), this.#flow.cleanup().catch(noop)]);
      await Promise.all([...this.#channels].map((c) => c.close()));
      await this.#control.close();
      await this.#replication.close();
      await this.#native.close();
      if (this.#ownsClient) await closeConnection(this.client);
    })();
    return this.#closing;
  }

  /** Redis's time now (epoch ms): due times are judged by it. */
  now(): number {
    return this.#watch.now();
  }

  /**
   * Push jobs onto their queues and register the queues. Pushes of one event-loop turn share one
   * `push` script call per queue (1,000 payloads per call, exactly once even if re-sent after a
   * lost reply); resolves once Redis stored them (and, with `waitReplicas`, replicas confirmed).
   * @throws VerkError `STORE_FULL` when Redis is at maxmemory, `CONNECTION_FAILED` when unreachable.
   */
  push(jobs: readonly EncodedJob[]): Promise<void> {
    if (this.#closing) return Promise.reject(storeClosed("enqueue"));
    return mapped("enqueue", () => {
      assertQueueNames(this.keys, jobs);
      const pushed = this.#pushes.push(jobs);
      if (!this.#replication.active) return pushed;
      return pushed.then(() =>
        this.#replication.confirm([
          ...jobs.map((job) => this.keys.queue(job.queue)),
          ...this.#global(this.keys.queues),
        ]),
      );
    });
  }

  /** ZADD entries to the `schedule` set of their queue, scored by `at` (epoch seconds). */
  schedule(entries: readonly ScheduledEntry[]): Promise<void> {
    if (this.#closing) return Promise.reject(storeClosed("schedule"));
    return mapped("schedule", async () => {
      assertQueueNames(this.keys, entries);
      await ops.scheduleEntries(this.client, this.keys, entries);
      await this.#replication.confirm([
        ...entries.map((e) => this.keys.setOf("schedule", e.queue)),
        ...this.#global(this.keys.dueIndex("schedule")),
      ]);
      if (entries.length > 0) void this.capabilities.dueWatch.notify(Math.min(...entries.map((e) => e.at)));
    });
  }

  /**
   * Open `queue`'s fetch channel for `nodeId` on a new connection of its own. With class-wide
   * `options.limits` (flow control), its fetch enforces them (`flow/limited-fetch.ts`).
   */
  openQueue(queue: string, nodeId: string, options?: QueueChannelOptions): QueueChannel {
    if (this.#closing) throw storeClosed("openQueue");
    assertQueueNames(this.keys, [{ queue }]);
    const limited = this.#flow.channelFetch(queue, nodeId, options);
    const channel = new RedisQueueChannel(
      {
        keys: this.keys,
        control: this.client,
        scriptMode: this.#scriptMode,
        createConnection: () => this.#duplicate(),
        onClose: (c) => this.#channels.delete(c),
        acks: this.#acks,
        ...(limited ? { limited } : {}),
      },
      queue,
      nodeId,
    );
    this.#channels.add(channel);
    return channel;
  }

  /** Remove `raw` (the exact bytes fetched) from the in-progress list; acks of one turn share one round trip. */
  ack(queue: string, nodeId: string, raw: Buffer): Promise<boolean> {
    return this.#acks.ack(this.keys.inprogress(queue, nodeId), raw).catch((error: unknown) => {
      throw storeError(error, "ack");
    });
  }

  /** Atomically take `raw` out of the in-progress list and apply `outcome` (script `fail`). */
  fail(queue: string, nodeId: string, raw: Buffer, outcome: FailOutcome): Promise<boolean> {
    return mapped("fail", async () => {
      const written = await ops.failJob(this.client, this.keys, queue, nodeId, raw, outcome);
      if (written && outcome.kind !== "discard")
        await this.#replication.confirm([
          this.keys.inprogress(queue, nodeId),
          ...(outcome.kind === "retry" ? this.#global(this.keys.dueIndex("retry")) : []),
        ]);
      return written;
    });
  }

  /** Move in-progress jobs (oldest first) back to the front of `queue` (script `requeue`). */
  requeue(queue: string, nodeId: string, raws: readonly Buffer[]): Promise<number> {
    return mapped("requeue", () => ops.requeueJobs(this.client, this.keys, queue, nodeId, raws));
  }

  /** Move everything in `nodeId`'s in-progress lists back to the front of their queues, in order. */
  recoverNode(nodeId: string): Promise<number> {
    return mapped("recoverNode", () =>
      ops.recoverNode(this.client, this.keys, nodeId, this.#options.recoverBatchSize),
    );
  }

  /**
   * Move up to `limit` jobs of `set` due at `now` (epoch seconds) onto their queues with a fresh
   * `enqueued_at`, exactly once each. Unreadable entries, and entries whose queue key is not a
   * list, go to the dead set with a message and never hold the others up. Resolves the entries taken.
   */
  promoteDue(set: DueSet, now: number, limit: number): Promise<number> {
    return mapped("promote", () => this.#promoter.promote(set, now, limit));
  }

  /** When the next job of `set` is due (epoch seconds), or `undefined`. */
  nextDue(set: DueSet): Promise<number | undefined> {
    return mapped("nextDue", () => this.#promoter.next(set));
  }

  /** Pause or resume `queue` for every node (stored; fetches check it atomically), then notify. */
  setPaused(queue: string, paused: boolean): Promise<void> {
    if (this.#closing) return Promise.reject(storeClosed(paused ? "pauseQueue" : "resumeQueue"));
    return mapped(paused ? "pause" : "resume", () => ops.setPaused(this.client, this.keys, queue, paused));
  }

  /**
   * True when `name` is a known queue: in `queues`, with a list, paused, or served by a live node
   * (a Verk node with a live heartbeat, or a Sidekiq process); the rule of `verk.pauseQueue`.
   */
  queueKnown(name: string): Promise<boolean> {
    return mapped("queueKnown", () => queueKnown(this.client, this.keys, name));
  }

  /** The paused queues. */
  pausedQueues(): Promise<string[]> {
    return mapped("pausedQueues", () => this.client.smembers(this.keys.paused));
  }

  /** Listen to pause/resume notifications (one shared subscriber connection, created lazily). */
  subscribeControl(listener: (message: ControlMessage) => void): Promise<() => Promise<void>> {
    if (this.#closing) return Promise.reject(storeClosed("subscribeControl"));
    return this.#control.subscribe(listener);
  }

  /** Add `nodeId` to the node registry and `queues` to its queue set. */
  registerNode(nodeId: string, queues: readonly string[]): Promise<void> {
    return mapped("registerNode", () => ops.registerNode(this.client, this.keys, nodeId, queues));
  }

  /** Remove `nodeId` from the registry when none of its in-progress lists holds a job. */
  deregisterNode(nodeId: string): Promise<void> {
    return mapped("deregisterNode", () => ops.deregisterNode(this.client, this.keys, nodeId));
  }

  /** Every known queue's length, and the sizes of the schedule, retry and dead sets. */
  counts(): Promise<StoreCounts> {
    return mapped("counts", () => ops.counts(this.client, this.keys));
  }

  /**
   * Called by `start()`: shows the node to Sidekiq as a process (unless `sidekiqProcess: false`).
   * Resolves the function `stop()` calls to end it.
   */
  async attachNode(node: NodeHandle): Promise<() => Promise<void>> {
    if (!this.#options.sidekiqProcess) return async () => {};
    return attachSidekiqProcess(this.client, this.keys, node, this.#options.sidekiqProcess);
  }

  /** A `{verk}` key a cluster-layout write also touched, for `waitReplicas` to confirm too. */
  #global(key: string): string[] {
    return this.keys.layout === "cluster" ? [key] : [];
  }

  /** A new connection with the command connection's options (its own error listener, lazy). */
  #duplicate(): RedisClient {
    const conn = duplicateClient(this.client);
    conn.on("error", noop); // surfaced through the commands that fail
    return conn;
  }
}

function noop(): void {}
