import { invalidOption } from "./errors.js";
import type { JobPayload, NewJob } from "./job.js";
import type { JobEncoder } from "./job-encoder.js";
import type { VerkPlugin } from "./plugin.js";
import { produceWithHooks } from "./produce.js";
import { resolveRunAt } from "./run-at.js";
import type { VerkStore } from "./store.js";
import { toSeconds } from "./time.js";
import { withWriteDeadline } from "./write-deadline.js";

type EnqueueHook = NonNullable<VerkPlugin["aroundEnqueue"]>;

/** One entry of {@link Producer.scheduleBulk}: a job and when it runs (a Date or epoch milliseconds). */
export interface ScheduledJob {
  /** The job. */
  readonly job: NewJob;
  /** When it runs: a `Date` or epoch milliseconds (>= 1e11); a past time enqueues it at once. */
  readonly at: Date | number;
}

/** What a {@link Producer} needs from its Verk instance. @internal */
export interface ProducerHost {
  readonly store: VerkStore;
  readonly encoder: JobEncoder;
  readonly hooks: readonly EnqueueHook[];
  /** Connect the store (idempotent). */
  connect(): Promise<void>;
  /** Run a store call with the instance's lifecycle checks (typed error once stopped). */
  guard<T>(what: string, call: () => Promise<T>): Promise<T>;
  /** Deadline of each producer call, in ms (`0`: none); see `VerkOptions.writeTimeoutMs`. */
  readonly writeTimeoutMs: number;
}

/**
 * The producer side of a Verk instance: enqueue, bulk enqueue, schedule and bulk schedule.
 * Every job is validated and encoded before anything is written; each call then has
 * `writeTimeoutMs` to be answered (else `WRITE_TIMEOUT`). @internal
 */
export class Producer {
  readonly #host: ProducerHost;

  constructor(host: ProducerHost) {
    this.#host = host;
  }

  /** The store's clock (Redis `TIME` once connected): a time in the past by it is due now. */
  #now(): number {
    return this.#host.store.now?.() ?? Date.now();
  }

  /** `call` under the instance's lifecycle guard, bounded by `writeTimeoutMs`. */
  #deadline<T>(what: string, jobs: string, call: () => Promise<T>): Promise<T> {
    return withWriteDeadline(what, jobs, this.#host.writeTimeoutMs, this.#host.guard(what, call));
  }

  /** Enqueue one job; resolves its jid. */
  async enqueue(job: NewJob): Promise<string> {
    const { encoder, store, hooks } = this.#host;
    const payload = encoder.buildForQueue(job);
    return this.#deadline("enqueue", `job ${payload.jid}`, async () => {
      if (hooks.length === 0) {
        const entry = encoder.entry(payload);
        await this.#host.connect();
        await store.push([entry]);
        return payload.jid;
      }
      await this.#host.connect();
      await produceWithHooks(hooks, "enqueue", [payload], undefined, () =>
        store.push([encoder.entry(payload)]),
      );
      return payload.jid;
    });
  }

  /** Enqueue many jobs; every job is validated first, and one invalid job writes nothing. */
  async enqueueBulk(jobs: readonly NewJob[]): Promise<string[]> {
    if (!Array.isArray(jobs)) throw invalidOption("jobs", "enqueueBulk takes an array of jobs");
    const { encoder, store, hooks } = this.#host;
    const payloads = jobs.map((job, index) => encoder.buildForQueue(job, `jobs[${index}]`));
    if (payloads.length === 0) return [];
    const encode = () => payloads.map((payload, index) => encoder.entry(payload, `jobs[${index}]`));
    return this.#deadline("enqueueBulk", `${payloads.length} job(s)`, async () => {
      if (hooks.length === 0) {
        const entries = encode();
        await this.#host.connect();
        await store.push(entries);
      } else {
        await this.#host.connect();
        await produceWithHooks(hooks, "enqueueBulk", payloads, undefined, () => store.push(encode()));
      }
      return payloads.map((payload) => payload.jid);
    });
  }

  /** Schedule one job at `at` (a Date or epoch milliseconds >= 1e11); a past time enqueues at once. */
  async schedule(job: NewJob, at: Date | number): Promise<string> {
    const atMs = resolveRunAt(at, "at");
    if (atMs <= this.#now()) return this.enqueue(job);
    const { encoder, store, hooks } = this.#host;
    const payload = encoder.buildForSchedule(job);
    return this.#deadline("schedule", `job ${payload.jid}`, async () => {
      if (hooks.length === 0) {
        const raw = encoder.encode(payload);
        await this.#host.connect();
        await store.schedule([{ queue: payload.queue, raw, at: toSeconds(atMs) }]);
      } else {
        await this.#host.connect();
        await produceWithHooks(hooks, "schedule", [payload], [atMs], () =>
          store.schedule([{ queue: payload.queue, raw: encoder.encode(payload), at: toSeconds(atMs) }]),
        );
      }
      return payload.jid;
    });
  }

  /** Schedule many jobs, each at its own time; every entry is validated first. */
  async scheduleBulk(entries: readonly ScheduledJob[]): Promise<string[]> {
    if (!Array.isArray(entries))
      throw invalidOption("jobs", "scheduleBulk takes an array of { job, at } entries");
    const { encoder, store, hooks } = this.#host;
    const now = this.#now();
    const later: { payload: JobPayload; atMs: number; field: string }[] = [];
    const soon: { payload: JobPayload; field: string }[] = [];
    const jids = entries.map((entry, index) => {
      const field = `jobs[${index}]`;
      const atMs = resolveRunAt(entry?.at, `${field}.at`);
      if (atMs <= now) {
        const payload = encoder.buildForQueue(entry.job, field);
        soon.push({ payload, field });
        return payload.jid;
      }
      const payload = encoder.buildForSchedule(entry.job, field);
      later.push({ payload, atMs, field });
      return payload.jid;
    });
    if (jids.length === 0) return [];
    const write = async () => {
      const queued = soon.map(({ payload, field }) => encoder.entry(payload, field));
      const scheduled = later.map(({ payload, atMs, field }) => ({
        queue: payload.queue,
        raw: encoder.encode(payload, field),
        at: toSeconds(atMs),
      }));
      await Promise.all([
        queued.length > 0 ? store.push(queued) : undefined,
        scheduled.length > 0 ? store.schedule(scheduled) : undefined,
      ]);
    };
    return this.#deadline("scheduleBulk", `${jids.length} job(s)`, async () => {
      await this.#host.connect();
      const payloads = [...soon.map((s) => s.payload), ...later.map((l) => l.payload)];
      const dueAt = [...soon.map(() => now), ...later.map((l) => l.atMs)];
      await produceWithHooks(hooks, "scheduleBulk", payloads, dueAt, write);
      return jids;
    });
  }
}
