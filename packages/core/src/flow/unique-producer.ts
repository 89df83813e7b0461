import type { FlowCapability, FlowJob, FlowScheduledJob, UniqueOutcome } from "../capabilities/flow.js";
import { VerkError } from "../errors.js";
import type { JobPayload } from "../job.js";
import type { EnqueueKind } from "../plugin.js";
import { produceWithHooks } from "../produce.js";
import type { ProducerHost } from "../producer.js";
import { toSeconds } from "../time.js";
import { lockOf } from "./fields.js";

/** A job of a unique write: its payload and when it is due (epoch ms), with the `jobs[i]` field for errors. */
export interface UniqueWriteJob {
  readonly payload: JobPayload;
  readonly dueAtMs: number;
  readonly field: string;
  /** True for the `schedule` set, false for its queue. */
  readonly scheduled: boolean;
}

/** True when one of `payloads` is unique (has a `unique_digest`): then the write goes through {@link writeUnique}. */
export function anyUnique(payloads: readonly JobPayload[]): boolean {
  for (const payload of payloads) if (payload.unique_digest !== undefined) return true;
  return false;
}

/** The store's flow capability, or `INVALID_OPTION` saying unique jobs need one. */
function flowOf(host: ProducerHost): FlowCapability {
  const flow = host.store.capabilities?.flow;
  if (flow === undefined) {
    throw new VerkError(
      "INVALID_OPTION",
      `unique jobs need a store with the "flow" capability; the "${host.store.kind}" store does not provide it (use @verk/redis-store)`,
      { field: "unique" },
    );
  }
  return flow;
}

/**
 * Write jobs of which at least one is unique: the queued ones through `flow.pushUnique` (all of
 * them, so their order on each queue is kept), the scheduled ones through `flow.scheduleUnique`,
 * each taking its lock atomically with its write. Resolves each job's jid, or `null` for a job
 * dropped as a duplicate (then `host.onDuplicate` reports it). @internal
 */
export async function writeUnique(
  host: ProducerHost,
  kind: EnqueueKind,
  jobs: readonly UniqueWriteJob[],
): Promise<(string | null)[]> {
  const flow = flowOf(host);
  const { encoder, hooks } = host;
  const payloads = jobs.map((job) => job.payload);
  const dueAt = kind === "schedule" || kind === "scheduleBulk" ? jobs.map((job) => job.dueAtMs) : undefined;
  return host.guard(kind, async () => {
    await host.connect();
    const outcomes: UniqueOutcome[] = new Array(jobs.length);
    await produceWithHooks(hooks, kind, payloads, dueAt, async () => {
      const now = host.store.now?.() ?? Date.now();
      const queued: FlowJob[] = [];
      const queuedAt: number[] = [];
      const scheduled: FlowScheduledJob[] = [];
      const scheduledAt: number[] = [];
      jobs.forEach(({ payload, dueAtMs, field, scheduled: later }, index) => {
        const raw = encoder.encode(payload, field);
        const lock = lockOf(payload, dueAtMs, now);
        if (later) {
          scheduled.push({ queue: payload.queue, raw, at: toSeconds(dueAtMs), jid: payload.jid, lock });
          scheduledAt.push(index);
        } else {
          queued.push({ queue: payload.queue, raw, jid: payload.jid, lock });
          queuedAt.push(index);
        }
      });
      const [pushed, added] = await Promise.all([
        queued.length > 0 ? flow.pushUnique(queued) : [],
        scheduled.length > 0 ? flow.scheduleUnique(scheduled) : [],
      ]);
      queuedAt.forEach((index, i) => {
        outcomes[index] = pushed?.[i] ?? { pushed: true };
      });
      scheduledAt.forEach((index, i) => {
        outcomes[index] = added[i] ?? { pushed: true };
      });
    });
    return jobs.map(({ payload }, index) => {
      const outcome = outcomes[index];
      if (outcome === undefined || outcome.pushed) return payload.jid;
      host.onDuplicate?.({ job: payload, queue: payload.queue, heldBy: outcome.heldBy, kind });
      return null;
    });
  });
}
