import { type ResolvedLiveness, resolveLiveness as resolveCoreLiveness } from "@verk/core";

/**
 * Liveness options accepted by `redisStore()` for older configurations: they are the defaults of
 * the node's liveness policy, which runs in core; prefer `createVerk({ liveness })`, which
 * overrides them. See core's `LivenessOptions` for their meaning and safe ranges.
 */
export interface LivenessOptions {
  /** Milliseconds between heartbeats; `0` turns heartbeats off. (Default: 5,000, or `nodeTtlMs / 6`) */
  heartbeatMs?: number;
  /** Milliseconds a heartbeat lives; at least 3 × `heartbeatMs`. (Default: 30,000, or 6 × `heartbeatMs`) */
  nodeTtlMs?: number;
  /** Recoveries of one job before it goes to the dead set as a poison pill. (Default: 3) */
  maxRecoveries?: number;
}

export type { ResolvedLiveness };

/** Validate the store's liveness options (same rules as `createVerk({ liveness })`). */
export function resolveLiveness(options: LivenessOptions = {}): ResolvedLiveness {
  const { heartbeatMs, nodeTtlMs, maxRecoveries } = options;
  return resolveCoreLiveness({ heartbeatMs, nodeTtlMs, maxRecoveries }, {}, "redisStore");
}
