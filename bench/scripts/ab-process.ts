/**
 * A/B of Verk's processing loop: `node --import tsx scripts/ab-process.ts <core-a.mjs> <core-b.mjs> [rounds] [jobs]`.
 * Each argument is a bundle of `@verk/core` (e.g. `esbuild packages/core/src/index.ts --bundle`),
 * optionally also exporting `redisStore` to compare redis-store changes;
 * the rounds alternate A and B, each in a fresh process, on one private redis-server.
 */
import { fork } from "node:child_process";
import { fileURLToPath } from "node:url";
import { hrtimeMs } from "../src/clock.js";
import { startBenchRedis } from "../src/redis.js";

const [, , a, b, roundsArg, jobsArg, role, url] = process.argv;
const jobs = Number(jobsArg ?? 50_000);

if (role === "child") {
  const core = await import(a!);
  // A bundle may carry its own redis-store (`export { redisStore }`) to A/B store changes too.
  const redisStore = core.redisStore ?? (await import("@verk/redis-store")).redisStore;
  let done = 0;
  const noop = core.defineWorker("BenchNoop", async () => {});
  const verk = core.createVerk({ store: redisStore({ url }), queues: { bench: 50 }, workers: [noop] });
  const finished = new Promise<void>((resolve) => {
    verk.on("job:finished", () => {
      if (++done === jobs) resolve();
    });
  });
  await verk.connect();
  const cpu0 = process.cpuUsage();
  const t0 = hrtimeMs();
  await verk.start();
  await finished;
  const ms = hrtimeMs() - t0;
  const cpu = process.cpuUsage(cpu0);
  process.send!({ jobsPerSec: (jobs * 1000) / ms, cpuMicrosPerJob: (cpu.user + cpu.system) / jobs });
  await verk.stop();
  process.exit(0);
} else {
  const redis = await startBenchRedis();
  const core = await import(a!);
  const { redisStore } = await import("@verk/redis-store");
  const producer = core.createVerk({ store: redisStore({ url: redis.url }) });
  const results: Record<string, number[][]> = { A: [], B: [] };
  for (let round = 0; round < Number(roundsArg ?? 4); round++) {
    for (const [name, bundle] of [
      ["A", a!],
      ["B", b!],
    ] as const) {
      await redis.admin.flushall();
      for (let i = 0; i < jobs; i += 1_000) {
        await producer.enqueueBulk(
          Array.from({ length: 1_000 }, (_, k) => ({
            class: "BenchNoop",
            queue: "bench",
            args: [{ i: i + k }],
          })),
        );
      }
      const child = fork(
        fileURLToPath(import.meta.url),
        [bundle, bundle, "1", String(jobs), "child", redis.url],
        {
          execArgv: ["--import", "tsx"],
        },
      );
      const r = await new Promise<{ jobsPerSec: number; cpuMicrosPerJob: number }>((resolve) =>
        child.once("message", resolve as never),
      );
      await new Promise((resolve) => child.once("exit", resolve));
      results[name]!.push([Math.round(r.jobsPerSec), Number(r.cpuMicrosPerJob.toFixed(1))]);
      console.log(name, Math.round(r.jobsPerSec), "jobs/s", r.cpuMicrosPerJob.toFixed(1), "µs CPU/job");
    }
  }
  await producer.stop();
  await redis.stop();
  const med = (xs: number[]) => xs.sort((p, q) => p - q)[xs.length >> 1]!;
  for (const name of ["A", "B"]) {
    console.log(
      `${name}: median ${med(results[name]!.map((x) => x[0]!))} jobs/s, ${med(results[name]!.map((x) => x[1]!))} µs CPU/job`,
    );
  }
  process.exit(0);
}
