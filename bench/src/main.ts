/**
 * `pnpm bench`: Verk against BullMQ, bee-queue and node-resque on one private redis-server,
 * the same workloads interleaved over several rounds; prints a table of medians and writes
 * `results/latest.json`. See the package README.
 */
import { mkdirSync, writeFileSync } from "node:fs";
import { loadavg } from "node:os";
import { dirname, resolve } from "node:path";
import { fileURLToPath } from "node:url";
import { adapterFor } from "./adapters/index.js";
import type { SystemName } from "./adapters/types.js";
import { type BenchArgs, parseArgs } from "./args.js";
import { waitForQuiet } from "./quiet.js";
import { startBenchRedis } from "./redis.js";
import { METRICS, type Medians, machineInfo, renderTable, type Timeouts, verkAdvantage } from "./report.js";
import { median } from "./stats.js";
import { STEPS, type Step } from "./steps.js";
import type { RoundMetrics, WorkloadContext } from "./workloads.js";

/**
 * Run one step; on a failure (e.g. the workspace being rebuilt under a starting worker), report it,
 * reset Redis and try once more; a second failure leaves the step out of this round.
 */
async function runStep(step: Step, ctx: WorkloadContext, label: string): Promise<RoundMetrics> {
  for (let attempt = 1; ; attempt++) {
    try {
      return await step.run(ctx);
    } catch (error) {
      console.error(
        `  ${label} failed (attempt ${attempt}): ${error instanceof Error ? error.message : error}`,
      );
      await ctx.redis.admin.flushall().catch(() => {});
      if (attempt >= 2) return {};
      await new Promise((resolve) => setTimeout(resolve, 3_000));
    }
  }
}

/** `next` added to `previous`: numbers replaced, `timedOut` and `stallEvents` merged. */
function mergeMetrics(previous: RoundMetrics | undefined, next: RoundMetrics): RoundMetrics {
  const timedOut = [...(previous?.timedOut ?? []), ...(next.timedOut ?? [])];
  const stallEvents = { ...previous?.stallEvents, ...next.stallEvents };
  return {
    ...previous,
    ...next,
    ...(timedOut.length > 0 ? { timedOut } : {}),
    ...(Object.keys(stallEvents).length > 0 ? { stallEvents } : {}),
  };
}

