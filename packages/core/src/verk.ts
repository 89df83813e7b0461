import { type RunnerContext, runnerContext } from "./context.js";
import { ControlSync } from "./control-sync.js";
import { DuePoller } from "./due-poller.js";
import { VerkError } from "./errors.js";
import { EventHub, type VerkEventMap, type VerkEventName, type VerkListener } from "./events.js";
import { FlowGate } from "./flow/gate.js";
import { IsolationRuntime } from "./isolation/runtime.js";
import { holdUncaughtGuard } from "./job-scope.js";
import { assertKnownKeys } from "./known-keys.js";
import { recoverOwnJobs, STOP_OPTION_KEYS, type StopOptions, type VerkState } from "./lifecycle.js";
import { type RunningLiveness, startLiveness } from "./liveness/attach.js";
import { DEFAULT_HEARTBEAT_MS, DEFAULT_NODE_TTL_MS, resolveLiveness } from "./liveness/options.js";
import { assertNoLiveTwin } from "./liveness/twin.js";
import type { Logger } from "./logger.js";
import { createNodeHandle } from "./node-handle.js";
import { NodeQueues } from "./node-queues.js";
import {
  type QueueOptions,
  type ResolvedOptions,
  resolveConcurrency,
  resolveOptions,
  type VerkOptions,
} from "./options.js";
import type { QueueInfo, RunningJob } from "./queue-info.js";
import type { StoreContext } from "./store.js";
import { VerkProducer } from "./verk-producer.js";
import { WorkerRegistry } from "./worker.js";

export type { StopOptions, VerkState } from "./lifecycle.js";

/**
 * A Verk node: enqueues jobs (see {@link VerkProducer}), and when started runs its queues. Create
 * it with {@link createVerk}. A producer-only instance (no queues) can enqueue without `start()`;
 * it connects on first use. After `stop()` every call that needs the store rejects with
 * `INVALID_STATE` (create a new instance to produce again).
 */
export class Verk extends VerkProducer {
  /** This node's identity. */
  readonly nodeId: string;
  /** The logger. */
  readonly logger: Logger;
  readonly #options: ResolvedOptions;
  readonly #hub: EventHub;
  readonly #registry: WorkerRegistry;
  readonly #runners: NodeQueues;
  readonly #ctx: RunnerContext;
  readonly #control: ControlSync;
  #poller: DuePoller | undefined;
  #externalScheduler = false;
  #state: VerkState = "idle";
  #detach: (() => Promise<void>) | undefined;
  #startedAt = 0;
  #releaseGuard: (() => void) | undefined;
  #liveness: RunningLiveness | undefined;
  readonly #isolation: IsolationRuntime;
  readonly #flow: FlowGate;

