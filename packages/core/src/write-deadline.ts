import { VerkError } from "./errors.js";

/** Default deadline of enqueue, schedule and their bulk forms, in ms (`createVerk({ writeTimeoutMs })`). */
export const DEFAULT_WRITE_TIMEOUT_MS = 10_000;

/**
 * `work`, or a `WRITE_TIMEOUT` rejection once `timeoutMs` passed without an answer (the store may
 * still complete the write later: the job may or may not have been written). `timeoutMs <= 0`
 * waits as long as `work` takes. `what` names the call (`enqueue`, `scheduleBulk`, …) and `jobs`
 * what it writes (a jid, or a count), for the message.
 * @throws VerkError `WRITE_TIMEOUT`.
 */
export function withWriteDeadline<T>(
  what: string,
  jobs: string,
  timeoutMs: number,
  work: Promise<T>,
): Promise<T> {
  if (!(timeoutMs > 0) || !Number.isFinite(timeoutMs)) return work;
  let timer: NodeJS.Timeout | undefined;
  const deadline = new Promise<never>((_, reject) => {
    timer = setTimeout(() => {
      reject(
        new VerkError(
          "WRITE_TIMEOUT",
          `${what} of ${jobs} got no answer from the store within ${timeoutMs} ms (writeTimeoutMs): the job(s) may or may not have been written. Enqueue again only if the handler is idempotent; a late write still lands when the store answers`,
        ),
      );
    }, timeoutMs);
  });
  work.catch(() => {}); // a late failure after the deadline is not unhandled
  return Promise.race([work, deadline]).finally(() => clearTimeout(timer));
}
