/**
 * Optional store capability: a capped, append-only log of events shared by every node
 * (in Redis a stream, `verk:events`, trimmed with `XADD MAXLEN ~`). Used by `@verk/events`.
 */

/** One entry of the log. */
export interface EventLogEntry {
  /** Position in the log (a Redis stream id such as `"1700000000000-0"`); strictly increasing. */
  readonly id: string;
  /** The entry text (JSON written by the producer). */
  readonly data: string;
}

/** A reader of the log with its own connection (blocking reads must not share the command connection). */
export interface EventLogReader {
  /**
   * Entries after `afterId` (`"0"` = from the start, `"$"` = only new ones), at most `count`;
   * waits up to `blockMs` ms when none is there yet (0 = do not wait).
   */
  read(afterId: string, count: number, blockMs: number): Promise<EventLogEntry[]>;
  /** Cut a pending blocking read short and release the connection. Idempotent. */
  close(): Promise<void>;
}

/** The shared event log; see the module note. */
export interface EventLogCapability {
  /** Append `entries` in one round trip, trimming the log to about `maxLen` entries. */
  append(entries: readonly string[], maxLen: number): Promise<void>;
  /** The id of the newest entry, or `"0-0"` when the log is empty. */
  lastId(): Promise<string>;
  /** Open a reader. */
  openReader(): EventLogReader;
}
