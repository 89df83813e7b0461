/**
 * Profile Verk's producer alone: `node --cpu-prof --import tsx scripts/profile-producer.ts [one|bulk] [N]`.
 * Starts a private redis-server, enqueues N jobs (one by one, 50 in flight; or in bulk calls of 1,000)
 * and prints jobs/s.
 */
import { verkAdapter } from "../src/adapters/verk.js";
import { hrtimeMs } from "../src/clock.js";
import { startBenchRedis } from "../src/redis.js";

const mode = process.argv[2] ?? "one";
const jobs = Number(process.argv[3] ?? 200_000);
const redis = await startBenchRedis();
const producer = await verkAdapter.producer(redis.url);
for (let round = 0; round < 3; round++) {
  await redis.admin.flushall();
  const t0 = hrtimeMs();
  if (mode === "bulk") {
    for (let start = 0; start < jobs; start += 1_000) {
      const batch = [];
      for (let i = start; i < Math.min(jobs, start + 1_000); i++) batch.push({ i });
      await producer.addBulk!(batch);
    }
  } else {
    let next = 0;
    await Promise.all(
      Array.from({ length: 50 }, async () => {
        while (next < jobs) await producer.add({ i: next++ });
      }),
    );
  }
  console.log(`${mode}: ${Math.round((jobs * 1000) / (hrtimeMs() - t0))} jobs/s`);
}
await producer.close();
await redis.stop();
process.exit(0);
