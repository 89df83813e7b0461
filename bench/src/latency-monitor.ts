import type { Redis } from "ioredis";

/** Redis latency-monitor threshold the bench sets, ms: any event at least this long is recorded. */
export const LATENCY_THRESHOLD_MS = 10;

/** The worst event Redis's latency monitor recorded since the last reset. */
export interface WorstLatency {
  /** Longest single event, ms (0 when none reached the threshold). */
  ms: number;
  /** Its event name, e.g. `command` (a slow command or script call), `fast-command`, `expire-cycle`. */
  event: string | undefined;
}

/** `CONFIG SET latency-monitor-threshold 10`: from now on Redis records every event of 10 ms or more. */
export async function enableLatencyMonitor(admin: Redis): Promise<void> {
  await admin.config("SET", "latency-monitor-threshold", String(LATENCY_THRESHOLD_MS));
}

/** `LATENCY RESET`: forget the recorded events (call right before the measured part of a workload). */
export async function resetLatency(admin: Redis): Promise<void> {
  await admin.call("LATENCY", "RESET");
}

/**
 * The worst event of `LATENCY LATEST` (entries `[event, time, latest ms, max ms]`): a script call
 * that blocked Redis for 10 ms or more shows up as a `command` event of that many ms.
 */
export async function worstLatency(admin: Redis): Promise<WorstLatency> {
  const reply = (await admin.call("LATENCY", "LATEST")) as [string, number, number, number][];
  let worst: WorstLatency = { ms: 0, event: undefined };
  for (const [event, , , max] of reply) if (Number(max) > worst.ms) worst = { ms: Number(max), event };
  return worst;
}
