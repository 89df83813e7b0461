import {
  assertKnownKeys,
  buildPayload,
  type CronRegistryCapability,
  encodePayload,
  type FlowCapability,
  invalidOption,
  type Logger,
  type NewJob,
  nowSeconds,
  type OnceCapability,
  type PreparedPush,
  toSeconds,
} from "@verk/core";
import { type CronExpression, nextCronTime, parseCron } from "./cron.js";
import { assertTimeZone } from "./zone.js";

/** What to do with ticks missed while no node ran (or the process stalled). */
export type CatchUpPolicy = "none" | "latest" | "all";

/** A periodic job registered in code. Give either `pattern` (cron) or `every` (ms). */
export interface PeriodicJob {
  /** Unique name; the key of its entry in `verk:cron`. */
  readonly name: string;
  /** Cron expression (5 fields, or 6 with seconds first); see `parseCron`. */
  readonly pattern?: string;
  /** IANA time zone of `pattern`. (Default: `"UTC"`) */
  readonly timezone?: string;
  /** Milliseconds between runs, aligned on the epoch (so every node agrees on tick times). */
  readonly every?: number;
  /** The job to enqueue at each tick. */
  readonly job: NewJob;
  /** Missed-tick policy for this job. (Default: the scheduler's `catchUp`) */
  readonly catchUp?: CatchUpPolicy;
}

/** The JSON stored per periodic job in `verk:cron` (times are epoch ms). */
export interface PeriodicRecord {
  readonly name: string;
  readonly pattern?: string;
  readonly timezone?: string;
  readonly every?: number;
  readonly class: string;
  readonly queue: string;
  readonly catchUp: CatchUpPolicy;
  /** Next tick time, epoch ms (`null` if the pattern never fires again). */
  readonly nextRun: number | null;
  /** Last tick enqueued, epoch ms (`null` before the first). */
  readonly lastRun: number | null;
  /** Node that enqueued the last tick. */
  readonly lastNode?: string;
  /** When this record was written, epoch ms. */
  readonly updatedAt: number;
}

interface Entry {
  readonly def: PeriodicJob;
  /** `def.job` with the registered worker's defaults (queue, retry) applied. */
  readonly job: NewJob;
  readonly cron: CronExpression | undefined;
  readonly catchUp: CatchUpPolicy;
  next: number | undefined;
  lastRun: number | null;
}

/** Settings of {@link Periodic}. */
export interface PeriodicSettings {
  readonly once: OnceCapability;
  readonly registry: CronRegistryCapability;
  readonly nodeId: string;
  readonly logger: Logger;
  readonly catchUp: CatchUpPolicy;
  readonly maxCatchUp: number;
  readonly onceTtlMs: number;
  /** Called after a tick was enqueued by this node. */
  readonly onTick?: (name: string, tickMs: number, jid: string) => void;
  /** Fills in the registered worker's options (queue, retry) the job leaves out: `verk.jobWithDefaults`. (Default: none) */
  readonly prepare?: (job: NewJob) => NewJob;
  /**
   * Builds each tick's payload as `enqueue` would, with the flow-control fields of the job and its
   * worker (`unique`, `expiresIn`) and the unique lock to take: `verk.preparePush`. (Default: `buildPayload`, no flow control)
   */
  readonly preparePush?: (job: NewJob) => PreparedPush;
  /** The store's flow capability: a unique tick takes its lock with the once marker, in one step. (Default: none) */
  readonly flow?: FlowCapability | undefined;
}

/** Every key of a {@link PeriodicJob}. */
const PERIODIC_JOB_KEYS = [
  "name",
  "pattern",
  "timezone",
  "every",
  "job",
  "catchUp",
] as const satisfies readonly (keyof PeriodicJob)[];