  /** Use {@link createVerk}. */
  constructor(options: VerkOptions) {
    const resolved = resolveOptions(options);
    const registry = new WorkerRegistry();
    const hub = new EventHub(resolved.logger);
    super({
      ...resolved,
      // The worker's options are the payload defaults (queue, retry, unique, expiresIn).
      defaults: (name) => registry.get(name)?.options,
      onDuplicate: (event) => hub.emit("job:duplicate", event),
    });
    this.#options = resolved;
    this.#registry = registry;
    const { store, nodeId, logger } = resolved;
    this.nodeId = nodeId;
    this.logger = logger;
    this.#hub = hub;
    this.#flow = new FlowGate(store, registry, nodeId, hub, logger);
    for (const worker of this.#options.workers) {
      this.#registry.add(worker);
      worker.bindProducer(this);
    }
    this.#ctx = runnerContext(resolved, registry, hub, this.#flow);
    this.#control = new ControlSync(
      store,
      () => this.#runners.names(),
      (queue, paused) => this.#runners.setPaused(queue, paused),
      this.#options.controlSyncMs,
      logger,
      this.#hub,
    );
    this.#isolation = new IsolationRuntime(this.#options.isolation, this.#registry, logger, () =>
      this.runningJobs().map(({ queue, className }) => ({ queue, className: className ?? "?" })),
    );
    this.#runners = new NodeQueues(this.#ctx, (queue) => this.#isolation.executorFor(queue), logger);
    for (const plugin of this.#options.plugins) plugin.setup?.(this);
  }

  /** Current lifecycle state. */
  get state(): VerkState {
    return this.#state;
  }

  /** Subscribe to a lifecycle event; returns the unsubscribe function. Listeners are isolated. */
  on<E extends VerkEventName>(event: E, listener: VerkListener<E>): () => void {
    return this.#hub.on(event, listener);
  }

  /** The registered worker names. */
  workerNames(): string[] {
    return this.#registry.names();
  }

  /** Where the store reports its warnings: this node's logger and `error` events. */
  protected storeContext(): StoreContext {
    return {
      logger: this.logger,
      report: (error: unknown, context: string) => this.#hub.emit("error", { error, context }),
    };
  }

  /** Turn the built-in due-job poller off; used by `@verk/scheduler`, which promotes due jobs itself. */
  useExternalScheduler(): void {
    this.#externalScheduler = true;
  }

  /**
   * Start the node: connect, put back any job this node id left in progress (a restart with a
   * fixed `nodeId`), register and beat (heartbeat and keep-alive thread), start plugins, then
   * every queue's fetch loop and the due-job poller.
   * When the store cannot connect (e.g. `CONNECTION_FAILED` once the Redis store's
   * `connectTimeoutMs` ran out) it rejects with that error and the instance is stopped.
   */
  async start(): Promise<void> {
    if (this.#state !== "idle") {
      throw new VerkError(
        "INVALID_STATE",
        `start() called while ${this.#state}; a Verk instance starts once`,
      );
    }
    this.#state = "starting";
    try {
      await this.connect();
    } catch (error) {
      // Nothing started: don't talk to a store that could not connect (its commands would wait).
      this.#state = "stopped";
      this.markClosed();
      await this.store.close().catch(() => {});
      throw error;
    }
    try {
      const queues = [...this.#options.queues.keys()];
      const nodes = this.store.capabilities?.nodes;
      const liveness = nodes ? resolveLiveness(this.#options.liveness, nodes.defaults) : undefined;
      if (nodes && liveness && liveness.heartbeatMs > 0)
        await assertNoLiveTwin(nodes, this.nodeId, liveness.heartbeatMs, this.logger);
      await this.#isolation.prepare(queues);
      this.#flow.configure(this.#isolation.reportedLimits(), liveness?.nodeTtlMs ?? DEFAULT_NODE_TTL_MS);
      await recoverOwnJobs(this.store, this.nodeId, this.logger, this.#hub);
      await this.store.registerNode(this.nodeId, queues);
      const emit = <E extends VerkEventName>(event: E, payload: VerkEventMap[E]) =>
        this.#hub.emit(event, payload);
      // Beat (and start the keep-alive thread) before the first job can block the event loop: a
      // registered node without a heartbeat looks dead to its peers.
      if (nodes && liveness) {
        this.#liveness = await startLiveness(
          nodes,
          {
            nodeId: this.nodeId,
            store: this.store,
            logger: this.logger,
            queueNames: () => [...this.#options.queues.keys()],
            runningJobs: () => this.runningJobs(),
            emit,
            // Renew this node's concurrency slots with each beat it makes (none while it cannot beat).
            afterBeat: () => this.#flow.renew(),
          },
          liveness,
        );
        const loop = this.#liveness?.loop;
        if (loop) this.#ctx.lateWriteCause = (since) => loop.lateWriteCause(since);
      }
      // Concurrency slots live as long as this node beats (a dead node's expire within its TTL).
      if (this.#liveness === undefined) this.#flow.renewEvery(DEFAULT_HEARTBEAT_MS);
      for (const plugin of this.#options.plugins) await plugin.start?.(this);
      await this.#control.start();
      if (this.#options.containUncaught) this.#releaseGuard ??= holdUncaughtGuard(this.logger);
      const paused = new Set(await this.store.pausedQueues());
      for (const [name, concurrency] of this.#options.queues)
        this.#runners.start(name, concurrency, paused.has(name));
      if (this.#options.pollIntervalMs > 0 && !this.#externalScheduler) {
        const poller = new DuePoller(this.store, this.#options.pollIntervalMs, this.logger, this.#hub);
        this.#poller = poller;
        this.#ctx.dueSoon = (atMs) => poller.wakeBy(atMs);
        await poller.start();
      }
      this.#startedAt = Date.now();
      this.#state = "running";
      this.#detach = await this.store.attachNode?.(createNodeHandle(this, this.#startedAt, emit));
      this.#hub.emit("node:up", { nodeId: this.nodeId, queues });
    } catch (error) {
      this.#state = "running";
      await this.stop({ timeout: 0 }).catch(() => {});
      throw error;
    }
  }

  /**
   * Stop gracefully: stop fetching, wait up to `timeout` ms for running jobs, then put the
   * unfinished ones back at the front of their queues, stop plugins and close the store.
   * Nothing is lost and nothing is left in an in-progress list.
   */
  async stop(options: StopOptions = {}): Promise<void> {
    assertKnownKeys(options, STOP_OPTION_KEYS, "stop");
    if (this.#state === "stopped" || this.#state === "stopping") return;
    const timeout = options.timeout ?? this.#options.shutdownTimeoutMs;
    const wasStarted = this.#state !== "idle";
    this.#state = "stopping";
    await this.#poller?.stop();
    await this.#runners.removeAll(timeout);
    await this.#isolation.close();
    await this.#flow.close();
    await this.#control.stop();
    if (wasStarted) {
      const detach = this.#detach;
      this.#detach = undefined;
      const liveness = this.#liveness;
      this.#liveness = undefined;
      await liveness?.stop();
      await detach?.().catch((error: unknown) =>
        this.logger.warn({ err: error }, "detaching the node from the store failed"),
      );
      for (const plugin of [...this.#options.plugins].reverse()) await plugin.stop?.(this);
      await this.store.deregisterNode(this.nodeId).catch((error: unknown) => {
        this.logger.warn({ err: error }, "could not deregister this node");
      });
      this.#hub.emit("node:down", { nodeId: this.nodeId, reason: "stopped" });
    }
    this.markClosed();
    await this.store.close();
    this.#releaseGuard?.();
    this.#releaseGuard = undefined;
    this.#state = "stopped";
  }

  /** Start running another queue on this node. Throws `QUEUE_EXISTS` if it already runs here. */
  async addQueue(name: string, concurrency: number | QueueOptions = 25): Promise<void> {
    if (this.closed || this.#state === "stopping") throw this.stoppedError("addQueue");
    const resolved = resolveConcurrency(name, concurrency, `queues.${name}`);
    if (this.#runners.has(name) || this.#options.queues.has(name)) {
      throw new VerkError("QUEUE_EXISTS", `queue "${name}" already runs on this node`, { field: "queue" });
    }
    this.#isolation.register(name, concurrency, resolved);
    this.#options.queues.set(name, resolved);
    if (this.#state !== "running" && this.#state !== "starting") return;
    await this.#isolation.prepareQueue(name);
    this.#flow.configure(this.#isolation.reportedLimits(), this.#flow.slotTtlMs);
    await this.store.registerNode(this.nodeId, [name]);
    const paused = await this.store.pausedQueues();
    this.#runners.start(name, resolved, paused.includes(name));
    this.#liveness?.queuesChanged();
  }

  /**
   * Stop running `name` on this node: stop fetching, let its running jobs finish for up to
   * `timeout` ms, then put the rest back at the front of the queue. Throws `UNKNOWN_QUEUE`.
   */
  async removeQueue(name: string, options: StopOptions = {}): Promise<void> {
    assertKnownKeys(options, STOP_OPTION_KEYS, "removeQueue");
    if (!this.#options.queues.has(name)) throw this.#unknownQueue(name);
    this.#options.queues.delete(name);
    if (!this.#runners.has(name)) return;
    await this.#runners.remove(name, options.timeout ?? this.#options.shutdownTimeoutMs);
    this.#liveness?.queuesChanged();
  }

  /** This node's queue names (for the known-queue rule of {@link VerkProducer.pauseQueue}). */
  protected localQueues(): Iterable<string> {
    return this.#options.queues.keys();
  }

  /** Apply a stored pause or resume to this node's runner of `name`, if it runs one. */
  protected applyPause(name: string, paused: boolean): void {
    this.#runners.setPaused(name, paused);
  }

  /** Every job running on this node now, across its queues. */
  runningJobs(): RunningJob[] {
    return this.#runners.running();
  }

  /** True after {@link Verk.quiet}. */
  get quieted(): boolean {
    return this.#runners.quieted;
  }

  /**
   * Quiet this node (Sidekiq's TSTP): stop fetching on every queue of this node only, let running
   * jobs finish, keep the node up. Not stored; `stop()` follows in Sidekiq's model.
   */
  quiet(): void {
    this.#runners.quiet();
  }

  /** The queues this node runs, with their state. */
  queues(): QueueInfo[] {
    return [...this.#options.queues.keys()].map(
      (name) =>
        this.#runners.info(name) ?? {
          name,
          concurrency: this.#options.queues.get(name)!,
          running: 0,
          status: "stopped" as const,
        },
    );
  }

  #unknownQueue(name: string): VerkError {
    return new VerkError("UNKNOWN_QUEUE", `queue "${name}" does not run on this node`, { field: "queue" });
  }
}

/**
 * Create a Verk node.
 *
 * @example
 * const verk = createVerk({ store: redisStore({ url }), queues: { default: 25 }, workers: [Add] });
 * await verk.start();
 */
export function createVerk(options: VerkOptions): Verk {
  return new Verk(options);
}