async function main(args: BenchArgs): Promise<void> {
  const redis = await startBenchRedis();
  const machine = machineInfo(redis.version);
  const rounds: Partial<Record<SystemName, RoundMetrics>>[] = [];
  const labels: Record<string, string> = {};
  for (const system of args.systems) labels[system] = adapterFor(system).label;
  const started = Date.now();
  const backgroundLoad: number[] = [];
  console.error(
    `bench: ${args.systems.join(", ")}; ${args.jobs} jobs, ${args.rounds} round(s); redis ${redis.version} at ${redis.url}`,
  );
  try {
    for (let round = 0; round < args.rounds; round++) {
      const results: Partial<Record<SystemName, RoundMetrics>> = {};
      // Rotate the order each round so no system always runs first or last.
      const order = args.systems.map((_, i) => args.systems[(i + round) % args.systems.length]!);
      for (const step of STEPS.filter((s) => args.steps.includes(s.id))) {
        for (const system of step.verkOnly ? order.filter((s) => s === "verk") : order) {
          const ctx: WorkloadContext = {
            redis,
            adapter: adapterFor(system),
            jobs: args.jobs,
            smoke: args.smoke,
            latencyMs: args.latencyMs,
            latencyWarmupMs: Math.min(500, args.latencyMs),
            cpuProfDir: args.cpuProfDir ? resolve(args.cpuProfDir, system) : undefined,
          };
          // The machine may be shared: wait (bounded) for other processes to calm down, and record
          // how busy it was, so the README can say how noisy the run was.
          const background =
            args.quietWaitMs > 0 ? await waitForQuiet(machine.cores, 0.3, args.quietWaitMs) : undefined;
          if (background !== undefined) backgroundLoad.push(background);
          const t0 = Date.now();
          const metrics = await runStep(step, ctx, `round ${round + 1} ${step.name} ${system}`);
          results[system] = mergeMetrics(results[system], metrics);
          const shown = [
            ...Object.entries(metrics)
              .filter(([, v]) => typeof v === "number")
              .map(([k, v]) => `${k}=${(v as number).toFixed(k.includes("JobsPerSec") ? 0 : 2)}`),
            ...(metrics.timedOut ?? []).map((k) => `${k}=timeout`),
          ].join(" ");
          const bg = background === undefined ? "" : `, others used ${background.toFixed(2)} cores before`;
          console.error(
            `  round ${round + 1} ${step.name.padEnd(15)} ${system.padEnd(12)} ${shown} (${Date.now() - t0} ms${bg})`,
          );
        }
      }
      rounds.push(results);
    }
  } finally {
    await redis.stop();
  }
  machine.loadavgAtEnd = loadavg();

  const medians: Medians = {};
  const spread: Medians = {};
  for (const system of args.systems) {
    const m: Medians[SystemName] = {};
    const s: Medians[SystemName] = {};
    for (const spec of METRICS) {
      const values = rounds
        .map((r) => r[system]?.[spec.key])
        .filter((v): v is number => typeof v === "number");
      if (values.length === 0) continue;
      const mid = median(values);
      m[spec.key] = mid;
      // Relative spread of the rounds: (max - min) / median.
      s[spec.key] = mid === 0 ? 0 : (Math.max(...values) - Math.min(...values)) / mid;
    }
    medians[system] = m;
    spread[system] = s;
  }
  const ratios: Record<string, Record<string, number | undefined>> = {};
  for (const system of args.systems) {
    if (system === "verk") continue;
    ratios[system] = Object.fromEntries(
      METRICS.map((spec) => [spec.key, verkAdvantage(medians, system, spec)]),
    );
  }
  const timeouts: Timeouts = {};
  for (const system of args.systems) {
    const keys = new Set(rounds.flatMap((r) => r[system]?.timedOut ?? []));
    if (keys.size > 0) timeouts[system] = [...keys];
  }
  const table = renderTable(args.systems, labels, medians, timeouts);
  console.log(
    `\n${machine.cpuModel}, ${machine.cores} cores, Node ${machine.node}, Redis ${machine.redis}; ` +
      `${args.jobs.toLocaleString("en-US")} jobs, medians of ${args.rounds} round(s), ${Math.round((Date.now() - started) / 1000)} s; ` +
      `load of other processes before each step: median ${median(backgroundLoad).toFixed(2)}, max ${Math.max(0, ...backgroundLoad).toFixed(2)} cores\n`,
  );
  console.log(table);
  const out = args.out ?? resolve(dirname(fileURLToPath(import.meta.url)), "../results/latest.json");
  mkdirSync(dirname(out), { recursive: true });
  writeFileSync(
    out,
    `${JSON.stringify(
      {
        date: new Date().toISOString(),
        machine,
        args: {
          jobs: args.jobs,
          rounds: args.rounds,
          smoke: args.smoke,
          systems: args.systems,
          latencyMs: args.latencyMs,
        },
        labels,
        medians,
        verkAdvantage: ratios,
        spread,
        timeouts,
        backgroundCores: {
          median: median(backgroundLoad),
          max: backgroundLoad.length ? Math.max(...backgroundLoad) : undefined,
          perStep: backgroundLoad,
        },
        rounds,
        table,
      },
      null,
      2,
    )}\n`,
  );
  console.error(`\nwrote ${out}`);
}

main(parseArgs(process.argv.slice(2))).then(
  () => process.exit(0),
  (error: unknown) => {
    console.error(error instanceof Error ? (error.stack ?? error.message) : error);
    process.exit(1);
  },
);
