import { VerkError } from "@verk/core";

/** Liveness options of `redisStore()` (heartbeats, dead-peer recovery, poison pills). */
export interface LivenessOptions {
  /**
   * How often a started node refreshes its heartbeat key `verk:node:<id>` and scans the node
   * registry for dead peers, in milliseconds. `0` turns heartbeats and dead-peer recovery off.
   * (Default: 5,000)
   */
  heartbeatMs?: number;
  /**
   * TTL of the heartbeat key, in milliseconds: a node that has not refreshed it for this long
   * is dead and its in-progress jobs are put back on their queues by a live peer. Must exceed
   * `heartbeatMs`; a pause (GC, network) longer than this causes duplicate runs. (Default: 30,000)
   */
  nodeTtlMs?: number;
  /**
   * A job recovered from dead nodes more than this many times goes to the dead set as a poison
   * pill instead of being put back. (Default: 3)
   */
  maxRecoveries?: number;
}

/** {@link LivenessOptions} with defaults applied. */
export interface ResolvedLiveness {
  readonly heartbeatMs: number;
  readonly nodeTtlMs: number;
  readonly maxRecoveries: number;
}

/** Default heartbeat interval (ms). */
export const DEFAULT_HEARTBEAT_MS = 5_000;
/** Default heartbeat key TTL (ms). */
export const DEFAULT_NODE_TTL_MS = 30_000;
/** Default maximum recoveries of one job before it is dead-lettered. */
export const DEFAULT_MAX_RECOVERIES = 3;

function invalid(field: string, message: string): VerkError {
  return new VerkError("INVALID_OPTION", `[redis-store] invalid option "${field}": ${message}`, { field });
}

function integer(field: string, value: number | undefined, fallback: number, min: number): number {
  if (value === undefined) return fallback;
  if (typeof value !== "number" || !Number.isInteger(value) || value < min) {
    throw invalid(field, `expected an integer >= ${min}, got ${JSON.stringify(value)}`);
  }
  return value;
}

/**
 * Validate the liveness options and apply defaults.
 * @throws VerkError `INVALID_OPTION` (with `field`) for a bad value or `nodeTtlMs <= heartbeatMs`.
 */
export function resolveLiveness(options: LivenessOptions = {}): ResolvedLiveness {
  const heartbeatMs = integer("heartbeatMs", options.heartbeatMs, DEFAULT_HEARTBEAT_MS, 0);
  const nodeTtlMs = integer(
    "nodeTtlMs",
    options.nodeTtlMs,
    Math.max(DEFAULT_NODE_TTL_MS, heartbeatMs * 2),
    1,
  );
  if (heartbeatMs > 0 && nodeTtlMs <= heartbeatMs) {
    throw invalid("nodeTtlMs", `must be greater than heartbeatMs (${heartbeatMs}), got ${nodeTtlMs}`);
  }
  const maxRecoveries = integer("maxRecoveries", options.maxRecoveries, DEFAULT_MAX_RECOVERIES, 0);
  return { heartbeatMs, nodeTtlMs, maxRecoveries };
}
