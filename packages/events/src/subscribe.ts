import { assertKnownKeys, invalidOption, requireCapability, type VerkStore } from "@verk/core";
import { decodeEvent, type ReceivedEvent } from "./published.js";

/** Options of {@link subscribeEvents}. */
export interface SubscribeEventsOptions {
  /**
   * Where to start: `"$"` = only events published from now on, `"0"` = everything the capped
   * log still holds, a log id (resume after it), or a `Date` (events from that time). (Default: `"$"`)
   */
  from?: "$" | "0" | string | Date;
  /** Entries read per round trip. (Default: 100) */
  batchSize?: number;
  /** Milliseconds one blocking read waits before looping (bounds how fast `close()` takes effect). (Default: 1,000) */
  blockMs?: number;
  /**
   * `close()` also closes `store` (its connections), so the process can exit by itself. Pass
   * `false` when the store is shared with something that keeps using it (e.g. `verk.store`).
   * (Default: true)
   */
  closeStore?: boolean;
}

/** A live feed of every node's published events. Iterate it with `for await`. */
export interface EventSubscription extends AsyncIterable<ReceivedEvent> {
  /**
   * Stop reading and release the subscription's connection, and (unless `closeStore: false`) close
   * the store; a pending iteration ends. Idempotent.
   */
  close(): Promise<void>;
}

/**
 * Follow the events every node publishes (`events({ publish: true })`), from any process: a CLI,
 * a dashboard. Needs a store with the `eventLog` capability (`@verk/redis-store`).
 * `close()` ends the iteration and closes `store` too (unless `closeStore: false`).
 * @example
 * const feed = subscribeEvents(redisStore({ url }), { from: "$" });
 * process.once("SIGTERM", () => void feed.close());
 * for await (const e of feed) console.log(e.event, e.nodeId);
 * @throws VerkError `INVALID_OPTION` for a store without the capability or bad options.
 */
export function subscribeEvents(store: VerkStore, options: SubscribeEventsOptions = {}): EventSubscription {
  assertKnownKeys(
    options,
    ["from", "batchSize", "blockMs", "closeStore"] satisfies (keyof SubscribeEventsOptions)[],
    "subscribeEvents",
  );
  const log = requireCapability(store, "eventLog", "subscribeEvents");
  const batch = options.batchSize ?? 100;
  const blockMs = options.blockMs ?? 1_000;
  if (!Number.isInteger(batch) || batch < 1) throw invalidOption("batchSize", "must be a positive integer");
  if (!Number.isInteger(blockMs) || blockMs < 1) throw invalidOption("blockMs", "must be a positive integer");
  const from = options.from ?? "$";
  const closeStore = options.closeStore ?? true;
  const reader = log.openReader();
  let closed = false;
  let closing: Promise<void> | undefined;
  let started: Promise<string> | undefined;
  const start = async (): Promise<string> => {
    await store.connect();
    if (from instanceof Date) return `${Math.max(0, from.getTime() - 1)}-18446744073709551615`;
    if (from === "$") return log.lastId();
    return from;
  };
  async function* iterate(): AsyncGenerator<ReceivedEvent> {
    started ??= start();
    let cursor = await started;
    while (!closed) {
      const entries = await reader.read(cursor, batch, blockMs);
      for (const entry of entries) {
        cursor = entry.id;
        const event = decodeEvent(entry.id, entry.data);
        if (event && !closed) yield event;
      }
    }
  }
  return {
    [Symbol.asyncIterator]: () => iterate(),
    close() {
      closed = true;
      closing ??= (async () => {
        await reader.close();
        if (closeStore) await store.close();
      })();
      return closing;
    },
  };
}
