import type { RunnerContext } from "./context.js";
import { sleep } from "./time.js";

/** First and largest delay between attempts of a store write that failed, in ms. */
const FIRST_DELAY_MS = 50;
const MAX_DELAY_MS = 5_000;

/**
 * Run a store write (ack, fail, requeue) until it lands: on a rejection, report it and try
 * again with exponential backoff (50 ms doubling to 5 s). The Lua scripts are idempotent
 * against the in-progress list (a second ack/fail of the same job changes nothing), so a
 * retried write is never applied twice. Stops trying when `giveUp()` turns true and then
 * resolves `undefined`: the job stays in the in-progress list for recovery (at-least-once).
 */
export async function persist<T>(
  ctx: RunnerContext,
  what: string,
  queue: string,
  write: () => Promise<T>,
  giveUp: () => boolean,
): Promise<T | undefined> {
  let delay = FIRST_DELAY_MS;
  for (;;) {
    try {
      return await write();
    } catch (error) {
      ctx.logger.warn({ queue, err: error }, `${what} could not be written; retrying in ${delay} ms`);
      ctx.hub.emit("error", { error, context: what, queue });
      if (giveUp()) return undefined;
      await sleep(delay);
      if (giveUp()) return undefined;
      delay = Math.min(delay * 2, MAX_DELAY_MS);
    }
  }
}
