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
  /**
   * Workloads to run: enqueue, bulk, process, process2, latency, and the Verk-only isolation
   * workloads cpuhog, multicore, overhead. (Default: all)
   */
  steps: string[];
}

/** The workload ids of `--steps`. */
export const ALL_STEPS = [
  "enqueue",
  "bulk",
  "process",
  "process2",
  "latency",
  "cpuhog",
  "multicore",
  "overhead",
] as const;

const USAGE = `usage: pnpm bench [--jobs N] [--rounds R] [--smoke] [--only verk,bullmq,...] [--latency-ms MS]
                  [--out FILE] [--cpu-prof DIR] [--quiet-wait-ms MS]
                  [--steps enqueue,bulk,process,process2,latency,cpuhog,multicore,overhead]`;

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
      args.steps = value()
        .split(",")
        .map((x) => x.trim());
      for (const step of args.steps) {
        if (!(ALL_STEPS as readonly string[]).includes(step))
          throw new Error(`unknown step "${step}" (known: ${ALL_STEPS.join(", ")})\n${USAGE}`);
      }
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
