import { JobTimeoutError, UnknownWorkerError, VerkError } from "../errors.js";
import { EXECUTION_OK, type ExecutionResult, type JobExecutor, type RemoteFailure } from "../executor.js";
import type { InFlightJob } from "../in-flight-job.js";
import type { Logger } from "../logger.js";
import { describeExit, WorkerCrashedError } from "./crash.js";
import { type PoolMember as Member, PoolMember, type Run } from "./member.js";
import type { QueueIsolation } from "./options.js";
import {
  deserializeError,
  payloadText,
  type ReadyMessage,
  type WorkerInfo,
  type WorkerMessage,
} from "./protocol.js";
import type { ExitInfo } from "./transport.js";

/** Longest a thread or process may take to import the worker module, ms. */
export const START_TIMEOUT_MS = 30_000;
/** A member that lived this long before dying starts its slot's crash count afresh, ms. */
export const CRASH_RESET_MS = 60_000;

/**
 * Delay before a slot's thread or process is started again after its `crashes`-th crash in a
 * row: at once after the first, then 200 ms doubling to at most 30 s. A job that finishes on the
 * slot resets the count. Deliberate terminations (timeout, stop) do not count.
 */
export function crashBackoffMs(crashes: number): number {
  return crashes <= 1 ? 0 : Math.min(30_000, 100 * 2 ** (crashes - 1));
}

/** What a pool needs. @internal */
export interface PoolSpec {
  readonly queue: string;
  readonly isolation: QueueIsolation;
  /** Absolute path of the worker module (for messages). */
  readonly modulePath: string;
  readonly moduleUrl: string;
  /** Path of the built `isolation-worker.js`. */
  readonly entry: string;
  readonly logger: Logger;
}

function remote(info: WorkerInfo | undefined, backoffSeconds: number | null): RemoteFailure {
  return backoffSeconds === null ? { worker: info } : { worker: info, backoffSeconds };
}

/**
 * The executor of an isolated queue: a pool of worker threads or child processes that run its
 * handlers (the main thread never does). Faults fail only the jobs of the member that had them;
 * the member is replaced, with a backoff when it keeps dying; jobs wait meanwhile. @internal
 */
export class IsolatedExecutor implements JobExecutor {
  readonly isolated = true;
  readonly #spec: PoolSpec;
  readonly #members: (Member | undefined)[];
  readonly #capacity: number[];
  readonly #crashes: number[];
  readonly #respawns: (NodeJS.Timeout | undefined)[];
  readonly #pending: Run[] = [];
  readonly #workers = new Map<string, WorkerInfo>();
  readonly #startWaiters = new Map<Member, { resolve(): void; reject(error: Error): void }>();
  #nextId = 1;
  #closing: Promise<void> | undefined;

