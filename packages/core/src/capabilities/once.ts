import type { EncodedJob } from "../store.js";

/**
 * Optional store capability: "do this once across every node" markers with an expiry, used by
 * `@verk/scheduler` so each cron tick is enqueued exactly once.
 */
export interface OnceCapability {
  /** Set marker `key` if absent, expiring after `ttlMs` ms. Resolves true for the one caller that set it. */
  claim(key: string, ttlMs: number): Promise<boolean>;
  /**
   * Atomically: set marker `key` (expiring after `ttlMs` ms) if absent and, only then, push
   * `jobs` onto their queues (like `VerkStore.push`). Resolves true when this call claimed
   * the marker and pushed; false (nothing written) when the marker already existed.
   */
  claimAndPush(key: string, ttlMs: number, jobs: readonly EncodedJob[]): Promise<boolean>;
}