/** Validate periodic job definitions (names unique, exactly one of pattern/every, valid job). */
export function validatePeriodic(jobs: readonly PeriodicJob[]): void {
  const names = new Set<string>();
  jobs.forEach((def, i) => {
    const field = `cron[${i}]`;
    if (!def || typeof def.name !== "string" || def.name === "" || def.name.includes("\n"))
      throw invalidOption(`${field}.name`, "must be a non-empty string");
    assertKnownKeys(def, PERIODIC_JOB_KEYS, field);
    if (names.has(def.name)) throw invalidOption(`${field}.name`, `"${def.name}" is used twice`);
    names.add(def.name);
    if ((def.pattern === undefined) === (def.every === undefined))
      throw invalidOption(field, `"${def.name}" needs exactly one of "pattern" or "every"`);
    if (def.every !== undefined && !(Number.isInteger(def.every) && def.every >= 1))
      throw invalidOption(`${field}.every`, "must be a positive integer of milliseconds");
    if (def.pattern !== undefined) parseCron(def.pattern, `${field}.pattern`);
    if (def.timezone !== undefined) assertTimeZone(def.timezone, `${field}.timezone`);
    if (def.catchUp !== undefined && !["none", "latest", "all"].includes(def.catchUp))
      throw invalidOption(`${field}.catchUp`, 'must be "none", "latest" or "all"');
    buildPayload(def.job); // throws INVALID_JOB early
  });
}

/**
 * Runs the periodic jobs on one node. Every node runs it; each tick is claimed with an
 * exactly-once marker `cron:<name>:<tick ms>` that is set and pushed atomically, so exactly one
 * node enqueues each tick.
 */
export class Periodic {
  readonly #s: PeriodicSettings;
  readonly #entries: Entry[];
  #timer: NodeJS.Timeout | undefined;
  #running: Promise<void> | undefined;
  #stopped = true;

