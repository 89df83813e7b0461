import { JobTimeoutError, UnknownWorkerError } from "./errors.js";
import { EXECUTION_OK, type ExecutionResult, type JobExecutor } from "./executor.js";
import type { InFlightJob } from "./in-flight-job.js";
import { runInJobScope } from "./job-scope.js";
import type { JobContext, WorkerDefinition, WorkerRegistry } from "./worker.js";

/**
 * Runs handlers in this process, on the main event loop (`isolation: "none"`, the default).
 * A handler that times out keeps running (JavaScript cannot stop it): its result reports
 * `bodyDone`, so its slot stays taken until it returns. @internal
 */
export class InProcessExecutor implements JobExecutor {
  readonly isolated = false;
  readonly #registry: WorkerRegistry;

  constructor(registry: WorkerRegistry) {
    this.#registry = registry;
  }

  async execute(flight: InFlightJob): Promise<ExecutionResult> {
    const worker = this.#registry.forJob(flight.job);
    if (!worker) return { ok: false, error: new UnknownWorkerError(flight.job.class) };
    return invoke(worker, flight);
  }

  async close(): Promise<void> {}
}

/**
 * Call the handler; a sync throw, a rejection, a timeout, or an error thrown inside a callback
 * the handler scheduled (attributed through the job scope) all end as `ok: false`.
 */
function invoke(worker: WorkerDefinition<never>, flight: InFlightJob): Promise<ExecutionResult> {
  // One promise settled by whichever comes first: the handler, a crash attributed to the job, or
  // the timeout. (Cheaper than racing three promises: with the job scope's AsyncLocalStorage
  // every promise in the process pays for promise hooks.)
  const timeoutMs = worker.options.timeout;
  return new Promise<ExecutionResult>((resolve) => {
    let timer: NodeJS.Timeout | undefined;
    let settled = false;
    let bodyEnded: (() => void) | undefined;
    const finish = (result: ExecutionResult) => {
      if (settled) return;
      settled = true;
      if (timer !== undefined) clearTimeout(timer);
      resolve(result);
    };
    const done = () => {
      bodyEnded?.();
      finish(EXECUTION_OK);
    };
    const fail = (error: unknown) => {
      bodyEnded?.();
      finish({ ok: false, error });
    };
    if (timeoutMs !== undefined) {
      timer = setTimeout(() => {
        const error = new JobTimeoutError(worker.name, timeoutMs);
        flight.abort(error);
        const bodyDone = new Promise<void>((resolveBody) => {
          bodyEnded = resolveBody;
        });
        finish({ ok: false, error, bodyDone });
      }, timeoutMs);
    }
    const scoped = {
      queue: flight.queue,
      jid: flight.job.jid,
      crash: (error: unknown) => {
        flight.abort(error);
        fail(error);
      },
    };
    runInJobScope(scoped, () => {
      try {
        const result = (worker.perform as (this: JobContext, ...args: unknown[]) => unknown).apply(
          flight,
          flight.job.args,
        );
        // A handler that settles after a timeout or crash is ignored (never an unhandled rejection).
        if (result !== null && typeof (result as PromiseLike<unknown>)?.then === "function") {
          (result as PromiseLike<unknown>).then(done, fail);
        } else done();
      } catch (error) {
        fail(error);
      }
    });
  });
}
