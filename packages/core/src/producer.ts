import { invalidOption } from "./errors.js";
import type { VerkEventMap } from "./events.js";
import { anyUnique, type UniqueWriteJob, writeUnique } from "./flow/unique-producer.js";
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
  /** True once {@link connect} resolved (and the instance is not stopped). */
  isConnected(): boolean;
  /** Run a store call with the instance's lifecycle checks (typed error once stopped). */
  guard<T>(what: string, call: () => Promise<T>): Promise<T>;
  /** Deadline of each producer call, in ms (`0`: none); see `VerkOptions.writeTimeoutMs`. */
  readonly writeTimeoutMs: number;
  /** Report a job dropped as a duplicate of a unique job (the `job:duplicate` event). */
  onDuplicate?(event: VerkEventMap["job:duplicate"]): void;
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
  #deadline<T>(what: string, jobs: string | (() => string), call: () => Promise<T>): Promise<T> {
    return withWriteDeadline(what, jobs, this.#host.writeTimeoutMs, this.#host.guard(what, call));
  }

  /** `write` once the store is connected: at once when it is (no extra turn on the hot path). */
  #connected<T>(write: () => Promise<T>): Promise<T> {
    return this.#host.isConnected() ? write() : this.#host.connect().then(write);
  }

  /** Write jobs of which at least one is unique (`writeUnique`), bounded by `writeTimeoutMs`. */
  #unique(
    kind: Parameters<typeof writeUnique>[1],
    jobs: readonly UniqueWriteJob[],
  ): Promise<(string | null)[]> {
    const label = jobs.length === 1 ? `job ${jobs[0]!.payload.jid}` : `${jobs.length} job(s)`;
    return withWriteDeadline(kind, label, this.#host.writeTimeoutMs, writeUnique(this.#host, kind, jobs));
  }

  /** Enqueue one job; resolves its jid, or `null` when it was dropped as a duplicate of a unique job. */
  async enqueue(job: NewJob): Promise<string | null> {
    const { encoder, store, hooks } = this.#host;
    const payload = encoder.buildForQueue(job);
    if (payload.unique_digest !== undefined) {
      const one: UniqueWriteJob = { payload, dueAtMs: this.#now(), field: "job", scheduled: false };
      return (await this.#unique("enqueue", [one]))[0] ?? null;
    }
    if (hooks.length === 0) {
      const entry = encoder.entry(payload);
      await this.#deadline(
        "enqueue",
        () => `job ${payload.jid}`,
        () => this.#connected(() => store.push([entry])),
      );
      return payload.jid;
    }
    return this.#deadline("enqueue", `job ${payload.jid}`, async () => {
      await this.#host.connect();
      await produceWithHooks(hooks, "enqueue", [payload], undefined, () =>
        store.push([encoder.entry(payload)]),
      );
      return payload.jid;
    });
  }

  /**
   * Enqueue many jobs; every job is validated first, and one invalid job writes nothing. Resolves
   * the jids in order, `null` for a job dropped as a duplicate of a unique job.
   */
  async enqueueBulk(jobs: readonly NewJob[]): Promise<(string | null)[]> {
    if (!Array.isArray(jobs)) throw invalidOption("jobs", "enqueueBulk takes an array of jobs");
    const { encoder, store, hooks } = this.#host;
    const payloads = jobs.map((job, index) => encoder.buildForQueue(job, `jobs[${index}]`));
    if (payloads.length === 0) return [];
    if (anyUnique(payloads)) {
      const now = this.#now();
      const all = payloads.map((payload, i) => ({
        payload,
        dueAtMs: now,
        field: `jobs[${i}]`,
        scheduled: false,
      }));
      return this.#unique("enqueueBulk", all);
    }
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

  /**
   * Schedule one job at `at` (a Date or epoch milliseconds >= 1e11); a past time enqueues at once.
   * Resolves its jid, or `null` when it was dropped as a duplicate of a unique job.
   */
  async schedule(job: NewJob, at: Date | number): Promise<string | null> {
    const atMs = resolveRunAt(at, "at");
    if (atMs <= this.#now()) return this.enqueue(job);
    const { encoder, store, hooks } = this.#host;
    const payload = encoder.buildForSchedule(job, "job", atMs);
    if (payload.unique_digest !== undefined) {
      const one: UniqueWriteJob = { payload, dueAtMs: atMs, field: "job", scheduled: true };
      return (await this.#unique("schedule", [one]))[0] ?? null;
    }
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

  /** Schedule many jobs, each at its own time; every entry is validated first. `null` marks a dropped duplicate. */
  async scheduleBulk(entries: readonly ScheduledJob[]): Promise<(string | null)[]> {
    if (!Array.isArray(entries))
      throw invalidOption("jobs", "scheduleBulk takes an array of { job, at } entries");
    const { encoder, store, hooks } = this.#host;
    const now = this.#now();
    const later: { payload: JobPayload; atMs: number; field: string }[] = [];
    const soon: { payload: JobPayload; field: string }[] = [];
    const all: UniqueWriteJob[] = [];
    const jids = entries.map((entry, index) => {
      const field = `jobs[${index}]`;
      const atMs = resolveRunAt(entry?.at, `${field}.at`);
      if (atMs <= now) {
        const payload = encoder.buildForQueue(entry.job, field);
        soon.push({ payload, field });
        all.push({ payload, dueAtMs: now, field, scheduled: false });
        return payload.jid;
      }
      const payload = encoder.buildForSchedule(entry.job, field, atMs);
      later.push({ payload, atMs, field });
      all.push({ payload, dueAtMs: atMs, field, scheduled: true });
      return payload.jid;
    });
    if (jids.length === 0) return [];
    if (anyUnique(all.map((job) => job.payload))) return this.#unique("scheduleBulk", all);
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
