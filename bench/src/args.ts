import { ALL_SYSTEMS } from "./adapters/index.js";
import type { SystemName } from "./adapters/types.js";

/** Parsed command line of `pnpm bench`. */
export interface BenchArgs {
  /** Jobs per throughput workload. (Default: 50,000; `--smoke`: 300) */
  jobs: number;
  /** Rounds; medians are taken over them. (Default: 3) */
  rounds: number;
  smoke: boolean;
  systems: SystemName[];
  /** Measured latency period, ms. (Default: 3,000; `--smoke`: 300) */
  latencyMs: number;
  /** JSON output path. (Default: `results/latest.json` in the bench package) */
  out: string | undefined;
  /** Write worker `--cpu-prof` files of the 1-process workload into this directory. */
  cpuProfDir: string | undefined;
  /** Longest wait, per step, for other processes to use <= 0.3 cores. (Default: 5,000; `--smoke`: 0) */
  quietWaitMs: number;
  /** Workloads to run, by id (see {@link ALL_STEPS}; groups of {@link STEP_GROUPS} expanded). (Default: all) */
  steps: string[];
}

/** The workloads of issue #7: no-op jobs `{ i }`. */
export const CLASSIC_STEPS = ["enqueue", "bulk", "process", "process2", "latency"] as const;

/** The workloads of issue #16: payload sizes, scheduled jobs, retries, latency-monitor stalls. */
export const ISSUE16_STEPS = [
  "process-2k",
  "process-20k",
  "process-200k",
  "due-2k",
  "due-20k",
  "due-200k",
  "retry-storm",
  "schedule-bulk",
  "promote-late",
] as const;

/** The Verk-only workloads of issue #10: isolated queues (no peer has an equivalent). */
export const ISOLATION_STEPS = ["cpuhog", "multicore", "overhead"] as const;

/** The Verk-only workloads of issue #11 (idempotent push cost) and issue #10 (heartbeats under a hog). */
export const HARDENING_STEPS = ["push-cost", "heartbeat-hog"] as const;

/** The Verk-only workloads of issue #13: the cluster key layout on a Redis Cluster, and `waitReplicas`. */
export const ISSUE13_STEPS = ["cluster-layout", "wait-replicas"] as const;

/** The Verk-only workloads of issue #14: the cost of `unique` on enqueue and of limits on processing. */
export const ISSUE14_STEPS = ["unique-enqueue", "limit-process"] as const;

/** The workload ids of `--steps`, in the order they run. */
export const ALL_STEPS = [
  ...CLASSIC_STEPS,
  ...ISSUE16_STEPS,
  ...ISOLATION_STEPS,
  ...HARDENING_STEPS,
  ...ISSUE13_STEPS,
  ...ISSUE14_STEPS,
] as const;

/** Names `--steps` accepts for several workloads at once. */
export const STEP_GROUPS: Record<string, readonly string[]> = {
  classic: CLASSIC_STEPS,
  issue16: ISSUE16_STEPS,
  payload: ["process-2k", "process-20k", "process-200k"],
  due: ["due-2k", "due-20k", "due-200k"],
  isolation: ISOLATION_STEPS,
  hardening: HARDENING_STEPS,
  issue14: ISSUE14_STEPS,
  issue13: ISSUE13_STEPS,
};

const USAGE = `usage: pnpm bench [--jobs N] [--rounds R] [--smoke] [--only verk,bullmq,...] [--latency-ms MS]
                  [--out FILE] [--cpu-prof DIR] [--quiet-wait-ms MS] [--steps a,b,...]
  steps: ${ALL_STEPS.join(", ")}
  groups: ${Object.entries(STEP_GROUPS)
    .map(([name, ids]) => `${name} (${ids.join(",")})`)
    .join("; ")}`;

/** Parse `argv` (without node and the script). Throws with a usage line on bad input. */
export function parseArgs(argv: readonly string[]): BenchArgs {
  const args: BenchArgs = {
    jobs: 50_000,
    rounds: 3,
    smoke: false,
    systems: [...ALL_SYSTEMS],
    latencyMs: 3_000,
    out: undefined,
    cpuProfDir: undefined,
    quietWaitMs: 5_000,
    steps: [...ALL_STEPS],
  };
  let quietSet = false;
  let jobsSet = false;
  let latencySet = false;
  for (let i = 0; i < argv.length; i++) {
    const flag = argv[i]!;
    const value = () => {
      const v = argv[++i];
      if (v === undefined) throw new Error(`${flag} needs a value\n${USAGE}`);
      return v;
    };
    const int = (v: string) => {
      const n = Number(v.replace(/[_,]/g, ""));
      if (!Number.isInteger(n) || n < 1) throw new Error(`${flag} must be a positive integer\n${USAGE}`);
      return n;
    };
    if (flag === "--") continue;
    else if (flag === "--jobs") {
      args.jobs = int(value());
      jobsSet = true;
    } else if (flag === "--rounds") args.rounds = int(value());
    else if (flag === "--smoke") args.smoke = true;
    else if (flag === "--latency-ms") {
      args.latencyMs = int(value());
      latencySet = true;
    } else if (flag === "--out") args.out = value();
    else if (flag === "--cpu-prof") args.cpuProfDir = value();
    else if (flag === "--steps") {
      const wanted = new Set<string>();
      for (const name of value()
        .split(",")
        .map((x) => x.trim())) {
        const ids = STEP_GROUPS[name] ?? [name];
        for (const id of ids) {
          if (!(ALL_STEPS as readonly string[]).includes(id))
            throw new Error(`unknown step "${id}" (known: ${ALL_STEPS.join(", ")})\n${USAGE}`);
          wanted.add(id);
        }
      }
      args.steps = ALL_STEPS.filter((id) => wanted.has(id));
    } else if (flag === "--quiet-wait-ms") {
      args.quietWaitMs = Number(value());
      quietSet = true;
    } else if (flag === "--only") {
      const names = value()
        .split(",")
        .map((s) => s.trim())
        .filter(Boolean);
      for (const name of names) {
        if (!ALL_SYSTEMS.includes(name as SystemName))
          throw new Error(`unknown system "${name}" (known: ${ALL_SYSTEMS.join(", ")})\n${USAGE}`);
      }
      args.systems = ALL_SYSTEMS.filter((s) => names.includes(s));
    } else if (flag === "--help" || flag === "-h") throw new Error(USAGE);
    else throw new Error(`unknown argument "${flag}"\n${USAGE}`);
  }
  if (args.smoke) {
    if (!jobsSet) args.jobs = 300;
    if (!latencySet) args.latencyMs = 300;
    if (!quietSet) args.quietWaitMs = 0;
  }
  return args;
}
