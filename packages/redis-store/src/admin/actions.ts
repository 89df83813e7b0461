import { DEFAULT_DEAD_LIMITS, type DeadSetLimits } from "@verk/core";
import type { Redis } from "ioredis";
import { scripts } from "../generated/scripts.js";
import type { Keys } from "../keys.js";
import { formatSeconds } from "../scripts.js";
import type { ActionResult, AdminSetName, ProgressFn } from "./types.js";

/** Members handled per script call or ZREM in bulk actions. */
export const ACTION_BATCH = 100;

/** How `admin-move.lua` moves an entry. */
export type MoveAction = "enqueue" | "retry" | "kill";

const COMMAND = "verk_admin_move";

function ensureScript(redis: Redis): void {
  if (typeof (redis as unknown as Record<string, unknown>)[COMMAND] === "function") return;
  const script = scripts.find((s) => s.name === "admin-move");
  if (!script) throw new Error("Lua script admin-move is missing from src/generated/scripts.ts");
  redis.defineCommand(COMMAND, { numberOfKeys: script.numberOfKeys, lua: script.lua });
}

/**
 * Run `admin-move.lua` on `raws` (exact members of `set`). Resolves one code per member:
 * 1 moved, 0 no longer in the set, -1 left in place (no readable queue).
 */
export async function moveMembers(
  redis: Redis,
  keys: Keys,
  set: AdminSetName,
  action: MoveAction,
  raws: readonly string[],
  limits: DeadSetLimits = DEFAULT_DEAD_LIMITS,
  nowMs: number = Date.now(),
): Promise<number[]> {
  if (raws.length === 0) return [];
  ensureScript(redis);
  const now = nowMs / 1000;
  const fn = (redis as unknown as Record<string, (...args: (string | number)[]) => Promise<number[]>>)[
    COMMAND
  ]!;
  return fn.call(
    redis,
    keys[set],
    keys.queues,
    keys.dead,
    action,
    formatSeconds(now),
    keys.prefix,
    limits.maxJobs,
    formatSeconds(now - limits.maxAgeSeconds),
    ...raws,
  );
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
  raws: readonly string[],
  limits: DeadSetLimits = DEFAULT_DEAD_LIMITS,
  onProgress?: ProgressFn,
): Promise<ActionResult> {
  let result: ActionResult = { done: 0, gone: 0, invalid: 0 };
  onProgress?.(0, raws.length);
  for (let i = 0; i < raws.length; i += ACTION_BATCH) {
    const batch = raws.slice(i, i + ACTION_BATCH);
    if (action === "delete") {
      const pipeline = redis.pipeline();
      for (const raw of batch) pipeline.zrem(keys[set], raw);
      const codes = ((await pipeline.exec()) ?? []).map(([, n]) => (Number(n) > 0 ? 1 : 0));
      result = add(result, tally(codes));
    } else {
      result = add(result, tally(await moveMembers(redis, keys, set, action, batch, limits)));
    }
    onProgress?.(Math.min(raws.length, i + batch.length), raws.length);
  }
  return result;
}
