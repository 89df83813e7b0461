import type { WorkerDefinition } from "../worker.js";

/** True for a `defineWorker()` result (by shape, so any copy of `@verk/core` counts). */
export function isWorkerDefinition(value: unknown): value is WorkerDefinition<never> {
  const w = value as WorkerDefinition<never> | null;
  return (
    typeof w === "object" &&
    w !== null &&
    typeof w.name === "string" &&
    typeof w.perform === "function" &&
    typeof w.bindProducer === "function"
  );
}

/**
 * Every worker definition among a module namespace's exports: direct exports, exported arrays,
 * and (CommonJS) the properties of `module.exports` under `default`. @internal
 */
export function collectWorkers(namespace: unknown): WorkerDefinition<never>[] {
  const found: WorkerDefinition<never>[] = [];
  const visit = (value: unknown) => {
    if (isWorkerDefinition(value)) {
      if (!found.includes(value)) found.push(value);
    } else if (Array.isArray(value)) {
      for (const item of value) if (isWorkerDefinition(item) && !found.includes(item)) found.push(item);
    }
  };
  if (namespace === null || typeof namespace !== "object") return found;
  for (const value of Object.values(namespace)) visit(value);
  const fallback = (namespace as { default?: unknown }).default;
  if (
    fallback !== null &&
    typeof fallback === "object" &&
    !isWorkerDefinition(fallback) &&
    !Array.isArray(fallback)
  ) {
    for (const value of Object.values(fallback)) visit(value);
  }
  return found;
}
