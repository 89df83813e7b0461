import { DEFAULT_DEAD_LIMITS, type DeadSetLimits } from "@verk/core";
import type { RedisClient as Redis } from "../client.js";
import type { Keys } from "../keys.js";
import { drainOutbox } from "../moves/outbox.js";
import { encodeOutbox, type MoveEntry, readJob, stampLike, withEnqueuedAt } from "../moves/plan.js";
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
 * @param queue - the queue whose set holds the members: required in the cluster key layout (each
 * queue has its own sets); the move then stays in that queue's slot, a job bound for another queue
 * going through the queue's outbox. Ignored in the Sidekiq layout. (Default: none)
 */
export async function moveMembers(
  redis: Redis,
  keys: Keys,
  set: AdminSetName,
  action: MoveAction | "delete",
  raws: readonly (string | Buffer)[],
  limits: DeadSetLimits = DEFAULT_DEAD_LIMITS,
  nowMs: number = Date.now(),
  queue?: string,
): Promise<number[]> {
  if (raws.length === 0) return [];
  const cluster = keys.layout === "cluster";
  if (cluster && queue === undefined) {
    throw new Error(
      "[redis-store] moveMembers: the cluster key layout needs the queue whose set holds the members",
    );
  }
  const now = nowMs / 1000;
  const plans = raws.map((raw) => {
    const plan = planAction(action, typeof raw === "string" ? Buffer.from(raw) : raw, now);
    // Cluster layout: a job of another queue cannot be pushed from this slot; it takes the outbox.
    if (cluster && plan?.op === "push" && plan.queue !== queue)
      return {
        op: "outbox" as const,
        member: plan.member,
        payload: encodeOutbox(plan.queue!, String(plan.payload)),
      };
    return plan;
  });
  const entries = plans.filter((plan): plan is MoveEntry => plan !== undefined);
  const codes = await runMoves(
    redis,
    cluster
      ? {
          source: keys.setOf(set, queue!),
          dead: keys.setOf("dead", queue!),
          third: { mode: "outbox", key: keys.outbox(queue!) },
          queueKey: (q) => keys.queue(q),
          deadLimits: limits,
          now,
        }
      : {
          source: keys.set(set),
          dead: keys.set("dead"),
          third: { mode: "registry", key: keys.queues },
          queueKey: (q) => keys.queue(q),
          deadLimits: limits,
          now,
        },
    entries,
  );
  if (cluster && entries.some((entry, i) => entry.op === "outbox" && codes[i] === 1))
    await drainOutbox(redis, keys, queue!);
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

/**
 * Apply `action` (or `"delete"`, a ZREM) to `raws` in batches, reporting progress after each batch.
 * @param queue - the queue whose set holds them (cluster layout; see {@link moveMembers}).
 */
export async function applyInBatches(
  redis: Redis,
  keys: Keys,
  set: AdminSetName,
  action: MoveAction | "delete",
  raws: readonly (string | Buffer)[],
  limits: DeadSetLimits = DEFAULT_DEAD_LIMITS,
  onProgress?: ProgressFn,
  queue?: string,
): Promise<ActionResult> {
  let result: ActionResult = { done: 0, gone: 0, invalid: 0 };
  onProgress?.(0, raws.length);
  for (let i = 0; i < raws.length; i += ACTION_BATCH) {
    const batch = raws.slice(i, i + ACTION_BATCH);
    result = add(
      result,
      tally(await moveMembers(redis, keys, set, action, batch, limits, Date.now(), queue)),
    );
    onProgress?.(Math.min(raws.length, i + batch.length), raws.length);
  }
  return result;
}

/** Sum two {@link ActionResult}s. */
export function addResults(a: ActionResult, b: ActionResult): ActionResult {
  return add(a, b);
}
