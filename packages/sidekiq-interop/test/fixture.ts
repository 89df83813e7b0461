import { createVerk, type Verk, type VerkOptions } from "@verk/core";
import { type RedisStoreOptions, redisStore } from "@verk/redis-store";
import { useRedis } from "@verk/test-redis/vitest";
import type { Redis } from "ioredis";
import { afterEach } from "vitest";
import { type Child, hasSidekiq, ruby } from "./harness.js";

/** Whether the suite can run (ruby-sidekiq installed, possibly by the global setup). */
export const SIDEKIQ = hasSidekiq();

/** What a test file gets from {@link useInterop}. */
export interface Interop {
  readonly url: string;
  readonly redis: Redis;
  /** Run Ruby with Sidekiq's API against this Redis; see `ruby()` in the harness. */
  ruby<T = unknown>(code: string): Promise<T>;
  /** A Verk node on this Redis (stopped after the test). */
  node(options: Partial<VerkOptions>, store?: RedisStoreOptions): Verk;
  /** Register a child process to stop after the test. */
  track<C extends Child>(child: C): C;
  /** The `interop:runs` records written by Sidekiq's jobs. */
  sidekiqRuns(): Promise<{ class: string; args: unknown[]; jid: string }[]>;
}

/** One private Redis per file, flushed before each test; Verk nodes and children stopped after each. */
export function useInterop(): Interop {
  const fx = useRedis();
  const nodes: Verk[] = [];
  const children: Child[] = [];
  afterEach(async () => {
    await Promise.all(children.splice(0).map((c) => c.stop()));
    await Promise.all(nodes.splice(0).map((n) => n.stop({ timeout: 0 })));
  });
  return {
    get url() {
      return fx.url;
    },
    get redis() {
      return fx.redis;
    },
    ruby: (code) => ruby(fx.url, code),
    node(options, store = {}) {
      const verk = createVerk({
        pollIntervalMs: 200,
        fetchBlockMs: 200,
        shutdownTimeoutMs: 2_000,
        ...options,
        store: redisStore({ url: fx.url, sidekiqProcess: { intervalMs: 250 }, ...store }),
      });
      nodes.push(verk);
      return verk;
    },
    track(child) {
      children.push(child);
      return child;
    },
    async sidekiqRuns() {
      return (await fx.redis.lrange("interop:runs", 0, -1)).map((r) => JSON.parse(r));
    },
  };
}
