import type { Verk } from "./verk.js";

/**
 * An add-on (`@verk/stats`, `@verk/events`, `@verk/scheduler`, or your own), plugged in with
 * `createVerk({ plugins: [...] })`. Hooks may subscribe to events with `verk.on(...)` and use
 * `verk.store`. A hook that throws fails `start()`/`stop()` loudly rather than being ignored.
 */
export interface VerkPlugin {
  /** Name used in logs and errors. */
  readonly name: string;
  /** Called once, synchronously, from `createVerk`. */
  setup?(verk: Verk): void;
  /** Called by `start()` after the store connected and before queues fetch. */
  start?(verk: Verk): void | Promise<void>;
  /** Called by `stop()` after the queues drained and before the store closes. */
  stop?(verk: Verk): void | Promise<void>;
}
