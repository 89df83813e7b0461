import { createHash } from "node:crypto";
import type { RedisClient as Redis } from "../client.js";
import type { Keys } from "../keys.js";
import { formatSeconds, runScript as run } from "../scripts.js";
import { deadEntry, decodeOutbox, readJob } from "./plan.js";

/** Records handled per read of an outbox. */
const OUTBOX_BATCH = 100;
/** How long a delivered record stays recognisable (a second drainer then pushes nothing), ms. */
const DELIVERY_TOKEN_TTL_MS = 24 * 60 * 60 * 1000;

/**
 * Deliver the outbox of `queue` (cluster layout): jobs taken atomically from that queue's due
 * sets whose own queue lives in another slot. Each record is pushed with `push.lua` under a token
 * derived from its bytes, then removed: a drainer that crashes in between, or two drainers at
 * once, never push a record twice (and never lose one). A record whose target key holds something
 * other than a list goes to this queue's dead set with a message (it would block the outbox
 * otherwise). Resolves the number delivered.
 */
export async function drainOutbox(redis: Redis, keys: Keys, queue: string): Promise<number> {
  const outbox = keys.outbox(queue);
  let delivered = 0;
  for (;;) {
    const records = await redis.lrangeBuffer(outbox, 0, OUTBOX_BATCH - 1);
    if (records.length === 0) return delivered;
    for (const record of records) {
      const decoded = decodeOutbox(record.toString("utf8"));
      if (decoded !== undefined) {
        const token = createHash("sha1").update(record).digest("hex");
        const target = keys.queue(decoded.queue);
        let pushed: number;
        try {
          pushed = (await run(
            redis,
            "push",
            [keys.pushToken(decoded.queue, `outbox:${token}`), target, target],
            [DELIVERY_TOKEN_TTL_MS, "none", decoded.queue, decoded.payload],
          )) as number;
        } catch (error) {
          if (!/WRONGTYPE/.test(error instanceof Error ? error.message : String(error))) throw error;
          await deadLetter(redis, keys, queue, record, decoded);
          continue;
        }
        await redis.sadd(keys.queues, decoded.queue);
        if (pushed > 0) delivered++;
      }
      await redis.lrem(outbox, 1, record);
    }
    if (records.length < OUTBOX_BATCH) return delivered;
  }
}

/** Move an undeliverable outbox record (its target key is not a list) to `queue`'s dead set, in one MULTI on its slot. */
async function deadLetter(
  redis: Redis,
  keys: Keys,
  queue: string,
  record: Buffer,
  decoded: { queue: string; payload: string },
): Promise<void> {
  const target = keys.queue(decoded.queue);
  const type = await redis.type(target);
  const payload = Buffer.from(decoded.payload);
  const message = `promotion failed: the queue key "${target}" holds a ${type}, not a list; the job was moved to the dead set (fix the key, then retry it)`;
  const entry = deadEntry(payload, readJob(payload), "Verk::PromotionFailed", message, decoded.queue);
  await redis
    .multi()
    .zadd(keys.setOf("dead", queue), formatSeconds(Date.now() / 1000), entry)
    .lrem(keys.outbox(queue), 1, record)
    .exec();
}
