import { EventEmitter } from "eventemitter3";
import type { BusEventMap, BusEventName, BusHandler } from "./types.js";

/** Options of {@link EventBus}. */
export interface EventBusOptions {
  /**
   * What happens to a handler that throws or rejects: `"keep"` it subscribed, or `"detach"` it.
   * Either way the error is reported as a `handler:error` event and never reaches the job,
   * the queue or other handlers. (Default: `"keep"`)
   */
  onHandlerError?: "keep" | "detach";
  /** Events buffered per async handler while it is busy. (Default: 1,000) */
  bufferSize?: number;
  /** Which event to drop when a handler's buffer is full. (Default: `"oldest"`) */
  dropPolicy?: "oldest" | "newest";
  /** Called with unexpected errors in `handler:error` handlers (default: ignored). */
  onInternalError?: (error: unknown) => void;
}

/** Delivery of one handler: runs it isolated, one call at a time, with a bounded buffer. */
class Dispatcher {
  readonly #fn: (payload: unknown) => void | Promise<void>;
  readonly #bus: EventBus;
  readonly #event: BusEventName;
  readonly #once: boolean;
  #buffer: unknown[] = [];
  #busy = false;
  #gone = false;
  dropped = 0;

  constructor(
    bus: EventBus,
    event: BusEventName,
    fn: (payload: unknown) => void | Promise<void>,
    once: boolean,
  ) {
    this.#bus = bus;
    this.#event = event;
    this.#fn = fn;
    this.#once = once;
  }

  get pending(): number {
    return this.#buffer.length + (this.#busy ? 1 : 0);
  }

  deliver(payload: unknown): void {
    if (this.#gone) return;
    if (this.#busy) {
      const { bufferSize, dropPolicy } = this.#bus.settings;
      if (this.#buffer.length >= bufferSize) {
        this.dropped++;
        this.#bus.countDrop();
        if (dropPolicy === "newest") return;
        this.#buffer.shift();
      }
      this.#buffer.push(payload);
      return;
    }
    this.#run(payload);
  }

  detach(): void {
    this.#gone = true;
    this.#buffer = [];
  }

  #run(payload: unknown): void {
    if (this.#once) this.#bus.off(this.#event, this.#fn as never);
    let result: void | Promise<void>;
    try {
      result = this.#fn(payload);
    } catch (error) {
      this.#failed(error);
      this.#next();
      return;
    }
    if (result && typeof (result as Promise<void>).then === "function") {
      this.#busy = true;
      (result as Promise<void>).then(
        () => {
          this.#busy = false;
          this.#next();
        },
        (error: unknown) => {
          this.#busy = false;
          this.#failed(error);
          this.#next();
        },
      );
    }
  }

  #next(): void {
    while (!this.#busy && !this.#gone && this.#buffer.length > 0) this.#run(this.#buffer.shift());
  }

  #failed(error: unknown): void {
    const detach = this.#bus.settings.onHandlerError === "detach" && this.#event !== "handler:error";
    if (detach) this.#bus.off(this.#event, this.#fn as never);
    this.#bus.reportHandlerError(this.#event, error, detach);
  }
}

/**
 * A typed event bus on eventemitter3 with isolated handlers. Each handler gets its own
 * delivery lane: a synchronous handler runs inline; while an async handler's promise is
 * pending, later events for it wait in a buffer of `bufferSize` (in order); when the buffer is
 * full the oldest (or, with `dropPolicy: "newest"`, the incoming) event is dropped and counted
 * in {@link EventBus.dropped}. So a slow handler never delays fetching, jobs or other handlers.
 */
export class EventBus {
  /** The underlying eventemitter3 instance (holds the delivery lanes). */
  readonly emitter = new EventEmitter();
  /** Resolved options. */
  readonly settings: Required<Omit<EventBusOptions, "onInternalError">>;
  readonly #onInternalError: (error: unknown) => void;
  readonly #lanes = new Map<BusEventName, Map<unknown, Dispatcher>>();
  #dropped = 0;
  #handlerErrors = 0;

  constructor(options: EventBusOptions = {}) {
    this.settings = {
      onHandlerError: options.onHandlerError ?? "keep",
      bufferSize: options.bufferSize ?? 1_000,
      dropPolicy: options.dropPolicy ?? "oldest",
    };
    this.#onInternalError = options.onInternalError ?? (() => {});
  }

  /** Events dropped because a handler's buffer was full, since creation. */
  get dropped(): number {
    return this.#dropped;
  }

  /** Handler failures reported, since creation. */
  get handlerErrors(): number {
    return this.#handlerErrors;
  }

  /** Subscribe `handler` to `event`. Returns `this`. Subscribing the same function twice is a no-op. */
  on<E extends BusEventName>(event: E, handler: BusHandler<E>): this {
    return this.#add(event, handler, false);
  }

  /** Subscribe `handler` for the next `event` only. */
  once<E extends BusEventName>(event: E, handler: BusHandler<E>): this {
    return this.#add(event, handler, true);
  }

  /** Unsubscribe `handler` (or every handler of `event`). Buffered events of a removed handler are dropped silently. */
  off<E extends BusEventName>(event: E, handler?: BusHandler<E>): this {
    const lanes = this.#lanes.get(event);
    if (!lanes) return this;
    const targets = handler ? [handler] : [...lanes.keys()];
    for (const fn of targets) {
      const lane = lanes.get(fn);
      if (!lane) continue;
      lane.detach();
      lanes.delete(fn);
      this.emitter.off(event, lane.deliver, lane);
    }
    return this;
  }

  /** Number of handlers of `event`. */
  listenerCount(event: BusEventName): number {
    return this.#lanes.get(event)?.size ?? 0;
  }

  /** Deliver `payload` to every handler of `event`, each isolated (see the class note). */
  emit<E extends BusEventName>(event: E, payload: BusEventMap[E]): void {
    this.emitter.emit(event, payload);
  }

  /** Per-handler view: pending (running + buffered) and dropped counts. */
  lanes(event: BusEventName): { pending: number; dropped: number }[] {
    return [...(this.#lanes.get(event)?.values() ?? [])].map((l) => ({
      pending: l.pending,
      dropped: l.dropped,
    }));
  }

  /** @internal */
  countDrop(): void {
    this.#dropped++;
  }

  /** @internal */
  reportHandlerError(event: BusEventName, error: unknown, detached: boolean): void {
    this.#handlerErrors++;
    if (event === "handler:error") {
      this.#onInternalError(error);
      return;
    }
    this.emit("handler:error", { event, error, detached, at: Date.now() });
  }

  #add<E extends BusEventName>(event: E, handler: BusHandler<E>, once: boolean): this {
    if (typeof handler !== "function") throw new TypeError(`handler of "${event}" must be a function`);
    let lanes = this.#lanes.get(event);
    if (!lanes) {
      lanes = new Map();
      this.#lanes.set(event, lanes);
    }
    if (lanes.has(handler)) return this;
    const lane = new Dispatcher(this, event, handler as (payload: unknown) => void, once);
    lanes.set(handler, lane);
    this.emitter.on(event, lane.deliver, lane);
    return this;
  }
}
