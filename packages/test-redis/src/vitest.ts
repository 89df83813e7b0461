import { Redis } from "ioredis";
import { afterAll, beforeAll, beforeEach } from "vitest";
import { type StartRedisOptions, startRedis, type TestRedis } from "./start-redis.js";

export type { ClusterFixture } from "./use-cluster.js";
export { useCluster } from "./use-cluster.js";
export type { SentinelFixture } from "./use-sentinel.js";
export { useSentinel } from "./use-sentinel.js";

/** A private Redis for one test file, from {@link useRedis}. Read the fields inside tests and hooks. */
export interface RedisFixture {
  /** The server (kill/restart/stop). */
  readonly server: TestRedis;
  /** `redis://127.0.0.1:<port>` */
  readonly url: string;
  /** A plain ioredis client on it, for arranging and asserting on data. */
  readonly redis: Redis;
}

/**
 * Register vitest hooks that start one private redis-server for the calling test file
 * (`beforeAll`), `FLUSHALL` it before each test (unless `flush: false`), and stop it (`afterAll`).
 */
export function useRedis(options: StartRedisOptions & { flush?: boolean } = {}): RedisFixture {
  const { flush, ...redisOptions } = options;
  let server: TestRedis | undefined;
  let redis: Redis | undefined;
  beforeAll(async () => {
    server = await startRedis(redisOptions);
    redis = new Redis(server.url);
  });
  afterAll(async () => {
    await redis?.quit();
    await server?.stop();
  });
  if (flush !== false) {
    beforeEach(async () => {
      await redis!.flushall();
    });
  }
  const ready = <T>(value: T | undefined): T => {
    if (value === undefined)
      throw new Error("useRedis(): the server starts in beforeAll; read it inside tests");
    return value;
  };
  return {
    get server() {
      return ready(server);
    },
    get url() {
      return ready(server).url;
    },
    get redis() {
      return ready(redis);
    },
  };
}

/** Poll `check` every 10 ms until it is truthy; throws naming `what` after `timeoutMs` (default 10,000). */
export async function until(
  check: () => unknown | Promise<unknown>,
  timeoutMs = 10_000,
  what = "a condition",
): Promise<void> {
  const deadline = Date.now() + timeoutMs;
  while (!(await check())) {
    if (Date.now() > deadline) throw new Error(`timed out after ${timeoutMs} ms waiting for ${what}`);
    await new Promise((resolve) => setTimeout(resolve, 10));
  }
}
