import type { RunnerContext } from "./context.js";
import { ControlSync } from "./control-sync.js";
import { DuePoller } from "./due-poller.js";
import { invalidOption, VerkError } from "./errors.js";
import { EventHub, type VerkEventMap, type VerkEventName, type VerkListener } from "./events.js";
import { IsolationRuntime } from "./isolation/runtime.js";
import type { JobPayload, NewJob } from "./job.js";
import { JobEncoder } from "./job-encoder.js";
import { holdUncaughtGuard } from "./job-scope.js";
import { type RunningLiveness, startLiveness } from "./liveness/attach.js";
import { resolveLiveness } from "./liveness/options.js";
import { assertNoLiveTwin } from "./liveness/twin.js";
import type { Logger } from "./logger.js";
import { createNodeHandle } from "./node-handle.js";
import {
  type QueueOptions,
  type ResolvedOptions,
  resolveConcurrency,
  resolveOptions,
  type VerkOptions,
} from "./options.js";
import type { VerkPlugin } from "./plugin.js";
import { produceWithHooks } from "./produce.js";
import type { QueueInfo, RunningJob } from "./queue-info.js";
import { QueueRunner } from "./queue-runner.js";
import type { VerkStore } from "./store.js";
import { toEpochMs, toSeconds } from "./time.js";
import { type JobProducer, WorkerRegistry } from "./worker.js";

/** The lifecycle state of a {@link Verk} instance. */
export type VerkState = "idle" | "starting" | "running" | "stopping" | "stopped";

/** Options of {@link Verk.stop} and {@link Verk.removeQueue}. */
export interface StopOptions {
  /** Milliseconds to wait for running jobs before putting them back on their queue. (Default: `shutdownTimeoutMs`, 30,000) */
  timeout?: number;
}

/**
 * A Verk node: enqueues jobs, and when started runs its queues. Create it with {@link createVerk}.
 * A producer-only instance (no queues) can enqueue without `start()`; it connects on first use.
 */
export class Verk implements JobProducer {
  /** This node's identity. */
  readonly nodeId: string;
  /** The store; add-ons may use it. */
  readonly store: VerkStore;
  /** The logger. */
  readonly logger: Logger;
  readonly #options: ResolvedOptions;
  readonly #hub: EventHub;
  readonly #registry = new WorkerRegistry();
  readonly #runners = new Map<string, QueueRunner>();
  readonly #ctx: RunnerContext;
  readonly #control: ControlSync;
  readonly #encoder: JobEncoder;
  readonly #enqueueHooks: NonNullable<VerkPlugin["aroundEnqueue"]>[];
  #poller: DuePoller | undefined;
  #externalScheduler = false;
  #state: VerkState = "idle";
  #quiet = false;
  #connecting: Promise<void> | undefined;
  #detach: (() => Promise<void>) | undefined;
  #startedAt = 0;
  #releaseGuard: (() => void) | undefined;
  #liveness: RunningLiveness | undefined;
  readonly #isolation: IsolationRuntime;

