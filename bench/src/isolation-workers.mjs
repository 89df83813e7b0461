// Worker module of the isolation workloads (`workerModule` of the bench's isolation node): the
// same definitions run in-process (registered as `workers`) and in worker threads.
import { defineWorker } from "@verk/core";

/** Busy-waits `ms` milliseconds of synchronous work. */
function spin(ms) {
  const end = performance.now() + ms;
  while (performance.now() < end) {}
}

/** 300 ms of synchronous work: the CPU hog. */
export const IsoHog = defineWorker("IsoHog", () => spin(300), { queue: "hog" });
/** Blocks the event loop for `ms` milliseconds (heartbeat-under-hog workload). */
export const IsoBlock = defineWorker("IsoBlock", (ms) => spin(ms), { queue: "hog" });
/** About 5 ms of synchronous work (multi-core workload). */
export const IsoSpin = defineWorker("IsoSpin", () => spin(5), { queue: "spin" });
/** Does nothing (overhead workload). */
export const IsoNoop = defineWorker("IsoNoop", () => {}, { queue: "noop" });
