import type { FlowCapability, QueueChannelOptions } from "@verk/core";
import type { RedisClient } from "../client.js";
import type { Keys } from "../keys.js";
import type { ChannelFetch, RedisQueueChannel } from "../queue-channel.js";
import { redisFlow } from "./capability.js";
import { type FlowKeys, flowKeys } from "./keys.js";
import { LimitedFetch } from "./limited-fetch.js";
import { SlotBatcher } from "./slot-batcher.js";
import { UniquePushBatcher } from "./unique-batcher.js";

/** What a store gives its flow control. */
export interface StoreFlowContext {
  readonly client: RedisClient;
  readonly keys: Keys;
  /** Validate queue names for the layout (throws `INVALID_JOB`). */
  checkQueues(items: readonly { queue: string }[]): void;
  /** Wait for replicas as the store's `waitReplicas` asks. */
  confirm(keys: readonly string[]): Promise<void>;
  /** Announce a job due at `at` (epoch seconds) to the due-job promoters (`dueWatch.notify`). */
  notifyDue(at: number): void;
}

/**
 * A Redis store's flow control (issue #14) in one place: its keys, the batched unique pushes,
 * admissions and slot releases, the `flow` capability, and the fetch of queues with class-wide
 * limits. The store only wires it in.
 */
export class StoreFlow {
  readonly keys: FlowKeys;
  readonly capability: FlowCapability;
  readonly #ctx: StoreFlowContext;
  readonly #pushes: UniquePushBatcher;
  readonly #slots: SlotBatcher;

  constructor(ctx: StoreFlowContext) {
    this.#ctx = ctx;
    this.keys = flowKeys(ctx.keys);
    this.#pushes = new UniquePushBatcher(ctx.client, ctx.keys, this.keys);
    this.#slots = new SlotBatcher(ctx.client, ctx.keys, this.keys, (_queue, at) => ctx.notifyDue(at));
    this.capability = redisFlow({ ...ctx, flow: this.keys, pushes: this.#pushes, slots: this.#slots });
  }

  /** The fetch of `queue` when `options` carry class-wide limits, else `undefined` (the plain fetch). */
  channelFetch(
    queue: string,
    nodeId: string,
    options: QueueChannelOptions | undefined,
  ): ((channel: RedisQueueChannel) => ChannelFetch) | undefined {
    if (options?.limits === undefined || options.limits.length === 0) return undefined;
    return (channel) => new LimitedFetch(channel, this.#ctx.keys, this.keys, queue, nodeId, options);
  }

  /** Send every pending batch now (the store is closing). */
  flush(): void {
    this.#pushes.flush();
    this.#slots.flush();
  }

  /** Delete the tokens of acknowledged unique pushes (at close). */
  cleanup(): Promise<void> {
    return this.#pushes.cleanup();
  }
}
