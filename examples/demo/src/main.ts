// The quick-start demo as a program of its own: the same code as `verk demo` (from @verk/cli).
import { runDemo } from "@verk/cli";

const redisUrl = process.env.REDIS_URL ?? "redis://127.0.0.1:6379";
const jobs = Number(process.argv[2] ?? process.env.DEMO_JOBS ?? 10_000);

runDemo({ redisUrl, jobs }).then(
  () => process.exit(0),
  (error: unknown) => {
    console.error(`demo failed: ${error instanceof Error ? error.message : String(error)}`);
    process.exit(1);
  },
);
