import type { JobPayload } from "./job.js";

/**
 * What a handler's `this` computes the same way in-process and in an isolated thread or
 * process: `jid` and `retryCount` from the payload, and an abort signal created on first use
 * (so jobs that never look at it cost nothing). @internal
 */
export abstract class JobContextBase {
  abstract readonly job: JobPayload;
  #controller: AbortController | undefined;

  get jid(): string {
    return this.job.jid;
  }

  get retryCount(): number | undefined {
    return typeof this.job.retry_count === "number" ? this.job.retry_count : undefined;
  }

  get signal(): AbortSignal {
    this.#controller ??= new AbortController();
    return this.#controller.signal;
  }

  /** Abort the handler's signal with `reason` (once; later calls do nothing). */
  abort(reason: unknown): void {
    this.#controller ??= new AbortController();
    if (!this.#controller.signal.aborted) this.#controller.abort(reason);
  }
}
