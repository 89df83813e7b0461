import type { VerkEventMap, VerkEventName } from "../events.js";
import type { Logger } from "../logger.js";
import type { RunningJob } from "../queue-info.js";
import type { VerkStore } from "../store.js";

/** What the liveness policy needs from its node. @internal */
export interface LivenessNode {
  readonly nodeId: string;
  readonly store: VerkStore;
  readonly logger: Logger;
  /** The queues this node runs now. */
  queueNames(): string[];
  /** The jobs this node holds now. */
  runningJobs(): RunningJob[];
  /** Emit a lifecycle event on the node's hub. */
  emit<E extends VerkEventName>(event: E, payload: VerkEventMap[E]): void;
  /** Called after each beat this node wrote itself (e.g. to renew what lives as long as it beats). */
  afterBeat?(): void;
}
