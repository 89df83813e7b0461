import {
  assertKnownKeys,
  generateJid,
  invalidOption,
  requireCapability,
  type Verk,
  type VerkPlugin,
} from "@verk/core";
import { LeaderPromoter } from "./leader.js";
import { type CatchUpPolicy, Periodic, type PeriodicJob, validatePeriodic } from "./periodic.js";

/** Options of {@link scheduler}. */
export interface SchedulerOptions {
  /** Milliseconds a leader's lease lasts without renewal (renewed every third of it). Failover after a crash takes about this long. (Default: 10,000) */
  leaseTtlMs?: number;
  /** Longest the leader sleeps between checks, ms: bounds the delay for jobs added without a notice (e.g. by Ruby Sidekiq). (Default: 5,000) */
  maxSleepMs?: number;
  /** Jobs moved per store call. (Default: 100) */
  batchSize?: number;
  /** Periodic jobs (cron patterns or `every` ms). (Default: none) */
  cron?: readonly PeriodicJob[];
  /** Missed-tick policy: `"none"` skips them, `"latest"` enqueues the most recent one once, `"all"` enqueues each (at most `maxCatchUp`). (Default: `"latest"`) */
  catchUp?: CatchUpPolicy;
  /** Most missed ticks enqueued per job with `catchUp: "all"`. (Default: 100) */
  maxCatchUp?: number;
  /** Milliseconds an exactly-once tick marker lives. (Default: 3,600,000 = 1 hour) */
  onceTtlMs?: number;
  /** Lease name, to run separate schedulers on one Redis. (Default: `"scheduler"`) */
  leaseName?: string;
}

/** Every key {@link scheduler} accepts. */
const SCHEDULER_OPTION_KEYS = [
  "leaseTtlMs",
  "maxSleepMs",
  "batchSize",
  "cron",
  "catchUp",
  "maxCatchUp",
  "onceTtlMs",
  "leaseName",
] as const satisfies readonly (keyof SchedulerOptions)[];

/** The `@verk/scheduler` plugin. */
export interface SchedulerPlugin extends VerkPlugin {
  /** True while this node is the leader that promotes due jobs. */
  readonly isLeader: boolean;
}

/**
 * Replace the built-in poller with a leader-elected scheduler that wakes at the next due time,
 * and run periodic jobs (cron / every) exactly once per tick across all nodes.
 * @throws VerkError `INVALID_OPTION` for bad options, or (at setup) a store without the `lease`,
 * `once`, `queueInspect` and `cronRegistry` capabilities.
 * @example
 * scheduler({ cron: [{ name: "report", pattern: "0 6 * * MON-FRI", timezone: "Europe/Berlin", job: { class: "Report", queue: "default" } }] })
 */
export function scheduler(options: SchedulerOptions = {}): SchedulerPlugin {
  assertKnownKeys(options, SCHEDULER_OPTION_KEYS, "scheduler");
  const leaseTtlMs = positiveInt(options.leaseTtlMs, 10_000, "leaseTtlMs");
  const maxSleepMs = positiveInt(options.maxSleepMs, 5_000, "maxSleepMs");
  const batchSize = positiveInt(options.batchSize, 100, "batchSize");
  const maxCatchUp = positiveInt(options.maxCatchUp, 100, "maxCatchUp");
  const onceTtlMs = positiveInt(options.onceTtlMs, 3_600_000, "onceTtlMs");
  const catchUp = options.catchUp ?? "latest";
  if (!["none", "latest", "all"].includes(catchUp))
    throw invalidOption("catchUp", 'must be "none", "latest" or "all"');
  const leaseName = options.leaseName ?? "scheduler";
  if (typeof leaseName !== "string" || leaseName === "")
    throw invalidOption("leaseName", "must be a non-empty string");
  const cron = options.cron ?? [];
  if (!Array.isArray(cron)) throw invalidOption("cron", "must be an array");
  validatePeriodic(cron);
  let leader: LeaderPromoter | undefined;
  let periodic: Periodic | undefined;

  return {
    name: "@verk/scheduler",
    get isLeader() {
      return leader?.isLeader ?? false;
    },
    setup(verk: Verk) {
      const store = verk.store;
      const addon = "@verk/scheduler";
      const lease = requireCapability(store, "lease", addon);
      const inspect = requireCapability(store, "queueInspect", addon);
      verk.useExternalScheduler();
      leader = new LeaderPromoter({
        store,
        lease,
        inspect,
        dueWatch: store.capabilities?.dueWatch,
        leaseName,
        token: `${verk.nodeId}:${generateJid()}`,
        leaseTtlMs,
        maxSleepMs,
        batchSize,
        logger: verk.logger,
      });
      // A retry goes into the `retry` set inside the store's fail script: announce its time.
      verk.on("job:retried", (e) => void store.capabilities?.dueWatch?.notify(e.retryAt / 1000));
      if (cron.length > 0) {
        periodic = new Periodic(cron, {
          once: requireCapability(store, "once", addon),
          registry: requireCapability(store, "cronRegistry", addon),
          nodeId: verk.nodeId,
          logger: verk.logger,
          catchUp,
          maxCatchUp,
          onceTtlMs,
          prepare: (job) => verk.jobWithDefaults(job),
          // Each tick's payload as enqueue builds it (flow control: unique, expiresIn).
          ...(typeof verk.preparePush === "function" ? { preparePush: (job) => verk.preparePush(job) } : {}),
          flow: store.capabilities?.flow,
        });
      }
    },
    async start() {
      await leader?.start();
      await periodic?.start();
    },
    async stop() {
      await periodic?.stop();
      await leader?.stop();
    },
  };
}

function positiveInt(value: number | undefined, fallback: number, field: string): number {
  if (value === undefined) return fallback;
  if (!Number.isInteger(value) || value < 1) throw invalidOption(field, "must be a positive integer");
  return value;
}
