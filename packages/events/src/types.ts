import type { VerkEventMap, VerkEventName } from "@verk/core";

/** Core events forwarded to the bus (every core event). */
export const FORWARDED_EVENTS = [
  "job:started",
  "job:finished",
  "job:failed",
  "job:retried",
  "job:dead",
  "job:unacked",
  "job:malformed",
  "job:duplicate",
  "job:expired",
  "job:limited",
  "queue:running",
  "queue:pausing",
  "queue:paused",
  "node:up",
  "node:down",
  "jobs:recovered",
  "error",
] as const satisfies readonly VerkEventName[];

/** A forwarded core event name. */
export type ForwardedEvent = (typeof FORWARDED_EVENTS)[number];

/** Reported on the bus when a handler throws or rejects. */
export interface HandlerErrorEvent {
  /** The event the handler was handling. */
  readonly event: string;
  /** What it threw. */
  readonly error: unknown;
  /** True when the handler was removed (`onHandlerError: "detach"`). */
  readonly detached: boolean;
  /** When, epoch ms. */
  readonly at: number;
}

/**
 * The events of the bus: every core event's payload (job, queue, node, start time and, where
 * it applies, the error and `durationMs`) plus `at`, the epoch ms it was emitted; and
 * `handler:error`.
 */
export type BusEventMap = { [E in ForwardedEvent]: VerkEventMap[E] & { readonly at: number } } & {
  "handler:error": HandlerErrorEvent;
};

/** A bus event name. */
export type BusEventName = keyof BusEventMap;

/** A bus handler; may be async (see the buffering policy of `EventBus`). */
export type BusHandler<E extends BusEventName> = (payload: BusEventMap[E]) => void | Promise<void>;
