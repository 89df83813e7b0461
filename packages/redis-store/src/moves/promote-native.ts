import { isCluster, type RedisClient } from "../client.js";
import type { Keys } from "../keys.js";
import { formatSeconds } from "../scripts.js";
import { planPromotion } from "./plan.js";

/**
 * Average due-member size (bytes) from which promotion moves members with `WATCH`/`MULTI` instead
 * of a script: Redis copies every string a script touches into Lua and back, which for large
 * payloads costs far more Redis time than the commands themselves (measured for 200 KB: ~0.9 ms
 * against ~0.09 ms per job). Below it the script is cheaper (no payload crosses the network).
 */
export const NATIVE_PROMOTE_BYTES = 64 * 1024;
/** Payload bytes per native transaction. */
const NATIVE_BATCH_BYTES = 4 << 20;

/**
 * Native promotion of large due members, exactly once: on a connection of its own (no other
 * command may run between `WATCH` and `EXEC`), `WATCH` the set, read due members, and in one
 * `MULTI` remove each (ZREM) and push it with a fresh `enqueued_at`. If anything changed the set
 * meanwhile (another promoter, a new schedule), `EXEC` aborts and nothing is applied: the caller
 * falls back to the script path. Members that need more than a push (unreadable, another slot's
 * queue, a target key of another type) end the native batch before them and are left to the caller.
 */
export class NativePromoter {
  readonly #conn: RedisClient;
  readonly #keys: Keys;
  #queue: Promise<unknown> = Promise.resolve();

  constructor(conn: RedisClient, keys: Keys) {
    this.#conn = conn;
    this.#keys = keys;
  }

  /**
   * Move up to `limit` due members of `source` (the set of `queue` in the cluster layout).
   * Resolves the members moved, or `undefined` when a transaction aborted or the first due member
   * is not a plain push (use the script path).
   */
  promote(
    source: string,
    queue: string | undefined,
    now: number,
    limit: number,
  ): Promise<number | undefined> {
    const run = this.#queue.then(() => this.#promote(source, queue, now, limit));
    this.#queue = run.catch(() => {});
    return run;
  }

  async #promote(
    source: string,
    queue: string | undefined,
    now: number,
    limit: number,
  ): Promise<number | undefined> {
    const conn = this.#conn;
    let moved = 0;
    while (moved < limit) {
      const asked = Math.min(limit - moved, 100);
      await conn.watch(source);
      const members = await conn.zrangebyscoreBuffer(source, "-inf", formatSeconds(now), "LIMIT", 0, asked);
      const batch = [];
      let bytes = 0;
      for (const member of members) {
        if (batch.length > 0 && bytes + member.length > NATIVE_BATCH_BYTES) break;
        const plan = planPromotion(member, now, queue);
        if (plan.op !== "push") break;
        batch.push(plan);
        bytes += member.length;
      }
      const targets = [...new Set(batch.map((plan) => this.#keys.queue(plan.queue!)))];
      const types = await Promise.all(targets.map((key) => conn.type(key)));
      if (batch.length === 0 || types.some((type) => type !== "list" && type !== "none")) {
        await conn.unwatch();
        return moved > 0 ? moved : undefined;
      }
      const tx = conn.multi();
      for (const plan of batch) {
        tx.zrem(source, plan.member);
        tx.lpush(this.#keys.queue(plan.queue!), plan.payload);
      }
      const names = [...new Set(batch.map((plan) => plan.queue!))];
      if (!isCluster(conn)) tx.sadd(this.#keys.queues, ...names);
      const result = await tx.exec();
      if (result === null) return moved > 0 ? moved : undefined;
      moved += batch.length;
      if (isCluster(conn)) await conn.sadd(this.#keys.queues, ...names);
      if (members.length < asked) break;
    }
    return moved;
  }

  /** Close the connection. */
  async close(): Promise<void> {
    this.#conn.disconnect();
  }
}
