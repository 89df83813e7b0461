/** The state of a queue on this node. */
export type QueueStatus = "running" | "pausing" | "paused" | "stopping" | "stopped";

/** A snapshot of one queue on this node. */
export interface QueueInfo {
  /** Queue name. */
  readonly name: string;
  /** Maximum jobs in flight on this node. */
  readonly concurrency: number;
  /** Jobs of this queue held by this node now: running, or finished and waiting for their ack. */
  readonly running: number;
  /** Current state. */
  readonly status: QueueStatus;
}

/** A job this node holds (running, or finished and waiting for its ack or failure write). */
export interface RunningJob {
  /** Queue it came from. */
  readonly queue: string;
  /** Its exact stored bytes. */
  readonly raw: Buffer;
  /** When it started, epoch ms. */
  readonly startedAt: number;
  /** Its jid, once the payload was read (`undefined` before, or for an unreadable payload). */
  readonly jid: string | undefined;
  /** Its class, once the payload was read. */
  readonly className: string | undefined;
}
