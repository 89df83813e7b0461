import { type CounterPair, STATS_DAY_TTL_SECONDS, type StatsCapability, utcDay, utcDays } from "@verk/core";
import type { RedisClient as Redis } from "../client.js";
import type { CapabilityKeys } from "./keys.js";
import { redisMetrics } from "./metrics.js";

const KINDS = ["processed", "failed"] as const;

/** {@link StatsCapability} on Redis: INCRBY in one MULTI per flush, MGET to read. */
export function redisStats(client: Redis, keys: CapabilityKeys): StatsCapability {
  return {
    ...redisMetrics(client, keys),
    async increment(deltas, at = new Date()) {
      const day = utcDay(at);
      const multi = client.multi();
      let commands = 0;
      for (const kind of KINDS) {
        const n = deltas[kind];
        if (n > 0) {
          multi.incrby(keys.total(kind), n);
          multi.incrby(keys.day(kind, day), n);
          multi.expire(keys.day(kind, day), STATS_DAY_TTL_SECONDS);
          commands++;
        }
        for (const [queue, pair] of Object.entries(deltas.byQueue)) {
          if (pair[kind] > 0) {
            multi.incrby(keys.queue(kind, queue), pair[kind]);
            commands++;
          }
        }
      }
      if (commands === 0) {
        multi.discard();
        return;
      }
      const results = await multi.exec();
      // MULTI reports a failed command in its reply, not as a rejection: surface it (the caller retries).
      for (const [error] of results ?? []) if (error) throw error;
    },
    async totals() {
      const [processed, failed] = await client.mget(keys.total("processed"), keys.total("failed"));
      return { processed: toInt(processed), failed: toInt(failed) };
    },
    async queueTotals(queues) {
      const out: Record<string, CounterPair> = {};
      if (queues.length === 0) return out;
      const values = await client.mget(
        ...queues.flatMap((q) => [keys.queue("processed", q), keys.queue("failed", q)]),
      );
      queues.forEach((q, i) => {
        out[q] = { processed: toInt(values[2 * i]), failed: toInt(values[2 * i + 1]) };
      });
      return out;
    },
    async history(days, end) {
      const dates = utcDays(Math.max(0, Math.floor(days)), end);
      if (dates.length === 0) return [];
      const values = await client.mget(
        ...dates.flatMap((d) => [keys.day("processed", d), keys.day("failed", d)]),
      );
      return dates.map((date, i) => ({
        date,
        processed: toInt(values[2 * i]),
        failed: toInt(values[2 * i + 1]),
      }));
    },
  };
}

function toInt(value: string | null | undefined): number {
  const n = value == null ? 0 : Number.parseInt(value, 10);
  return Number.isFinite(n) ? n : 0;
}
