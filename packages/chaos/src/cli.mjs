#!/usr/bin/env node
// `pnpm chaos [--jobs N] [--workers W] [--seconds S] [--kill-every-ms M] [--redis-restarts R] [--cluster] [--verbose]`
// --cluster: a 3-master Redis Cluster with the cluster key layout (3 queues on 3 masters).
// Prints `jobs N, lost 0, duplicates D, kills K, redis restarts R`; exits 1 when a job was lost or
// something was left in a queue, an in-progress list or the retry/dead sets.
import { parseArgs } from "node:util";
import { runChaos, summary } from "./harness.mjs";

// `pnpm chaos -- --jobs N` passes the `--` through: drop it, so the flags after it are read.
const args = process.argv.slice(2).filter((arg, i) => !(i === 0 && arg === "--"));

let values;
try {
  ({ values } = parseArgs({
    args,
    options: {
      jobs: { type: "string", default: "20000" },
      workers: { type: "string", default: "6" },
      seconds: { type: "string", default: "60" },
      "kill-every-ms": { type: "string", default: "1500" },
      "redis-restarts": { type: "string", default: "1" },
      cluster: { type: "boolean", default: false },
      verbose: { type: "boolean", default: false },
    },
  }));
} catch (error) {
  console.error(`chaos: ${error.message}`);
  console.error(
    "usage: pnpm chaos [--] [--jobs N] [--workers W] [--seconds S] [--kill-every-ms M] [--redis-restarts R] [--cluster] [--verbose]",
  );
  process.exit(2);
}

const result = await runChaos({
  jobs: Number(values.jobs),
  workers: Number(values.workers),
  produceMs: Number(values.seconds) * 1_000,
  killEveryMs: Number(values["kill-every-ms"]),
  redisRestarts: Number(values["redis-restarts"]),
  drainTimeoutMs: 60_000,
  topology: values.cluster ? "cluster" : "single",
  log: values.verbose ? (line) => console.error(line) : undefined,
});
console.log(summary(result));
console.log(
  `in flight at kills ${result.inFlightAtKills}, in progress at Redis restarts ${result.inFlightAtRedisRestarts}, ` +
    `recovered from live workers ${result.recoveredFromLive}, ` +
    `leftovers ${JSON.stringify(result.leftovers)}, ${(result.elapsedMs / 1000).toFixed(1)} s`,
);
process.exit(result.lost === 0 && Object.keys(result.leftovers).length === 0 ? 0 : 1);
