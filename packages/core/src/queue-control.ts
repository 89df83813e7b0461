import { invalidOption, VerkError } from "./errors.js";
import { assertKnownKeys } from "./known-keys.js";
import type { VerkStore } from "./store.js";

/** Options of `pauseQueue` and `resumeQueue`. */
export interface PauseOptions {
  /**
   * Pause (or resume) a queue even when it is not known yet: no node serves it, it has had no
   * job, and it is not paused. Use it to pause a queue before its first node or job. (Default: `false`)
   */
  force?: boolean;
}

/** Keys accepted in {@link PauseOptions}. */
export const PAUSE_OPTION_KEYS = ["force"] as const satisfies readonly (keyof PauseOptions)[];

/**
 * The rule shared by `verk.pauseQueue`/`resumeQueue` and `verk pause`/`resume`: a queue is
 * known when this node runs it, it is in the store's queues registry, it has jobs, it is paused,
 * or a live node serves it. Resolves the names known to the store when `name` is not among them
 * (for the error message), `undefined` when it is known.
 */
export async function findUnknownQueue(
  store: VerkStore,
  name: string,
  localQueues: Iterable<string>,
): Promise<string[] | undefined> {
  for (const local of localQueues) if (local === name) return undefined;
  if (typeof store.queueKnown === "function" && (await store.queueKnown(name))) return undefined;
  const [counts, paused] = await Promise.all([store.counts(), store.pausedQueues()]);
  if (Object.hasOwn(counts.queues, name) || paused.includes(name)) return undefined;
  return [...new Set([...Object.keys(counts.queues), ...paused, ...localQueues])].sort();
}

/**
 * Validate the arguments of `pauseQueue`/`resumeQueue` and, unless `force`, refuse an unknown
 * queue. @throws VerkError `INVALID_OPTION` for a bad name or option, `UNKNOWN_QUEUE` naming the
 * queue and the known ones.
 */
export async function checkPauseTarget(
  store: VerkStore,
  name: string,
  options: PauseOptions | undefined,
  localQueues: Iterable<string>,
  action: "pause" | "resume",
): Promise<void> {
  if (typeof name !== "string" || name.length === 0)
    throw invalidOption("queue", "must be a non-empty string");
  assertKnownKeys(options, PAUSE_OPTION_KEYS, `${action}Queue`);
  if (options?.force === true) return;
  const known = await findUnknownQueue(store, name, localQueues);
  if (known === undefined) return;
  throw new VerkError(
    "UNKNOWN_QUEUE",
    `cannot ${action} unknown queue "${name}": no node serves it, it has no jobs and it is not paused` +
      ` (known: ${known.length > 0 ? known.join(", ") : "none"}); pass { force: true } to ${action} it anyway`,
    { field: "queue" },
  );
}
