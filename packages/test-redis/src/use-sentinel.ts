import { Redis } from "ioredis";
import { afterAll, beforeAll, beforeEach } from "vitest";
import { redisCommand } from "./redis-command.js";
import type { StartSentinelOptions, TestSentinel } from "./sentinel/sentinel-types.js";
import { startSentinel } from "./sentinel/start-sentinel.js";

/** A private master, replicas and sentinels for one test file, from {@link useSentinel}. Read the fields inside tests and hooks. */
export interface SentinelFixture {
  /** The setup (sentinel addresses, master name, failover, kill/restart, stop). */
  readonly sentinel: TestSentinel;
  /** An ioredis client that finds the master through the sentinels, for arranging and asserting on data. */
  readonly redis: Redis;
}

/**
 * Register vitest hooks that start one private sentinel setup for the calling test file
 * (`beforeAll`; a master, 1 replica and 3 sentinels unless `options` say otherwise), and before
 * each test restart the processes an earlier test killed and `FLUSHALL` the master (unless
 * `flush: false`), and stop it all (`afterAll`). Give the hooks time: `hookTimeout` of 20 s or more.
 */
export function useSentinel(options: StartSentinelOptions & { flush?: boolean } = {}): SentinelFixture {
  const { flush, ...sentinelOptions } = options;
  let sentinel: TestSentinel | undefined;
  let redis: Redis | undefined;
  beforeAll(async () => {
    sentinel = await startSentinel(sentinelOptions);
    redis = new Redis({ sentinels: [...sentinel.sentinels], name: sentinel.masterName });
    redis.on("error", () => {}); // commands reject on their own; failover tests would print every reconnect
  });
  afterAll(async () => {
    await redis?.quit().catch(() => redis?.disconnect());
    await sentinel?.stop();
  });
  beforeEach(async () => {
    const current = ready(sentinel);
    for (const port of current.killedPorts()) await current.restartNode(port);
    if (flush === false) return;
    await redisCommand((await current.masterAddress()).port, "FLUSHALL");
  });
  const ready = <T>(value: T | undefined): T => {
    if (value === undefined)
      throw new Error("useSentinel(): the setup starts in beforeAll; read it inside tests");
    return value;
  };
  return {
    get sentinel() {
      return ready(sentinel);
    },
    get redis() {
      return ready(redis);
    },
  };
}
