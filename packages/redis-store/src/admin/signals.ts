import type { RedisClient as Redis } from "../client.js";
import type { Keys } from "../keys.js";

/** A remote signal Sidekiq's API and Web UI send (and Verk nodes obey): `TSTP` quiets, `TERM` stops. */
export type ProcessSignal = "TSTP" | "TERM";

/** Seconds a pending signal list lives, as in Sidekiq (`Process#signal`). */
export const SIGNAL_TTL_SECONDS = 60;

/**
 * Send `signal` to the live process `identity`: `LPUSH <identity>-signals` + `EXPIRE 60` in one
 * MULTI, like Sidekiq's `Process#signal`. The process acts on it at its next heartbeat (≤ 5 s).
 * @returns false (nothing sent) when no live process has that identity.
 */
export async function signalProcess(
  redis: Redis,
  keys: Keys,
  identity: string,
  signal: ProcessSignal,
): Promise<boolean> {
  const [member, alive] = await Promise.all([
    redis.sismember(keys.processes, identity),
    redis.exists(keys.process(identity)),
  ]);
  if (member !== 1 || alive !== 1) return false;
  const key = keys.processSignals(identity);
  await redis.multi().lpush(key, signal).expire(key, SIGNAL_TTL_SECONDS).exec();
  return true;
}

/** Send `signal` to every live process; resolves the identities signalled. */
export async function signalAll(redis: Redis, keys: Keys, signal: ProcessSignal): Promise<string[]> {
  const ids = (await redis.smembers(keys.processes)).sort();
  const done: string[] = [];
  for (const id of ids) if (await signalProcess(redis, keys, id, signal)) done.push(id);
  return done;
}
