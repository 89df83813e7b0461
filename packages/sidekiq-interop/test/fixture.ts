import { createVerk, type Verk, type VerkOptions } from "@verk/core";
import { type RedisStoreOptions, redisStore } from "@verk/redis-store";
import { startRedis, type TestRedis } from "@verk/test-redis";
import { Redis } from "ioredis";
import { afterAll, afterEach, beforeAll, beforeEach } from "vitest";
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
  let server: TestRedis;
  let redis: Redis;
  const nodes: Verk[] = [];
  const children: Child[] = [];
  beforeAll(async () => {
    server = await startRedis();
    redis = new Redis(server.url);
  });
  afterAll(async () => {
    await redis?.quit();
    await server?.stop();
  });
  beforeEach(async () => {
    await redis.flushall();
  });
  afterEach(async () => {
    await Promise.all(children.splice(0).map((c) => c.stop()));
    await Promise.all(nodes.splice(0).map((n) => n.stop({ timeout: 0 })));
  });
  return {
    get url() {
      return server.url;
    },
    get redis() {
      return redis;
    },
    ruby: (code) => ruby(server.url, code),
    node(options, store = {}) {
      const verk = createVerk({
        pollIntervalMs: 200,
        fetchBlockMs: 200,
        shutdownTimeoutMs: 2_000,
        ...options,
        store: redisStore({ url: server.url, sidekiqProcess: { intervalMs: 250 }, ...store }),
      });
      nodes.push(verk);
      return verk;
    },
    track(child) {
      children.push(child);
      return child;
    },
    async sidekiqRuns() {
      return (await redis.lrange("interop:runs", 0, -1)).map((r) => JSON.parse(r));
    },
  };
}