  constructor(jobs: readonly PeriodicJob[], settings: PeriodicSettings) {
    this.#s = settings;
    this.#entries = jobs.map((def) => ({
      def,
      job: settings.prepare ? settings.prepare(def.job) : def.job,
      cron: def.pattern === undefined ? undefined : parseCron(def.pattern),
      catchUp: def.catchUp ?? settings.catchUp,
      next: undefined,
      lastRun: null,
    }));
  }

  /** The first tick strictly after `afterMs`. */
  nextTick(entry: Pick<Entry, "def" | "cron">, afterMs: number): number | undefined {
    if (entry.def.every !== undefined) return (Math.floor(afterMs / entry.def.every) + 1) * entry.def.every;
    return nextCronTime(entry.cron!, afterMs, entry.def.timezone ?? "UTC");
  }

  /** Load last runs from the registry, apply the missed-tick policy, register, start the timer. */
  async start(): Promise<void> {
    if (this.#entries.length === 0) return;
    this.#stopped = false;
    const stored = await this.#s.registry.all();
    const now = Date.now();
    for (const entry of this.#entries) {
      const previous = parseRecord(stored[entry.def.name]);
      entry.lastRun = previous?.lastRun ?? null;
      entry.next = this.nextTick(entry, now);
      if (entry.lastRun !== null) await this.#fire(entry, this.#due(entry, entry.lastRun, now));
    }
    await this.#s.registry.put(
      Object.fromEntries(this.#entries.map((e) => [e.def.name, JSON.stringify(this.#record(e))])),
    );
    this.#schedule();
  }

  /** Stop the timer and wait for a tick in progress. */
  async stop(): Promise<void> {
    this.#stopped = true;
    clearTimeout(this.#timer);
    await this.#running;
  }

  /** Ticks in (fromMs, toMs], oldest first, bounded by the policy. */
  #due(entry: Entry, fromMs: number, toMs: number): number[] {
    if (entry.catchUp === "none") return [];
    const keep = entry.catchUp === "latest" ? 1 : this.#s.maxCatchUp;
    const ticks: number[] = [];
    let t = this.nextTick(entry, fromMs);
    for (let guard = 0; t !== undefined && t <= toMs && guard < 1_000_000; guard++) {
      ticks.push(t);
      if (ticks.length > keep) ticks.shift();
      t = this.nextTick(entry, t);
    }
    return ticks;
  }

  #schedule(): void {
    if (this.#stopped) return;
    const next = Math.min(...this.#entries.map((e) => e.next ?? Number.POSITIVE_INFINITY));
    if (!Number.isFinite(next)) return;
    const delay = Math.min(Math.max(0, next - Date.now()), 2 ** 31 - 1);
    this.#timer = setTimeout(() => {
      this.#running = this.#tick().finally(() => this.#schedule());
    }, delay);
    this.#timer.unref?.();
  }

  async #tick(): Promise<void> {
    const now = Date.now();
    for (const entry of this.#entries) {
      if (entry.next === undefined || entry.next > now) continue;
      // Normally one tick; after a stall, the policy decides which of the missed ones run.
      const ticks = [entry.next, ...this.#due(entry, entry.next, now)];
      const chosen = entry.catchUp === "all" ? ticks.slice(-this.#s.maxCatchUp) : [ticks.at(-1)!];
      entry.next = this.nextTick(entry, now);
      await this.#fire(entry, chosen);
    }
  }

  async #fire(entry: Entry, ticks: readonly number[]): Promise<void> {
    for (const tick of ticks) {
      try {
        const { payload, lock } = this.#build(entry.job);
        payload.cron = entry.def.name;
        payload.cron_at = toSeconds(tick);
        const raw = encodePayload(payload);
        const marker = `cron:${entry.def.name}:${tick}`;
        if (lock !== undefined) {
          // A unique periodic job: its lock is taken with the tick's marker, in one step; a tick
          // whose previous run still holds the lock is skipped (claimed, nothing enqueued).
          if (this.#s.flow === undefined)
            throw invalidOption("unique", "a unique periodic job needs a store with the flow capability");
          const outcomes = await this.#s.flow.pushUnique(
            [{ queue: payload.queue, raw, jid: payload.jid, lock }],
            { key: marker, ttlMs: this.#s.onceTtlMs },
          );
          if (outcomes === undefined) continue;
          if (outcomes[0]?.pushed === false) {
            this.#s.logger.info(
              { plugin: "@verk/scheduler", cron: entry.def.name, heldBy: outcomes[0].heldBy },
              "periodic job not enqueued: its previous run still holds its unique lock",
            );
            continue;
          }
        } else {
          const won = await this.#s.once.claimAndPush(marker, this.#s.onceTtlMs, [
            { queue: payload.queue, raw },
          ]);
          if (!won) continue;
        }
        entry.lastRun = Math.max(entry.lastRun ?? 0, tick);
        this.#s.onTick?.(entry.def.name, tick, payload.jid);
        await this.#s.registry.put({ [entry.def.name]: JSON.stringify(this.#record(entry, true)) });
      } catch (error) {
        this.#s.logger.error(
          {
            plugin: "@verk/scheduler",
            cron: entry.def.name,
            class: entry.def.job.class,
            queue: entry.def.job.queue,
            tick: new Date(tick).toISOString(),
            err: error,
          },
          "enqueuing a periodic job failed",
        );
      }
    }
  }

  /** The payload of one tick (and its unique lock): `preparePush` when given, else `buildPayload`. */
  #build(job: NewJob): {
    payload: PreparedPush["payload"] & Record<string, unknown>;
    lock: PreparedPush["lock"];
  } {
    if (this.#s.preparePush) return this.#s.preparePush(job);
    const payload = buildPayload(job);
    payload.enqueued_at = Math.max(nowSeconds(), payload.created_at);
    return { payload, lock: undefined };
  }

  #record(entry: Entry, ranHere = false): PeriodicRecord {
    const { def } = entry;
    return {
      name: def.name,
      ...(def.pattern !== undefined ? { pattern: def.pattern, timezone: def.timezone ?? "UTC" } : {}),
      ...(def.every !== undefined ? { every: def.every } : {}),
      class: entry.job.class,
      queue: entry.job.queue ?? "default",
      catchUp: entry.catchUp,
      nextRun: entry.next ?? null,
      lastRun: entry.lastRun,
      ...(ranHere ? { lastNode: this.#s.nodeId } : {}),
      updatedAt: Date.now(),
    };
  }
}

/** Parse a `verk:cron` value; `undefined` when absent or unreadable. */
export function parseRecord(text: string | undefined): PeriodicRecord | undefined {
  if (!text) return undefined;
  try {
    const value = JSON.parse(text) as PeriodicRecord;
    return typeof value === "object" && value !== null ? value : undefined;
  } catch {
    return undefined;
  }
}
