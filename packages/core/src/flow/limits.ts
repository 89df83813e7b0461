import type { LimitSpec } from "../capabilities/flow.js";
import { VerkError } from "../errors.js";
import type { JobPayload } from "../job.js";
import type { WorkerRegistry } from "../worker.js";

/** A worker's limit as an isolated queue's thread reports it (no functions cross threads). */
export interface ReportedLimit {
  readonly concurrency?: number | undefined;
  readonly rate?: number | undefined;
  readonly per?: number | undefined;
  /** True when the limit has a `key` function (it must then be registered on the main thread too). */
  readonly keyed: boolean;
}

/** A per-key limit: its spec and the worker's key function. */
export interface KeyedLimit {
  readonly spec: LimitSpec;
  readonly key: (...args: unknown[]) => string;
}

/** The limits of the classes a node runs: class-wide ones (enforced in the fetch) and per-key ones. */
export interface NodeLimits {
  readonly classWide: ReadonlyMap<string, LimitSpec>;
  readonly keyed: ReadonlyMap<string, KeyedLimit>;
}

function specOf(className: string, limit: { concurrency?: number; rate?: number; per?: number }): LimitSpec {
  return { className, concurrency: limit.concurrency, rate: limit.rate, perMs: limit.per };
}

/**
 * The limits of every worker registered on this node, plus those reported by the threads of
 * isolated queues for classes the main thread does not register (class-wide only: a per-key
 * limit needs its `key` function here, where jobs are admitted).
 * @throws VerkError `WORKER_MODULE` for a per-key limit known only to an isolated queue's module.
 */
export function collectLimits(
  registry: WorkerRegistry,
  reported: ReadonlyMap<string, ReportedLimit>,
): NodeLimits {
  const classWide = new Map<string, LimitSpec>();
  const keyed = new Map<string, KeyedLimit>();
  for (const name of registry.names()) {
    const limit = registry.get(name)?.options.limit;
    if (limit === undefined) continue;
    const spec = specOf(name, limit);
    if (limit.key === undefined) classWide.set(name, spec);
    else keyed.set(name, { spec, key: limit.key.bind(limit) as KeyedLimit["key"] });
  }
  for (const [name, limit] of reported) {
    if (registry.get(name) !== undefined) continue;
    if (limit.keyed) {
      throw new VerkError(
        "WORKER_MODULE",
        `worker "${name}" of the workerModule has a per-key limit (limit.key), which is computed on the main thread: also pass it in createVerk({ workers: [...] })`,
        { field: "workerModule" },
      );
    }
    classWide.set(name, specOf(name, limit));
  }
  return { classWide, keyed };
}

/** The entry of `map` for a job: by its `class`, else its ActiveJob `wrapped` (as the store's fetch looks it up). */
export function limitFor<T>(map: ReadonlyMap<string, T>, job: JobPayload): T | undefined {
  if (map.size === 0) return undefined;
  const found = map.get(job.class);
  if (found !== undefined) return found;
  return typeof job.wrapped === "string" ? map.get(job.wrapped) : undefined;
}
