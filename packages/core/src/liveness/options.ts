import { invalidOption } from "../errors.js";
import { assertKnownKeys } from "../known-keys.js";

/**
 * Liveness settings of a node (`createVerk({ liveness })`): how often it beats, how long a
 * silent node is given before live peers declare it dead and put its in-progress jobs back.
 *
 * Safe ranges: a node is declared dead once it has not beaten for `nodeTtlMs` (plus up to two
 * heartbeats of confirmation), so `nodeTtlMs` must exceed the longest pause the process can take:
 * GC pauses (tens to hundreds of ms), a busy machine, and synchronous handler code. A thread of its
 * own keeps the heartbeat alive while the event loop is blocked, up to `maxEventLoopBlockMs`; a
 * loop blocked longer than that is treated as dead on purpose. Keep `heartbeatMs` >= 100 ms and
 * `nodeTtlMs` >= 3 × `heartbeatMs`; the defaults (5 s, 30 s) suit production, values as low as
 * 250 ms / 1 s suit tests on an idle machine only.
 */
export interface LivenessOptions {
  /**
   * Milliseconds between two heartbeats (and scans for dead peers). `0` turns heartbeats and
   * dead-peer recovery off. (Default: 5,000, or `nodeTtlMs / 6` when only that is given)
   */
  heartbeatMs?: number;
  /**
   * Milliseconds a heartbeat lives: a node silent this long is dead and its jobs are recovered by
   * a live peer. At least 3 × `heartbeatMs`. (Default: 30,000, or 6 × `heartbeatMs` when only that is given)
   */
  nodeTtlMs?: number;
  /** A job recovered from dead nodes more than this many times goes to the dead set as a poison pill. (Default: 3) */
  maxRecoveries?: number;
  /**
   * Longest the event loop may be blocked while a helper thread keeps the heartbeat alive, in
   * milliseconds; blocked longer, the node stops beating and is recovered like a dead one.
   * `0` turns the helper thread off (beats come from the event loop only). (Default: 60,000)
   */
  maxEventLoopBlockMs?: number;
}

/** {@link LivenessOptions} with defaults applied. */
export interface ResolvedLiveness {
  readonly heartbeatMs: number;
  readonly nodeTtlMs: number;
  readonly maxRecoveries: number;
  readonly maxEventLoopBlockMs: number;
}

/** Default heartbeat interval (ms). */
export const DEFAULT_HEARTBEAT_MS = 5_000;
/** Default heartbeat TTL (ms). */
export const DEFAULT_NODE_TTL_MS = 30_000;
/** Default maximum recoveries of one job before it is dead-lettered. */
export const DEFAULT_MAX_RECOVERIES = 3;
/** Default longest event-loop block covered by the keep-alive thread (ms). */
export const DEFAULT_MAX_EVENT_LOOP_BLOCK_MS = 60_000;
/** Every option name of {@link LivenessOptions}. */
export const LIVENESS_OPTIONS = ["heartbeatMs", "nodeTtlMs", "maxRecoveries", "maxEventLoopBlockMs"] as const;

function integer(field: string, value: number | undefined, min: number): number | undefined {
  if (value === undefined) return undefined;
  if (typeof value !== "number" || !Number.isInteger(value) || value < min) {
    throw invalidOption(field, `expected an integer >= ${min}, got ${JSON.stringify(value)}`);
  }
  return value;
}

/**
 * Validate liveness options over `defaults` (e.g. the store's), deriving the heartbeat from the
 * TTL and the other way round when only one is given.
 * @throws VerkError `INVALID_OPTION` naming the field, e.g. for a TTL under 3 heartbeats.
 */
export function resolveLiveness(
  options: LivenessOptions = {},
  defaults: LivenessOptions = {},
  where = "liveness",
): ResolvedLiveness {
  assertKnownKeys(options, LIVENESS_OPTIONS, where);
  const merged = { ...defaults, ...stripUndefined(options) };
  const heartbeat = integer(`${where}.heartbeatMs`, merged.heartbeatMs, 0);
  const ttl = integer(`${where}.nodeTtlMs`, merged.nodeTtlMs, 1);
  let heartbeatMs: number;
  let nodeTtlMs: number;
  if (heartbeat === undefined && ttl === undefined) {
    heartbeatMs = DEFAULT_HEARTBEAT_MS;
    nodeTtlMs = DEFAULT_NODE_TTL_MS;
  } else if (ttl === undefined) {
    heartbeatMs = heartbeat!;
    nodeTtlMs = heartbeatMs === 0 ? DEFAULT_NODE_TTL_MS : heartbeatMs * 6;
  } else if (heartbeat === undefined) {
    nodeTtlMs = ttl;
    heartbeatMs = Math.max(1, Math.floor(ttl / 6));
  } else {
    heartbeatMs = heartbeat;
    nodeTtlMs = ttl;
  }
  if (heartbeatMs > 0 && nodeTtlMs < 3 * heartbeatMs) {
    throw invalidOption(
      `${where}.nodeTtlMs`,
      `must be at least 3 heartbeats (${3 * heartbeatMs} ms for heartbeatMs ${heartbeatMs}), got ${nodeTtlMs}`,
    );
  }
  return {
    heartbeatMs,
    nodeTtlMs,
    maxRecoveries: integer(`${where}.maxRecoveries`, merged.maxRecoveries, 0) ?? DEFAULT_MAX_RECOVERIES,
    maxEventLoopBlockMs:
      integer(`${where}.maxEventLoopBlockMs`, merged.maxEventLoopBlockMs, 0) ??
      DEFAULT_MAX_EVENT_LOOP_BLOCK_MS,
  };
}

function stripUndefined<T extends object>(value: T): Partial<T> {
  return Object.fromEntries(Object.entries(value).filter(([, v]) => v !== undefined)) as Partial<T>;
}
