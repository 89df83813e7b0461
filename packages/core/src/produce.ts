import type { JobPayload } from "./job.js";
import type { EnqueueKind, VerkPlugin } from "./plugin.js";

type EnqueueHook = NonNullable<VerkPlugin["aroundEnqueue"]>;

/**
 * Run a producer write inside the plugins' `aroundEnqueue` wrappers (first plugin outermost).
 * `write` encodes the (possibly amended) payloads and stores them. Without wrappers it is
 * called directly. @internal
 */
export function produceWithHooks(
  hooks: readonly EnqueueHook[],
  kind: EnqueueKind,
  jobs: readonly JobPayload[],
  dueAt: readonly number[] | undefined,
  write: () => Promise<void>,
): Promise<void> {
  if (hooks.length === 0) return write();
  const operation = dueAt === undefined ? { kind, jobs } : { kind, jobs, dueAt };
  let next = write;
  for (let i = hooks.length - 1; i >= 0; i--) {
    const hook = hooks[i]!;
    const inner = next;
    next = () => hook(operation, inner);
  }
  return next();
}
