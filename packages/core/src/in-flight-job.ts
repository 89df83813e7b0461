import type { HeldSlot } from "./capabilities/flow.js";
import type { JobPayload } from "./job.js";
import { JobContextBase } from "./job-context-base.js";
import type { Logger } from "./logger.js";
import type { JobContext } from "./worker.js";

/** The carrier of runs no plugin wrote to (shared, frozen). */
export const EMPTY_CARRIER: Record<string, string> = Object.freeze({}) as Record<string, string>;

/** One job this node holds in its in-progress list; `this` of its handler. @internal */
export class InFlightJob extends JobContextBase implements JobContext {
  /** The payload's exact stored bytes: its identity in the in-progress list. */
  readonly raw: Buffer;
  /** The payload decoded as UTF-8 (set once it was checked to be valid UTF-8). */
  text!: string;
  readonly queue: string;
  readonly startedAt: number = Date.now();
  readonly logger: Logger;
  job!: JobPayload;
  /** Set when the job was handed back to the queue (hard stop); its outcome is then not written. */
  abandoned = false;
  /** Headers plugins attached to this run (`aroundPerform`); crosses into an isolated thread. */
  carrier: Record<string, string> = EMPTY_CARRIER;
  /** The concurrency slot of its class's limit it holds while its handler runs (flow control). */
  slot: HeldSlot | undefined;

  constructor(queue: string, raw: Buffer, logger: Logger) {
    super();
    this.queue = queue;
    this.raw = raw;
    this.logger = logger;
  }
}
