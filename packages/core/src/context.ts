import type { EventHub } from "./events.js";
import type { FlowGate } from "./flow/gate.js";
import type { LateWriteCause } from "./liveness/node-liveness.js";
import type { Logger } from "./logger.js";
import type { ResolvedOptions } from "./options.js";
import type { VerkPlugin } from "./plugin.js";
import type { DeadSetLimits, VerkStore } from "./store.js";
import type { TimestampUnit } from "./time.js";
import type { WorkerRegistry } from "./worker.js";

/** What every queue runner of one Verk instance shares. @internal */
export interface RunnerContext {
  readonly store: VerkStore;
  readonly nodeId: string;
  readonly registry: WorkerRegistry;
  readonly hub: EventHub;
  readonly logger: Logger;
  readonly maxRetries: number;
  readonly dead: DeadSetLimits;
  readonly fetchBlockMs: number;
  /** Unit of the payload times written on failure. (Default: `"seconds"`) */
  readonly timestamps?: TimestampUnit;
  /** Fetched payloads larger than this (bytes) go to the dead set unread. (Default: no limit) */
  readonly maxFetchPayloadBytes?: number;
  /**
   * Why an ack or failure found its job gone, for a job fetched at `since` (epoch ms); set once
   * the liveness policy runs (it may beat first to find out).
   */
  lateWriteCause?: (since: number) => Promise<LateWriteCause>;
  /** Called with the due time (epoch ms) of a retry this node just wrote, so it is promoted on time. */
  dueSoon?: (atMs: number) => void;
  /** Flow control (expired jobs, per-key limits, concurrency slots, unique locks); absent in bare test contexts. */
  readonly flow?: FlowGate;
  /** The plugins' `aroundPerform` wrappers, first plugin first (none: `undefined` or empty). */
  readonly performHooks?: readonly NonNullable<VerkPlugin["aroundPerform"]>[];
}

/** The context the queue runners of a Verk instance with `options` share. @internal */
export function runnerContext(
  options: ResolvedOptions,
  registry: WorkerRegistry,
  hub: EventHub,
  flow: FlowGate,
): RunnerContext {
  const { plugins } = options;
  return {
    store: options.store,
    nodeId: options.nodeId,
    registry,
    hub,
    logger: options.logger,
    maxRetries: options.maxRetries,
    dead: options.dead,
    fetchBlockMs: options.fetchBlockMs,
    timestamps: options.timestamps,
    maxFetchPayloadBytes: options.maxFetchPayloadBytes,
    performHooks: plugins.flatMap((p) => (p.aroundPerform ? [p.aroundPerform.bind(p)] : [])),
    flow,
  };
}
