import { VerkError } from "./errors.js";

/** Default deadline of enqueue, schedule and their bulk forms, in ms (`createVerk({ writeTimeoutMs })`). */
export const DEFAULT_WRITE_TIMEOUT_MS = 10_000;

/** One write waiting for its answer. */
interface PendingWrite {
  /** `performance.now()` at which it times out. */
  readonly at: number;
  readonly what: string;
  readonly jobs: string | (() => string);
  reject(error: VerkError): void;
}

/**
 * The pending writes of one timeout, oldest first: with one timeout for all, insertion order is
 * deadline order, so a sweep stops at the first write not yet due. One interval timer per
 * timeout runs while writes are pending (instead of a timer and a race per write, which cost the
 * hot enqueue path about a microsecond each); a write times out at most `period` ms late.
 */
class DeadlineQueue {
  readonly #timeoutMs: number;
  readonly #period: number;
  readonly #pending = new Set<PendingWrite>();
  #timer: NodeJS.Timeout | undefined;

  constructor(timeoutMs: number) {
    this.#timeoutMs = timeoutMs;
    this.#period = Math.min(100, Math.max(5, Math.round(timeoutMs / 20)));
  }

  add(write: PendingWrite): void {
    this.#pending.add(write);
    this.#timer ??= setInterval(() => this.#sweep(), this.#period);
  }

  delete(write: PendingWrite): void {
    this.#pending.delete(write);
    if (this.#pending.size === 0) this.#stop();
  }

  #sweep(): void {
    const now = performance.now();
    for (const write of this.#pending) {
      if (write.at > now) break;
      this.#pending.delete(write);
      write.reject(
        timeoutError(write.what, typeof write.jobs === "string" ? write.jobs : write.jobs(), this.#timeoutMs),
      );
    }
    if (this.#pending.size === 0) this.#stop();
  }

  #stop(): void {
    if (this.#timer === undefined) return;
    clearInterval(this.#timer);
    this.#timer = undefined;
  }
}

const queues = new Map<number, DeadlineQueue>();

function timeoutError(what: string, jobs: string, timeoutMs: number): VerkError {
  return new VerkError(
    "WRITE_TIMEOUT",
    `${what} of ${jobs} got no answer from the store within ${timeoutMs} ms (writeTimeoutMs): the job(s) may or may not have been written. Enqueue again only if the handler is idempotent; a late write still lands when the store answers`,
  );
}

/**
 * `work`, or a `WRITE_TIMEOUT` rejection once `timeoutMs` passed without an answer (at most
 * `min(100, timeoutMs / 20)` ms later; the store may still complete the write: the job may or may
 * not have been written). `timeoutMs <= 0` waits as long as `work` takes. `what` names the call
 * (`enqueue`, `scheduleBulk`, …) and `jobs` what it writes (a jid or a count, or a function that
 * gives it, only called for the message).
 * @throws VerkError `WRITE_TIMEOUT`.
 */
export function withWriteDeadline<T>(
  what: string,
  jobs: string | (() => string),
  timeoutMs: number,
  work: Promise<T>,
): Promise<T> {
  if (!(timeoutMs > 0) || !Number.isFinite(timeoutMs)) return work;
  let queue = queues.get(timeoutMs);
  if (queue === undefined) {
    queue = new DeadlineQueue(timeoutMs);
    queues.set(timeoutMs, queue);
  }
  const deadlines = queue;
  return new Promise<T>((resolve, reject) => {
    const write: PendingWrite = { at: performance.now() + timeoutMs, what, jobs, reject };
    deadlines.add(write);
    // A late answer after the deadline settles nothing more (and a late failure is not unhandled).
    work.then(
      (value) => {
        deadlines.delete(write);
        resolve(value);
      },
      (error: unknown) => {
        deadlines.delete(write);
        reject(error);
      },
    );
  });
}
