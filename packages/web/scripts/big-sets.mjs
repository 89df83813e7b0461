// Page timings on big sets: a 100,000-entry dead set and a 1,000,000-job queue.
// Run after `pnpm --filter @verk/web build`: `node packages/web/scripts/big-sets.mjs`.
// Starts its own private redis-server; prints the median of 7 requests per page (after a warm-up).
import { createServer } from "node:http";
import { startRedis } from "@verk/test-redis";
import { Redis } from "ioredis";
import { createDashboard } from "../dist/index.js";

const DEAD = 100_000;
const QUEUE = 1_000_000;
const server = await startRedis();
const redis = new Redis(server.url);
const job = (i, extra = "") =>
  `{"retry":true,"queue":"big","class":"${i % 10 === 0 ? "Report" : "SendEmail"}","args":["user${i}@example.com",${i}],"jid":"${i.toString(16).padStart(24, "0")}","created_at":1764000000.5,"enqueued_at":1764000001.5${extra}}`;
const t0 = Date.now();
for (let i = 0; i < DEAD; i += 5_000) {
  const args = [];
  for (let j = i; j < i + 5_000; j++)
    args.push(
      1_764_000_000 + j,
      job(
        j,
        ',"error_message":"SMTP timeout","error_class":"TimeoutError","failed_at":1764000002.5,"retry_count":25',
      ),
    );
  await redis.zadd("dead", ...args);
}
await redis.sadd("queues", "big");
for (let i = 0; i < QUEUE; i += 10_000) {
  const args = [];
  for (let j = i; j < i + 10_000; j++) args.push(job(j));
  await redis.lpush("queue:big", ...args);
}
console.log(
  `filled ${DEAD.toLocaleString()} dead, ${QUEUE.toLocaleString()} queued in ${Date.now() - t0} ms`,
);

const dashboard = createDashboard({ redisUrl: server.url });
const http = createServer(dashboard);
await new Promise((r) => http.listen(0, "127.0.0.1", r));
const base = `http://127.0.0.1:${http.address().port}`;
const pages = [
  ["overview", "/"],
  ["queues", "/queues"],
  ["dead, page 1", "/dead"],
  ["dead, page 2,000 (middle)", "/dead?page=2000"],
  ["dead, last page", "/dead?page=4000"],
  ["dead, filter class=Report (bounded scan)", "/dead?class=Report"],
  ["dead, filter args (bounded scan, no match)", "/dead?args=nomatch"],
  ["queue big, page 1", "/queues/big"],
  ["queue big, page 20,000 (middle)", "/queues/big?page=20000"],
  ["queue big, last page", "/queues/big?page=40000"],
  ["queue big, search (bounded scan)", "/queues/big?q=user999999"],
];
const rows = [];
for (const [name, path] of pages) {
  const times = [];
  for (let i = 0; i < 8; i++) {
    const start = process.hrtime.bigint();
    const res = await fetch(base + path);
    await res.text();
    if (res.status !== 200) throw new Error(`${path}: ${res.status}`);
    if (i > 0) times.push(Number(process.hrtime.bigint() - start) / 1e6);
  }
  times.sort((a, b) => a - b);
  rows.push({ page: name, path, "median ms": times[3].toFixed(1), "max ms": times.at(-1).toFixed(1) });
}
console.table(rows);
http.closeAllConnections();
http.close();
await dashboard.close();
await redis.quit();
await server.stop();