  constructor(spec: PoolSpec) {
    this.#spec = spec;
    const { poolSize, concurrency } = spec.isolation;
    this.#capacity = Array.from(
      { length: poolSize },
      (_, i) => Math.floor(concurrency / poolSize) + (i < concurrency % poolSize ? 1 : 0),
    );
    this.#members = new Array(poolSize).fill(undefined);
    this.#crashes = new Array(poolSize).fill(0);
    this.#respawns = new Array(poolSize).fill(undefined);
  }

  /**
   * Start every thread or process and wait until each imported the module. Resolves the workers
   * the module exports. Throws `WORKER_MODULE` when it cannot be imported or exports none.
   */
  async start(): Promise<WorkerInfo[]> {
    const ready = this.#capacity.map((_, slot) => {
      const member = this.#spawn(slot);
      return new Promise<void>((resolve, reject) => this.#startWaiters.set(member, { resolve, reject }));
    });
    try {
      await Promise.all(ready);
    } catch (error) {
      await this.close();
      throw error;
    }
    return [...this.#workers.values()];
  }

  execute(flight: InFlightJob): Promise<ExecutionResult> {
    const job = flight.job;
    const info =
      this.#workers.get(job.class) ??
      (typeof job.wrapped === "string" ? this.#workers.get(job.wrapped) : undefined);
    if (!info)
      return Promise.resolve({
        ok: false,
        error: new UnknownWorkerError(job.class),
        remote: remote(undefined, null),
      });
    if (this.#closing)
      return Promise.resolve({ ok: false, error: this.#stopped(), remote: remote(info, null) });
    return new Promise<ExecutionResult>((resolve) => {
      const run: Run = { id: this.#nextId++, flight, info, resolve, settled: false };
      if (!this.#place(run)) this.#pending.push(run);
    });
  }

  /** Terminate every thread or process; runs not settled yet end with `ok: false`. Idempotent. */
  close(): Promise<void> {
    this.#closing ??= this.#shutDown();
    return this.#closing;
  }

  async #shutDown(): Promise<void> {
    for (const [slot, timer] of this.#respawns.entries()) {
      clearTimeout(timer);
      this.#respawns[slot] = undefined;
    }
    for (const run of this.#pending.splice(0))
      this.#end(run, { ok: false, error: this.#stopped(), remote: remote(run.info, null) });
    const members = this.#members.filter((m): m is Member => m !== undefined);
    for (const member of members) member.terminate(`the queue "${this.#spec.queue}" stopped`);
    await Promise.all(members.map((m) => m.exited));
  }

  #stopped(): WorkerCrashedError {
    return new WorkerCrashedError(`queue "${this.#spec.queue}" stopped; its worker pool was terminated`);
  }

  #spawn(slot: number): Member {
    const { isolation, moduleUrl, queue, entry } = this.#spec;
    const member = new PoolMember(
      entry,
      { mode: isolation.mode, moduleUrl, queue },
      isolation.resourceLimits,
      slot,
      this.#capacity[slot]!,
      { message: (m, message) => this.#onMessage(m, message), exit: (m, exit) => this.#onExit(m, exit) },
    );
    member.startTimer = setTimeout(() => {
      this.#spec.logger.error(
        { queue },
        `a worker ${member.kind} of "${queue}" did not load the worker module in ${START_TIMEOUT_MS} ms`,
      );
      member.terminate();
    }, START_TIMEOUT_MS);
    this.#members[slot] = member;
    return member;
  }

  /** Start `run` on the member with most free places; false when none is free. */
  #place(run: Run): boolean {
    let best: Member | undefined;
    for (const member of this.#members)
      if (member && member.free > 0 && (!best || member.free > best.free)) best = member;
    if (!best) return false;
    best.start(run, payloadText(run.flight), run.flight.carrier);
    const timeout = run.info.timeout;
    if (timeout !== undefined) run.timer = setTimeout(() => this.#timedOut(run, timeout), timeout);
    return true;
  }

  #drainPending(): void {
    while (this.#pending.length > 0 && !this.#closing) {
      if (!this.#place(this.#pending[0]!)) return;
      this.#pending.shift();
    }
  }

  /** The job passed its timeout: fail it now, abort its signal, terminate its member after the grace. */
  #timedOut(run: Run, timeout: number): void {
    const member = run.member!;
    const error = new JobTimeoutError(run.info.name, timeout);
    run.flight.abort(error);
    member.abort(run.id, error.message);
    run.settled = true;
    const bodyDone = new Promise<void>((resolve) => {
      run.bodyEnded = resolve;
    });
    run.resolve({ ok: false, error, bodyDone, remote: remote(run.info, null) });
    const grace = this.#spec.isolation.timeoutGraceMs;
    run.timer = setTimeout(
      () =>
        member.terminate(
          `worker ${member.kind} was terminated because job ${run.flight.jid} (${run.info.name}) on it passed its timeout of ${timeout} ms and did not end within the ${grace} ms grace`,
        ),
      grace,
    );
  }

  /** The body of `run` ended (or its member died): settle it, or release its held slot. */
  #end(run: Run, result: ExecutionResult): void {
    clearTimeout(run.timer);
    if (!run.settled) {
      run.settled = true;
      run.resolve(result);
    } else run.bodyEnded?.();
  }

  #onMessage(member: Member, message: WorkerMessage): void {
    if (message.t === "results") {
      if (message.done) {
        for (const id of message.done) {
          const run = member.runs.get(id);
          if (!run) continue;
          member.runs.delete(id);
          this.#crashes[member.slot] = 0;
          this.#end(run, EXECUTION_OK);
        }
      }
      if (message.fail) {
        for (const [id, error, backoff] of message.fail) {
          const run = member.runs.get(id);
          if (!run) continue;
          member.runs.delete(id);
          this.#end(run, { ok: false, error: deserializeError(error), remote: remote(run.info, backoff) });
        }
      }
      if (message.log)
        for (const [level, text, fields] of message.log) this.#spec.logger[level](fields, text);
      this.#drainPending();
    } else if (message.t === "ready") this.#onReady(member, message);
    else if (message.t === "fatal") member.fatal = message;
  }

  #onReady(member: Member, message: ReadyMessage): void {
    if (member.state !== "starting") return;
    clearTimeout(member.startTimer);
    const waiter = this.#startWaiters.get(member);
    this.#startWaiters.delete(member);
    if ("error" in message) {
      const { modulePath } = this.#spec;
      const problem =
        message.problem === "empty"
          ? `workerModule ${modulePath} exports no defineWorker() result`
          : `workerModule ${modulePath} threw at import: ${message.error.name}: ${message.error.message}`;
      if (waiter) waiter.reject(new VerkError("WORKER_MODULE", problem, { field: "workerModule" }));
      else
        this.#spec.logger.error({ queue: this.#spec.queue }, `a restarted worker ${member.kind}: ${problem}`);
      member.terminate();
      return;
    }
    member.state = "ready";
    for (const info of message.workers) if (!this.#workers.has(info.name)) this.#workers.set(info.name, info);
    waiter?.resolve();
    this.#drainPending();
  }

  #onExit(member: Member, exit: ExitInfo): void {
    clearTimeout(member.startTimer);
    if (this.#members[member.slot] === member) this.#members[member.slot] = undefined;
    const what =
      member.terminatedFor ??
      describeExit(member.kind, exit, member.fatal, this.#spec.isolation.resourceLimits);
    for (const run of member.runs.values()) {
      this.#end(run, {
        ok: false,
        error: new WorkerCrashedError(`${what} while running this job`),
        remote: remote(run.info, null),
      });
    }
    const jobs = member.runs.size;
    member.runs.clear();
    const waiter = this.#startWaiters.get(member);
    if (waiter) {
      this.#startWaiters.delete(member);
      waiter.reject(
        new VerkError(
          "WORKER_MODULE",
          `workerModule ${this.#spec.modulePath}: ${what} before it finished loading`,
          {
            field: "workerModule",
          },
        ),
      );
      return;
    }
    if (this.#closing) return;
    const slot = member.slot;
    const crashed = member.terminatedFor === undefined;
    if (crashed && Date.now() - member.startedAt >= CRASH_RESET_MS) this.#crashes[slot] = 0;
    const delay = crashed ? crashBackoffMs(++this.#crashes[slot]!) : 0;
    this.#spec.logger[crashed ? "warn" : "info"](
      { queue: this.#spec.queue, slot, jobs, crashes: this.#crashes[slot] },
      `${what} (queue "${this.#spec.queue}", ${jobs} job(s) failed); starting a new one${delay > 0 ? ` in ${delay} ms` : ""}`,
    );
    this.#respawns[slot] = setTimeout(() => {
      this.#respawns[slot] = undefined;
      if (!this.#closing) this.#spawn(slot);
    }, delay);
  }
}
