import type { ExecutionResult } from "../executor.js";
import type { InFlightJob } from "../in-flight-job.js";
import type { IsolationResourceLimits } from "./options.js";
import type {
  AbortOrder,
  FatalMessage,
  InitData,
  OrderBatch,
  RunOrder,
  WorkerInfo,
  WorkerMessage,
} from "./protocol.js";
import { type ExitInfo, spawnTransport, type Transport } from "./transport.js";

/** One job handed to a pool: settles once with its result; its body may end later. @internal */
export interface Run {
  readonly id: number;
  readonly flight: InFlightJob;
  readonly info: WorkerInfo;
  readonly resolve: (result: ExecutionResult) => void;
  /** True once `resolve` was called (e.g. at its timeout, while the body still runs). */
  settled: boolean;
  member?: PoolMember | undefined;
  timer?: NodeJS.Timeout | undefined;
  /** Set at the timeout: called when the body really ended. */
  bodyEnded?: (() => void) | undefined;
}

/** What a member tells its pool. @internal */
export interface MemberEvents {
  message(member: PoolMember, message: WorkerMessage): void;
  exit(member: PoolMember, exit: ExitInfo): void;
}

/**
 * One thread or process of a pool, in slot `slot`, running up to `capacity` jobs at once.
 * Orders of one event-loop turn go out as one message. @internal
 */
export class PoolMember {
  readonly slot: number;
  readonly capacity: number;
  readonly kind: "thread" | "process";
  readonly startedAt = Date.now();
  readonly runs = new Map<number, Run>();
  state: "starting" | "ready" | "exited" = "starting";
  /** Set when the pool terminated it on purpose (timeout, stop): not a crash. */
  terminatedFor: string | undefined;
  fatal: FatalMessage | undefined;
  startTimer: NodeJS.Timeout | undefined;
  /** Resolves once the thread or process is gone. */
  readonly exited: Promise<void>;
  readonly #transport: Transport;
  #run: RunOrder[] = [];
  #abort: AbortOrder[] = [];
  #scheduled = false;
  readonly #flush = () => this.#send();

  constructor(
    entry: string,
    init: InitData,
    limits: IsolationResourceLimits,
    slot: number,
    capacity: number,
    events: MemberEvents,
  ) {
    this.slot = slot;
    this.capacity = capacity;
    this.kind = init.mode;
    let gone!: () => void;
    this.exited = new Promise<void>((resolve) => {
      gone = resolve;
    });
    this.#transport = spawnTransport(entry, init, limits, {
      message: (message) => events.message(this, message),
      exit: (exit) => {
        this.state = "exited";
        events.exit(this, exit);
        gone();
      },
    });
  }

  /** Free places for jobs, when ready. */
  get free(): number {
    return this.state === "ready" ? this.capacity - this.runs.size : 0;
  }

  /** Start `run` here (sent with the rest of this turn's orders). */
  start(run: Run, text: string, carrier?: Record<string, string>): void {
    run.member = this;
    this.runs.set(run.id, run);
    this.#run.push(
      carrier === undefined || Object.keys(carrier).length === 0 ? [run.id, text] : [run.id, text, carrier],
    );
    this.#schedule();
  }

  /** Abort job `id`'s signal inside the thread or process. */
  abort(id: number, message: string): void {
    this.#abort.push([id, message]);
    this.#schedule();
  }

  /**
   * Kill it now. `reason` (a deliberate termination: timeout, stop) is what its other jobs fail
   * with; without one the exit counts as a crash. Its exit still arrives as an event.
   */
  terminate(reason?: string): void {
    if (reason !== undefined) this.terminatedFor ??= reason;
    if (this.state !== "exited") this.#transport.terminate();
  }

  #schedule(): void {
    if (this.#scheduled) return;
    this.#scheduled = true;
    setImmediate(this.#flush);
  }

  #send(): void {
    this.#scheduled = false;
    if (this.state === "exited" || (this.#run.length === 0 && this.#abort.length === 0)) return;
    const batch: { run?: RunOrder[]; abort?: AbortOrder[] } = {};
    if (this.#abort.length > 0) batch.abort = this.#abort;
    if (this.#run.length > 0) batch.run = this.#run;
    this.#run = [];
    this.#abort = [];
    this.#transport.post(batch as OrderBatch);
  }
}
