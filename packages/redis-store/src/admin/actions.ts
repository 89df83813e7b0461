import { DEFAULT_DEAD_LIMITS, type DeadSetLimits } from "@verk/core";
import type { RedisClient as Redis } from "../client.js";
import type { Keys } from "../keys.js";
import { type MoveEntry, readJob, stampLike, withEnqueuedAt } from "../moves/plan.js";
import { runMoves } from "../moves/run.js";
import { editMembers, readMember } from "../payload-edit.js";
import type { ActionResult, AdminSetName, ProgressFn } from "./types.js";

/** Members handled per script call or ZREM in bulk actions. */
export const ACTION_BATCH = 100;

/** How an operator moves an entry: to its queue as is, retried (count − 1), or to the dead set. */
export type MoveAction = "enqueue" | "retry" | "kill";

/**
 * The move of one member for `action`: "enqueue" pushes it onto its queue with a fresh
 * `enqueued_at` (Sidekiq's add_to_queue), "retry" does the same with `retry_count` decremented
 * by 1 when present (Sidekiq's SortedEntry#retry), "kill" adds it to the dead set as it is.
 * Resolves `undefined` for a member that cannot be enqueued (no readable `queue`).
 */
function planAction(action: MoveAction | "delete", member: Buffer, now: number): MoveEntry | undefined {
  if (action === "delete") return { op: "delete", member, payload: "" };
  if (action === "kill") return { op: "dead", member, payload: member };
  const read = readJob(member);
  if (!read.ok) return undefined;
  const count = action === "retry" ? readMember(read.text, read.members, "retry_count") : undefined;
  const text =
    typeof count === "number"
      ? editMembers(
          read.text,
          read.members,
          ["retry_count", "enqueued_at"],
          [
            ["retry_count", String(count - 1)],
            ["enqueued_at", stampLike(read, now)],
          ],
        )
      : withEnqueuedAt(read, now);
  return { op: "push", member, payload: text, queue: read.queue };
}

/**
 * Apply `action` to `raws` (exact members of `set`) through `lua/move-entries.lua`, which moves an
 * entry only if it removed it from the set. Resolves one code per member: 1 moved, 0 no longer in
 * the set, -1 left in place (no readable queue, or its queue key is not a list).
 */
export async function moveMembers(
  redis: Redis,
  keys: Keys,
  set: AdminSetName,
  action: MoveAction | "delete",
  raws: readonly (string | Buffer)[],
  limits: DeadSetLimits = DEFAULT_DEAD_LIMITS,
  nowMs: number = Date.now(),
): Promise<number[]> {
  if (raws.length === 0) return [];
  const now = nowMs / 1000;
  const plans = raws.map((raw) => planAction(action, typeof raw === "string" ? Buffer.from(raw) : raw, now));
  const entries = plans.filter((plan): plan is MoveEntry => plan !== undefined);
  const codes = await runMoves(
    redis,
    {
      source: keys.set(set),
      dead: keys.set("dead"),
      third: { mode: "registry", key: keys.queues },
      queueKey: (q) => keys.queue(q),
      deadLimits: limits,
      now,
    },
    entries,
  );
  let next = 0;
  return plans.map((plan) => (plan === undefined ? -1 : codes[next++]!));
}

function tally(codes: readonly number[]): ActionResult {
  let done = 0;
  let gone = 0;
  let invalid = 0;
  for (const code of codes) {
    if (code === 1) done++;
    else if (code === 0) gone++;
    else invalid++;
  }
  return { done, gone, invalid };
}

function add(a: ActionResult, b: ActionResult): ActionResult {
  return { done: a.done + b.done, gone: a.gone + b.gone, invalid: a.invalid + b.invalid };
}

/** Apply `action` (or `"delete"`, a ZREM) to `raws` in batches, reporting progress after each batch. */
export async function applyInBatches(
  redis: Redis,
  keys: Keys,
  set: AdminSetName,
  action: MoveAction | "delete",
  raws: readonly (string | Buffer)[],
  limits: DeadSetLimits = DEFAULT_DEAD_LIMITS,
  onProgress?: ProgressFn,
): Promise<ActionResult> {
  let result: ActionResult = { done: 0, gone: 0, invalid: 0 };
  onProgress?.(0, raws.length);
  for (let i = 0; i < raws.length; i += ACTION_BATCH) {
    const batch = raws.slice(i, i + ACTION_BATCH);
    result = add(result, tally(await moveMembers(redis, keys, set, action, batch, limits)));
    onProgress?.(Math.min(raws.length, i + batch.length), raws.length);
  }
  return result;
}
