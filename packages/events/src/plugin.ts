import {
  assertKnownKeys,
  closestName,
  invalidOption,
  requireCapability,
  type Verk,
  type VerkPlugin,
} from "@verk/core";
import { EventBus, type EventBusOptions } from "./bus.js";
import { encodeEvent } from "./published.js";
import { type BusEventMap, FORWARDED_EVENTS, type ForwardedEvent } from "./types.js";

/** Publishing options of {@link events}. */
export interface PublishOptions {
  /** Keep about this many events in the shared log (`XADD MAXLEN ~`). (Default: 10,000) */
  maxLen?: number;
  /** Publish only these events. (Default: all forwarded events) */
  events?: readonly ForwardedEvent[];
}

/** Options of {@link events}. */
export interface EventsOptions extends EventBusOptions {
  /**
   * Also write every event to the store's shared log (Redis stream `verk:events`), so
   * {@link subscribeEvents} can follow all nodes. `true` = defaults. (Default: false)
   */
  publish?: boolean | PublishOptions;
}

/** Every key {@link events} accepts. */
const EVENTS_OPTION_KEYS = [
  "onHandlerError",
  "bufferSize",
  "dropPolicy",
  "onInternalError",
  "publish",
] as const satisfies readonly (keyof EventsOptions)[];

/** Every key of {@link PublishOptions}. */
const PUBLISH_OPTION_KEYS = ["maxLen", "events"] as const satisfies readonly (keyof PublishOptions)[];

/** The `@verk/events` plugin: a {@link VerkPlugin} with its {@link EventBus}. */
export interface EventsPlugin extends VerkPlugin {
  /** The typed bus; subscribe with `bus.on("job:finished", handler)`. */
  readonly bus: EventBus;
  /** Events that could not be written to the shared log. */
  readonly publishFailures: number;
}

/**
 * Create the events plugin: forwards every core event of the Verk it is given to onto a typed
 * bus with isolated, non-blocking handlers, and optionally publishes them for other processes.
 * @example
 * const ev = events({ onHandlerError: "detach", publish: true });
 * ev.bus.on("job:failed", (e) => alert(e.job.class, e.error));
 * createVerk({ store, queues, workers, plugins: [ev] });
 * @throws VerkError `INVALID_OPTION` for bad options, or (at setup, with `publish`) a store
 * without the `eventLog` capability.
 */
export function events(options: EventsOptions = {}): EventsPlugin {
  assertKnownKeys(options, EVENTS_OPTION_KEYS, "events");
  if (typeof options.publish === "object" && options.publish !== null) {
    assertKnownKeys(options.publish, PUBLISH_OPTION_KEYS, "events.publish");
    for (const [i, name] of (options.publish.events ?? []).entries()) {
      if ((FORWARDED_EVENTS as readonly string[]).includes(name)) continue;
      const hint = closestName(String(name), FORWARDED_EVENTS);
      throw invalidOption(
        `publish.events[${i}]`,
        `unknown event ${JSON.stringify(name)}${hint ? ` (did you mean "${hint}"?)` : ""}`,
      );
    }
  }
  if (options.onHandlerError !== undefined && !["keep", "detach"].includes(options.onHandlerError))
    throw invalidOption("onHandlerError", 'must be "keep" or "detach"');
  if (options.bufferSize !== undefined && !(Number.isInteger(options.bufferSize) && options.bufferSize >= 0))
    throw invalidOption("bufferSize", "must be an integer >= 0");
  if (options.dropPolicy !== undefined && !["oldest", "newest"].includes(options.dropPolicy))
    throw invalidOption("dropPolicy", 'must be "oldest" or "newest"');
  const publish = options.publish === true ? {} : options.publish || undefined;
  const maxLen = publish?.maxLen ?? 10_000;
  if (publish && !(Number.isInteger(maxLen) && maxLen > 0))
    throw invalidOption("publish.maxLen", "must be a positive integer");
  const published = new Set<string>(publish?.events ?? FORWARDED_EVENTS);
  let verk: Verk | undefined;
  const bus = new EventBus({
    ...options,
    onInternalError: (error) =>
      verk?.logger.error({ plugin: "@verk/events", err: error }, "a handler:error handler failed"),
  });
  let publishFailures = 0;
  const inflight = new Set<Promise<void>>();
  const unsubscribe: (() => void)[] = [];

  return {
    name: "@verk/events",
    bus,
    get publishFailures() {
      return publishFailures;
    },
    setup(v) {
      verk = v;
      const log = publish ? requireCapability(v.store, "eventLog", "@verk/events publish") : undefined;
      for (const name of FORWARDED_EVENTS) {
        const toLog = log && published.has(name);
        unsubscribe.push(
          v.on(name, (payload) => {
            const at = Date.now();
            if (bus.listenerCount(name) > 0) bus.emit(name, { ...payload, at } as BusEventMap[typeof name]);
            if (!toLog) return;
            const p = log
              .append([encodeEvent(name, v.nodeId, at, payload)], maxLen)
              .catch((error: unknown) => {
                publishFailures++;
                v.logger.warn(
                  { plugin: "@verk/events", event: name, ...jobFields(payload), err: error },
                  "publishing an event failed",
                );
              })
              .finally(() => inflight.delete(p));
            inflight.add(p);
          }),
        );
      }
    },
    async stop() {
      await Promise.all([...inflight]);
    },
  };
}

/** The `queue`, `class` and `jid` of an event payload, for log fields. */
function jobFields(payload: object): Record<string, unknown> {
  const p = payload as { queue?: unknown; job?: { class?: unknown; jid?: unknown } };
  const out: Record<string, unknown> = {};
  if (p.queue !== undefined) out.queue = p.queue;
  if (p.job?.class !== undefined) out.class = p.job.class;
  if (p.job?.jid !== undefined) out.jid = p.job.jid;
  return out;
}
