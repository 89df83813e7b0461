import type { Services } from "./context.js";
import type { NavCounts } from "./html/layout.js";

/** The numbers the navigation and the live stream show. */
export interface Summary extends NavCounts {
  readonly processed: number;
  readonly failed: number;
  readonly processes: number;
  /** When it was read, epoch ms. */
  readonly at: number;
}

/** Reads {@link Summary}, sharing one read between callers within `maxAgeMs` (the live stream's fan-out). */
export class SummaryCache {
  readonly #services: Services;
  readonly #maxAgeMs: number;
  #last: { at: number; value: Promise<Summary> } | undefined;

  constructor(services: Services, maxAgeMs = 900) {
    this.#services = services;
    this.#maxAgeMs = maxAgeMs;
  }

  /** The summary, at most `maxAgeMs` old. */
  get(): Promise<Summary> {
    const now = Date.now();
    if (this.#last && now - this.#last.at < this.#maxAgeMs) return this.#last.value;
    const value = this.#read();
    this.#last = { at: now, value };
    value.catch(() => {
      if (this.#last?.value === value) this.#last = undefined;
    });
    return value;
  }

  async #read(): Promise<Summary> {
    const { reader, admin } = this.#services;
    const [totals, processes] = await Promise.all([reader.totals(), admin.processes()]);
    return {
      processed: totals.processed,
      failed: totals.failed,
      enqueued: totals.enqueued,
      retries: totals.retries,
      scheduled: totals.scheduled,
      dead: totals.dead,
      busy: processes.reduce((sum, p) => sum + p.busy, 0),
      processes: processes.length,
      at: Date.now(),
    };
  }
}