  /** Use {@link createVerk}. */
  constructor(options: VerkOptions) {
    this.#options = resolveOptions(options);
    const { store, nodeId, logger } = this.#options;
    this.nodeId = nodeId;
    this.store = store;
    this.logger = logger;
    this.#hub = new EventHub(logger);
    this.#encoder = new JobEncoder(this.#options.maxPayloadBytes, this.#options.timestamps);
    const plugins = this.#options.plugins;
    this.#enqueueHooks = plugins.flatMap((p) => (p.aroundEnqueue ? [p.aroundEnqueue.bind(p)] : []));
    const performHooks = plugins.flatMap((p) => (p.aroundPerform ? [p.aroundPerform.bind(p)] : []));
    for (const worker of this.#options.workers) {
      this.#registry.add(worker);
      worker.bindProducer(this);
    }
    this.#ctx = {
      store,
      nodeId,
      registry: this.#registry,
      hub: this.#hub,
      logger,
      maxRetries: this.#options.maxRetries,
      dead: this.#options.dead,
      fetchBlockMs: this.#options.fetchBlockMs,
      timestamps: this.#options.timestamps,
      maxFetchPayloadBytes: this.#options.maxFetchPayloadBytes,
      performHooks,
    };
    this.#control = new ControlSync(
      store,
      () => this.#runners.keys(),
      (queue, paused) => this.#runners.get(queue)?.setPaused(paused || this.#quiet),
      this.#options.controlSyncMs,
      logger,
      this.#hub,
    );
    this.#isolation = new IsolationRuntime(this.#options.isolation, this.#registry, logger, () =>
      this.runningJobs().map(({ queue, className }) => ({ queue, className: className ?? "?" })),
    );
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

  /** Turn the built-in due-job poller off; used by `@verk/scheduler`, which promotes due jobs itself. */
  useExternalScheduler(): void {
    this.#externalScheduler = true;
  }

  /** Connect the store (idempotent). `enqueue` and `start` call it for you. */
  connect(): Promise<void> {
    const context = {
      logger: this.logger,
      report: (error: unknown, context: string) => this.#hub.emit("error", { error, context }),
    };
    this.#connecting ??= this.store.connect(context).catch((error: unknown) => {
      this.#connecting = undefined;
      throw error;
    });
    return this.#connecting;
  }

  /**
   * Start the node: connect, put back any job this node id left in progress (a restart with a
   * fixed `nodeId`), start plugins, then every queue's fetch loop and the due-job poller.
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
      const recovered = await this.store.recoverNode(this.nodeId);
      if (recovered > 0) {
        this.logger.warn(
          `put ${recovered} job(s) left in progress by an earlier run of node ${this.nodeId} back`,
        );
        this.#hub.emit("jobs:recovered", { nodeId: this.nodeId, fromNodeId: this.nodeId, count: recovered });
      }
      await this.store.registerNode(this.nodeId, queues);
      for (const plugin of this.#options.plugins) await plugin.start?.(this);
      await this.#control.start();
      if (this.#options.containUncaught) this.#releaseGuard ??= holdUncaughtGuard(this.logger);
      const paused = new Set(await this.store.pausedQueues());
      for (const [name, concurrency] of this.#options.queues)
        this.#startRunner(name, concurrency, paused.has(name));
      if (this.#options.pollIntervalMs > 0 && !this.#externalScheduler) {
        this.#poller = new DuePoller(this.store, this.#options.pollIntervalMs, this.logger, this.#hub);
        this.#poller.start();
      }
      this.#startedAt = Date.now();
      this.#state = "running";
      const emit = <E extends VerkEventName>(event: E, payload: VerkEventMap[E]) =>
        this.#hub.emit(event, payload);
      this.#detach = await this.store.attachNode?.(createNodeHandle(this, this.#startedAt, emit));
      if (nodes && liveness) {
        this.#liveness = await startLiveness(
          nodes,
          {
            nodeId: this.nodeId,
            store: this.store,
            logger: this.logger,
            queueNames: () => [...this.#runners.keys()],
            runningJobs: () => this.runningJobs(),
            emit,
          },
          liveness,
        );
        const loop = this.#liveness?.loop;
        if (loop) this.#ctx.lateWriteCause = (since) => loop.lateWriteCause(since);
      }
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
    if (this.#state === "stopped" || this.#state === "stopping") return;
    const timeout = options.timeout ?? this.#options.shutdownTimeoutMs;
    const wasStarted = this.#state !== "idle";
    this.#state = "stopping";
    await this.#poller?.stop();
    const runners = [...this.#runners.values()];
    await Promise.all(runners.map((runner) => this.#drain(runner, timeout)));
    this.#runners.clear();
    await this.#isolation.close();
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
    await this.store.close();
    this.#releaseGuard?.();
    this.#releaseGuard = undefined;
    this.#state = "stopped";
  }

  /** Enqueue one job. Resolves its jid. Throws `INVALID_JOB`/`PAYLOAD_TOO_LARGE` before writing anything. */
  async enqueue(job: NewJob): Promise<string> {
    const payload = this.#encoder.buildForQueue(job);
    if (this.#enqueueHooks.length === 0) {
      const entry = this.#encoder.entry(payload);
      await this.connect();
      await this.store.push([entry]);
      return payload.jid;
    }
    await this.connect();
    await produceWithHooks(this.#enqueueHooks, "enqueue", [payload], undefined, () =>
      this.store.push([this.#encoder.entry(payload)]),
    );
    return payload.jid;
  }

  /**
   * Enqueue many jobs in few round trips. Every job is validated first: one invalid job
   * throws (naming `jobs[i].field`) and nothing is written. Resolves the jids in order.
   */
  async enqueueBulk(jobs: readonly NewJob[]): Promise<string[]> {
    if (!Array.isArray(jobs)) throw invalidOption("jobs", "enqueueBulk takes an array of jobs");
    const payloads = jobs.map((job, index) => this.#encoder.buildForQueue(job, `jobs[${index}]`));
    if (payloads.length === 0) return [];
    const encode = () => payloads.map((payload, index) => this.#encoder.entry(payload, `jobs[${index}]`));
    if (this.#enqueueHooks.length === 0) {
      const entries = encode();
      await this.connect();
      await this.store.push(entries);
    } else {
      await this.connect();
      await produceWithHooks(this.#enqueueHooks, "enqueueBulk", payloads, undefined, () =>
        this.store.push(encode()),
      );
    }
    return payloads.map((payload) => payload.jid);
  }

  /**
   * Schedule a job to be enqueued at `at` (a Date or epoch milliseconds). A time in the past
   * enqueues at once. Resolves the jid.
   */
  async schedule(job: NewJob, at: Date | number): Promise<string> {
    const atMs = toEpochMs(at);
    if (typeof atMs !== "number" || !Number.isFinite(atMs))
      throw invalidOption("at", "must be a Date or epoch milliseconds");
    if (atMs <= Date.now()) return this.enqueue(job);
    const payload = this.#encoder.buildForSchedule(job);
    const write = () =>
      this.store.schedule([
        { queue: payload.queue, raw: this.#encoder.encode(payload), at: toSeconds(atMs) },
      ]);
    if (this.#enqueueHooks.length === 0) {
      const raw = this.#encoder.encode(payload);
      await this.connect();
      await this.store.schedule([{ queue: payload.queue, raw, at: toSeconds(atMs) }]);
    } else {
      await this.connect();
      await produceWithHooks(this.#enqueueHooks, "schedule", [payload], [atMs], write);
    }
    return payload.jid;
  }

  /**
   * Schedule many jobs, each at its own time (a Date or epoch milliseconds), in few round trips.
   * Every job is validated first: one invalid entry throws (naming `jobs[i]`) and nothing is
   * written. Entries due now or in the past are enqueued at once. Resolves the jids in order.
   */
  async scheduleBulk(entries: readonly { job: NewJob; at: Date | number }[]): Promise<string[]> {
    if (!Array.isArray(entries))
      throw invalidOption("jobs", "scheduleBulk takes an array of { job, at } entries");
    const now = Date.now();
    const later: { payload: JobPayload; atMs: number; field: string }[] = [];
    const soon: { payload: JobPayload; field: string }[] = [];
    const jids = entries.map((entry, index) => {
      const field = `jobs[${index}]`;
      const atMs = toEpochMs(entry?.at);
      if (typeof atMs !== "number" || !Number.isFinite(atMs))
        throw invalidOption(`${field}.at`, "must be a Date or epoch milliseconds");
      if (atMs <= now) {
        const payload = this.#encoder.buildForQueue(entry.job, field);
        soon.push({ payload, field });
        return payload.jid;
      }
      const payload = this.#encoder.buildForSchedule(entry.job, field);
      later.push({ payload, atMs, field });
      return payload.jid;
    });
    if (jids.length === 0) return [];
    const write = async () => {
      const queued = soon.map(({ payload, field }) => this.#encoder.entry(payload, field));
      const scheduled = later.map(({ payload, atMs, field }) => ({
        queue: payload.queue,
        raw: this.#encoder.encode(payload, field),
        at: toSeconds(atMs),
      }));
      await Promise.all([
        queued.length > 0 ? this.store.push(queued) : undefined,
        scheduled.length > 0 ? this.store.schedule(scheduled) : undefined,
      ]);
    };
    await this.connect();
    const payloads = [...soon.map((s) => s.payload), ...later.map((l) => l.payload)];
    const dueAt = [...soon.map(() => now), ...later.map((l) => l.atMs)];
    await produceWithHooks(this.#enqueueHooks, "scheduleBulk", payloads, dueAt, write);
    return jids;
  }

  /** Start running another queue on this node. Throws `QUEUE_EXISTS` if it already runs here. */
  async addQueue(name: string, concurrency: number | QueueOptions = 25): Promise<void> {
    const resolved = resolveConcurrency(name, concurrency, `queues.${name}`);
    if (this.#runners.has(name) || this.#options.queues.has(name)) {
      throw new VerkError("QUEUE_EXISTS", `queue "${name}" already runs on this node`, { field: "queue" });
    }
    this.#isolation.register(name, concurrency, resolved);
    this.#options.queues.set(name, resolved);
    if (this.#state !== "running" && this.#state !== "starting") return;
    await this.#isolation.prepareQueue(name);
    await this.store.registerNode(this.nodeId, [name]);
    const paused = await this.store.pausedQueues();
    this.#startRunner(name, resolved, paused.includes(name));
    this.#liveness?.queuesChanged();
  }

  /**
   * Stop running `name` on this node: stop fetching, let its running jobs finish for up to
   * `timeout` ms, then put the rest back at the front of the queue. Throws `UNKNOWN_QUEUE`.
   */
  async removeQueue(name: string, options: StopOptions = {}): Promise<void> {
    if (!this.#options.queues.has(name)) throw this.#unknownQueue(name);
    this.#options.queues.delete(name);
    const runner = this.#runners.get(name);
    if (!runner) return;
    this.#runners.delete(name);
    await this.#drain(runner, options.timeout ?? this.#options.shutdownTimeoutMs);
    this.#liveness?.queuesChanged();
  }

  /** Pause `name` on every node (stored in the store, so it survives restarts). Running jobs finish. */
  async pauseQueue(name: string): Promise<void> {
    this.#checkQueueName(name);
    await this.connect();
    await this.store.setPaused(name, true);
    this.#runners.get(name)?.setPaused(true);
  }

  /** Resume `name` on every node. */
  async resumeQueue(name: string): Promise<void> {
    this.#checkQueueName(name);
    await this.connect();
    await this.store.setPaused(name, false);
    this.#runners.get(name)?.setPaused(this.#quiet);
  }

  /** Every job running on this node now, across its queues. */
  runningJobs(): RunningJob[] {
    return [...this.#runners.values()].flatMap((runner) => runner.running());
  }

  /** True after {@link Verk.quiet}. */
  get quieted(): boolean {
    return this.#quiet;
  }

  /**
   * Quiet this node (Sidekiq's TSTP): stop fetching on every queue of this node only, let running
   * jobs finish, keep the node up. Not stored; `stop()` follows in Sidekiq's model.
   */
  quiet(): void {
    this.#quiet = true;
    for (const runner of this.#runners.values()) runner.setPaused(true);
  }

  /** The queues this node runs, with their state. */
  queues(): QueueInfo[] {
    return [...this.#options.queues.keys()].map(
      (name) =>
        this.#runners.get(name)?.info() ?? {
          name,
          concurrency: this.#options.queues.get(name)!,
          running: 0,
          status: "stopped" as const,
        },
    );
  }

  #startRunner(name: string, concurrency: number, paused: boolean): void {
    const runner = new QueueRunner(this.#ctx, name, concurrency, this.#isolation.executorFor(name));
    this.#runners.set(name, runner);
    runner.start(paused || this.#quiet);
  }

  async #drain(runner: QueueRunner, timeout: number): Promise<void> {
    await runner.stopFetching();
    if (!(await runner.waitIdle(timeout))) {
      const moved = await runner.abandon();
      if (moved > 0) this.logger.warn(`put ${moved} unfinished job(s) back at the front of "${runner.name}"`);
    }
    await runner.close();
  }

  #checkQueueName(name: string): void {
    if (typeof name !== "string" || name.length === 0)
      throw invalidOption("queue", "must be a non-empty string");
  }

  #unknownQueue(name: string): VerkError {
    return new VerkError("UNKNOWN_QUEUE", `queue "${name}" does not run on this node`, { field: "queue" });
  }
}

/** The `class` of a stored payload, for warnings ("?" when unreadable). */
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
