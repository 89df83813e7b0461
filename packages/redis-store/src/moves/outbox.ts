import { createHash } from "node:crypto";
import type { RedisClient as Redis } from "../client.js";
import type { Keys } from "../keys.js";
import { runScript } from "../scripts.js";
import { decodeOutbox } from "./plan.js";

/** Records handled per read of an outbox. */
const OUTBOX_BATCH = 100;
/** How long a delivered record stays recognisable (a second drainer then pushes nothing), ms. */
const DELIVERY_TOKEN_TTL_MS = 24 * 60 * 60 * 1000;

/**
 * Deliver the outbox of `queue` (cluster layout): jobs taken atomically from that queue's due
 * sets whose own queue lives in another slot. Each record is pushed with `push.lua` under a token
 * derived from its bytes, then removed: a drainer that crashes in between, or two drainers at
 * once, never push a record twice (and never lose one). Resolves the number delivered.
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
        const pushed = (await runScript(
          redis,
          "push",
          [keys.pushToken(decoded.queue, `outbox:${token}`), target, target],
          [DELIVERY_TOKEN_TTL_MS, "none", decoded.queue, decoded.payload],
        )) as number;
        await redis.sadd(keys.queues, decoded.queue);
        if (pushed > 0) delivered++;
      }
      await redis.lrem(outbox, 1, record);
    }
    if (records.length < OUTBOX_BATCH) return delivered;
  }
}
