import { VerkError } from "../errors.js";
import type { VerkStore } from "../store.js";
import type { CronRegistryCapability } from "./cron-registry.js";
import type { DueWatchCapability } from "./due-watch.js";
import type { EventLogCapability } from "./event-log.js";
import type { FlowCapability } from "./flow.js";
import type { LeaseCapability } from "./lease.js";
import type { NodesCapability } from "./nodes.js";
import type { OnceCapability } from "./once.js";
import type { QueueInspectCapability } from "./queue-inspect.js";
import type { StatsCapability } from "./stats.js";

/**
 * Optional features a store may offer beyond {@link VerkStore}'s queue semantics, for the
 * add-ons (`@verk/stats`, `@verk/events`, `@verk/scheduler`). Each is absent when unsupported.
 */
export interface StoreCapabilities {
  /** Persisted Sidekiq counters and history. */
  readonly stats?: StatsCapability;
  /** Oldest waiting job per queue and next due time. */
  readonly queueInspect?: QueueInspectCapability;
  /** Named leases for leader election. */
  readonly lease?: LeaseCapability;
  /** Exactly-once markers. */
  readonly once?: OnceCapability;
  /** The periodic jobs registry. */
  readonly cronRegistry?: CronRegistryCapability;
  /** The shared, capped event log. */
  readonly eventLog?: EventLogCapability;
  /** "A job became due earlier" notifications. */
  readonly dueWatch?: DueWatchCapability;
  /** The node registry and heartbeats (liveness, crash recovery). */
  readonly nodes?: NodesCapability;
  /** Unique-job locks, cluster-wide limits and expired-job skipping (issue #14). */
  readonly flow?: FlowCapability;
}

/** A capability name. */
export type CapabilityName = keyof StoreCapabilities;

/**
 * The capability `name` of `store`, or a `VerkError("INVALID_OPTION")` naming the add-on that
 * needs it and the store kind that lacks it.
 */
export function requireCapability<N extends CapabilityName>(
  store: VerkStore,
  name: N,
  addon: string,
): NonNullable<StoreCapabilities[N]> {
  const capability = store.capabilities?.[name];
  if (!capability) {
    throw new VerkError(
      "INVALID_OPTION",
      `${addon} needs a store with the "${name}" capability; the "${store.kind}" store does not provide it (use @verk/redis-store)`,
      { field: "store" },
    );
  }
  return capability as NonNullable<StoreCapabilities[N]>;
}
