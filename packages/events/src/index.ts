/**
 * `@verk/events`: a typed event bus for Verk on eventemitter3, with isolated, non-blocking
 * handlers, and cross-node events through the store's shared log.
 * @packageDocumentation
 */
export type { EventBusOptions } from "./bus.js";
export { EventBus } from "./bus.js";
export type { EventsOptions, EventsPlugin, PublishOptions } from "./plugin.js";
export { events } from "./plugin.js";
export type { PublishedEvent, ReceivedEvent } from "./published.js";
export { decodeEvent, encodeEvent, serializeError } from "./published.js";
export type { EventSubscription, SubscribeEventsOptions } from "./subscribe.js";
export { subscribeEvents } from "./subscribe.js";
export type { BusEventMap, BusEventName, BusHandler, ForwardedEvent, HandlerErrorEvent } from "./types.js";
export { FORWARDED_EVENTS } from "./types.js";
