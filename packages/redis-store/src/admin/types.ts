/** The sorted sets the admin API operates on (Sidekiq's names). */
export type AdminSetName = "schedule" | "retry" | "dead";

/** One entry of the `schedule`, `retry` or `dead` set, with the payload fields an operator needs. */
export interface SetEntry {
  /** The set it was read from. */
  readonly set: AdminSetName;
  /** Its score: run-at (schedule), next retry (retry) or time of death (dead), epoch seconds. */
  readonly score: number;
  /** The member exactly as stored (the identity for ZREM). */
  readonly raw: string;
  /** The parsed payload, or `undefined` when the member is not a JSON object. */
  readonly payload: Record<string, unknown> | undefined;
  /** `jid`, or `""` when missing. */
  readonly jid: string;
  /** Display class (`display_class`, `wrapped` or `class`), or `""`. */
  readonly className: string;
  /** `queue`, or `""`. */
  readonly queue: string;
  /** `error_class: error_message`, or `""` when the job never failed. */
  readonly error: string;
  /** `retry_count`, when present. */
  readonly retryCount: number | undefined;
}

/** Filters and paging of {@link RedisAdmin.list}. All filters must match. */
export interface ListOptions {
  /** Skip this many matching entries. (Default: 0) */
  offset?: number;
  /** Return at most this many entries. (Default: 25) */
  limit?: number;
  /** Keep entries whose class (or display class) equals this. (Default: any) */
  className?: string;
  /** Keep entries of this queue. (Default: any) */
  queue?: string;
  /** Keep entries whose error class or message contains this text, case-insensitively. (Default: any) */
  errorText?: string;
}

/** A page of {@link RedisAdmin.list}. */
export interface ListPage {
  /** Entries of the set (ZCARD). */
  readonly total: number;
  /** Entries matching the filters (equals `total` without filters). */
  readonly matched: number;
  /** The page, in display order: schedule and retry soonest first, dead newest first. */
  readonly entries: SetEntry[];
}

/** What an action on entries did. */
export interface ActionResult {
  /** Entries moved or deleted by this call. */
  readonly done: number;
  /** Entries that were no longer in the set (taken meanwhile, e.g. by a scheduler). */
  readonly gone: number;
  /** Entries left in place because they cannot be enqueued (no readable `queue`). */
  readonly invalid: number;
}

/** Called after each batch of a bulk action with how many entries were handled so far and the total. */
export type ProgressFn = (handled: number, total: number) => void;

/** One queue as stored. */
export interface AdminQueue {
  /** Name without `queue:`. */
  readonly name: string;
  /** Jobs waiting (LLEN). */
  readonly size: number;
  /** Seconds since the oldest waiting job's `enqueued_at`; 0 when empty. */
  readonly latencySeconds: number;
  /** Paused for every node. */
  readonly paused: boolean;
}

/** A job running on a process, from its `<id>:work` (or `<id>:workers`) hash. */
export interface BusyJob {
  /** Identity of the process running it. */
  readonly process: string;
  /** Queue it was fetched from. */
  readonly queue: string;
  /** When it started, epoch seconds. */
  readonly runAt: number;
  /** The payload JSON as fetched. */
  readonly raw: string;
  readonly jid: string;
  readonly className: string;
}

/** A live process (a Verk node or a Sidekiq process) from Sidekiq's `processes` layout. */
export interface AdminProcess {
  /** `<hostname>:<pid>:<hex>`. */
  readonly identity: string;
  readonly hostname: string;
  readonly pid: number;
  readonly tag: string;
  /** Queue names it runs. */
  readonly queues: string[];
  /** Total concurrency. */
  readonly concurrency: number;
  /** When it started, epoch seconds. */
  readonly startedAt: number;
  /** Last heartbeat, epoch seconds. */
  readonly beat: number;
  /** Jobs running now (heartbeat `busy`). */
  readonly busy: number;
  /** Quieted (TSTP): no longer fetching. */
  readonly quiet: boolean;
  /** Resident memory in KB. */
  readonly rssKb: number;
  /** The jobs it runs now. */
  readonly jobs: BusyJob[];
}
