// The chaos harness: worker processes on a private Redis with AOF on (one server, or a 3-master
// Redis Cluster on the cluster key layout), jobs that record their jid, random SIGKILLs and
// restarts of workers, Redis restarts; then checks that every job ran.
import { fork } from "node:child_process";
import { fileURLToPath } from "node:url";
import { core, redisStoreModule } from "./deps.mjs";
import { startCluster, startSingle } from "./topology.mjs";

const WORKER = fileURLToPath(new URL("./worker.mjs", import.meta.url));

/**
 * @typedef {object} ChaosOptions
 * @property {number} [jobs] jobs to enqueue (default 4,000)
 * @property {number} [workers] worker processes kept running (default 4)
 * @property {number} [concurrency] jobs per worker at once (default 20)
 * @property {number} [produceMs] how long jobs are enqueued and workers killed, in ms (default 20,000)
 * @property {number} [killEveryMs] mean time between two SIGKILLs, in ms (default 1,500)
 * @property {number} [redisRestarts] Redis kills + restarts during the run (default 1)
 * @property {number} [heartbeatMs] worker heartbeat interval (default 250)
 * @property {number} [nodeTtlMs] worker heartbeat TTL (default 1,000)
 * @property {number} [drainTimeoutMs] how long to wait for every job after the chaos (default 30,000)
 * @property {"single" | "cluster"} [topology] one redis-server, or a 3-master Redis Cluster with the
 *   cluster key layout and jobs spread over 3 queues on 3 masters; a "Redis restart" then kills and
 *   restarts one master (default "single")
 * @property {(line: string) => void} [log] progress lines (default none)
 */

/**
 * @typedef {object} ChaosResult
 * @property {number} jobs
 * @property {number} lost jids that never ran
 * @property {number} duplicates extra runs (sum over jids of runs - 1)
 * @property {number} kills worker SIGKILLs
 * @property {number} redisRestarts
 * @property {number} inFlightAtKills jobs in the killed workers' in-progress lists at the kills
 * @property {number} inFlightAtRedisRestarts jobs in progress anywhere when Redis was killed
 * @property {number} recoveredFromLive jobs recovered from workers that were not killed: declared
 *   dead while alive (starved of CPU, or Redis away, past the heartbeat TTL), so they may run twice
 * @property {Record<string, number>} leftovers non-empty queue / in-progress / retry / dead / schedule sizes
 * @property {number} elapsedMs
 */

const sleep = (ms) => new Promise((resolve) => setTimeout(resolve, ms));
const random = (min, max) => min + Math.random() * (max - min);

/** One summary line: `jobs N, lost L, duplicates D, kills K, redis restarts R`. */
export function summary(result) {
  return `jobs ${result.jobs}, lost ${result.lost}, duplicates ${result.duplicates}, kills ${result.kills}, redis restarts ${result.redisRestarts}`;
}

/** Where duplicates may come from: `in flight at kills K, at Redis restarts R, recovered from live workers L`. */
export function detail(result) {
  return `(in flight at kills ${result.inFlightAtKills}, at Redis restarts ${result.inFlightAtRedisRestarts}, recovered from live workers ${result.recoveredFromLive})`;
}

/**
 * Run the chaos scenario and report. Never throws for a broken guarantee: check the result.
 * @param {ChaosOptions} [options]
 * @returns {Promise<ChaosResult>}
 */
export async function runChaos(options = {}) {
  const jobs = options.jobs ?? 4_000;
  const workerCount = options.workers ?? 4;
  const produceMs = options.produceMs ?? 20_000;
  const killEveryMs = options.killEveryMs ?? 1_500;
  const restarts = options.redisRestarts ?? 1;
  const log = options.log ?? (() => {});
  const started = Date.now();

  const topo = options.topology === "cluster" ? await startCluster() : await startSingle();
  const { admin, keys, queues } = topo;
  const env = {
    ...process.env,
    ...topo.env,
    CONCURRENCY: String(options.concurrency ?? 20),
    HEARTBEAT_MS: String(options.heartbeatMs ?? 250),
    NODE_TTL_MS: String(options.nodeTtlMs ?? 1_000),
  };
  /** @type {Set<{ child: import("node:child_process").ChildProcess, nodeId?: string }>} */
  const workers = new Set();
  /** Node ids of the SIGKILLed workers. */
  const killed = new Set();
  /** @type {{ fromNodeId: string, count: number }[]} */
  const recoveries = [];
  let stopping = false;

  const spawnWorker = () => {
    const child = fork(WORKER, [], { env, stdio: ["ignore", "ignore", "pipe", "ipc"] });
    const entry = { child, nodeId: undefined };
    child.stderr.on("data", (chunk) => log(`worker: ${String(chunk).trim()}`));
    child.on("message", (message) => {
      if (message?.type === "started") entry.nodeId = message.nodeId;
      if (message?.type === "recovered") recoveries.push(message);
    });
    child.on("exit", () => {
      workers.delete(entry);
    });
    workers.add(entry);
    return entry;
  };

  const result = {
    jobs,
    lost: 0,
    duplicates: 0,
    kills: 0,
    redisRestarts: 0,
    inFlightAtKills: 0,
    inFlightAtRedisRestarts: 0,
    recoveredFromLive: 0,
    leftovers: {},
    elapsedMs: 0,
  };
  const producerStore = redisStoreModule.redisStore({ ...topo.storeOptions, sidekiqProcess: false });
  const producer = core.createVerk({ store: producerStore, logger: quietLogger() });
  const jids = [];
  let redisDown = Promise.resolve();

  try {
    for (let i = 0; i < workerCount; i++) spawnWorker();

    // Producer: enqueue evenly over produceMs (paused while Redis is down).
    const producing = (async () => {
      const batches = 40;
      const perBatch = Math.ceil(jobs / batches);
      for (let b = 0; b < batches && jids.length < jobs; b++) {
        await redisDown;
        const count = Math.min(perBatch, jobs - jids.length);
        const batch = Array.from({ length: count }, (_, i) => ({
          class: "ChaosJob",
          queue: queues[i % queues.length],
          args: [Math.round(random(20, 120))],
        }));
        jids.push(...(await producer.enqueueBulk(batch)));
        await sleep(produceMs / batches);
      }
    })();

    // Killer: SIGKILL a random started worker, start a new one a little later.
    const killing = (async () => {
      const restartAt = new Set(
        Array.from({ length: restarts }, (_, i) => Math.round(((i + 1) * produceMs) / (restarts + 1))),
      );
      const end = started + produceMs;
      while (Date.now() < end) {
        await sleep(random(0.5, 1.5) * killEveryMs);
        const elapsed = Date.now() - started;
        for (const at of restartAt) {
          if (elapsed >= at) {
            restartAt.delete(at);
            result.inFlightAtRedisRestarts += await inProgressTotal(topo);
            let up;
            redisDown = new Promise((resolve) => {
              up = resolve;
            });
            log(`killing Redis at ${elapsed} ms`);
            await topo.killRedis();
            await sleep(random(500, 1_500));
            await topo.restartRedis();
            result.redisRestarts++;
            up();
            log("Redis is back");
          }
        }
        const candidates = [...workers].filter((w) => w.nodeId && w.child.exitCode === null);
        if (candidates.length === 0) continue;
        const victim = candidates[Math.floor(Math.random() * candidates.length)];
        const lengths = await Promise.all(queues.map((q) => admin.llen(keys.inprogress(q, victim.nodeId))));
        const inFlight = lengths.reduce((a, b) => a + b, 0);
        killed.add(victim.nodeId);
        victim.child.kill("SIGKILL");
        result.kills++;
        result.inFlightAtKills += inFlight;
        log(`SIGKILL worker ${victim.nodeId} with ${inFlight} job(s) in flight`);
        setTimeout(
          () => {
            if (!stopping) spawnWorker();
          },
          random(100, 600),
        );
      }
    })();

    await Promise.all([producing, killing]);
    await sleep(700);
    while (workers.size < workerCount) spawnWorker();

    // Drain: every job ran and nothing is left anywhere.
    const deadline = Date.now() + (options.drainTimeoutMs ?? 30_000);
    for (;;) {
      const ran = await admin.scard(topo.ranKey);
      const left = await leftovers(topo);
      if (ran >= jobs && Object.keys(left).length === 0) break;
      if (Date.now() > deadline) break;
      await sleep(250);
    }
  } finally {
    stopping = true;
    await Promise.all(
      [...workers].map(
        ({ child }) =>
          new Promise((resolve) => {
            if (child.exitCode !== null || child.signalCode !== null) return resolve(undefined);
            child.once("exit", resolve);
            child.kill("SIGTERM");
            setTimeout(() => child.kill("SIGKILL"), 8_000).unref();
          }),
      ),
    );
    await producer.stop().catch(() => {});
  }

  const ran = new Set(await admin.smembers(topo.ranKey));
  result.lost = jids.filter((jid) => !ran.has(jid)).length + Math.max(0, jobs - jids.length);
  for (let i = 0; i < jids.length; i += 1_000) {
    const counts = await admin.mget(...jids.slice(i, i + 1_000).map((jid) => topo.countKey(jid)));
    for (const count of counts) if (count !== null) result.duplicates += Number(count) - 1;
  }
  result.leftovers = await leftovers(topo);
  for (const { fromNodeId, count } of recoveries) {
    if (killed.has(fromNodeId)) continue;
    result.recoveredFromLive += count;
    log(`live worker ${fromNodeId} was declared dead: ${count} of its job(s) recovered`);
  }
  result.elapsedMs = Date.now() - started;
  await topo.stop();
  return result;
}

/** @param {import("./topology.mjs").ChaosTopology} topo */
async function inProgressTotal(topo) {
  let total = 0;
  for (const key of await topo.keysMatching(topo.keys.inprogress("*", "*")))
    total += await topo.admin.llen(key);
  return total;
}

/** Non-empty queues, in-progress lists and retry/dead/schedule sets. @param {import("./topology.mjs").ChaosTopology} topo */
async function leftovers(topo) {
  const { admin, keys, queues } = topo;
  const left = {};
  for (const q of queues) {
    const n = await admin.llen(keys.queue(q));
    if (n > 0) left[keys.queue(q)] = n;
  }
  for (const key of await topo.keysMatching(keys.inprogress("*", "*"))) {
    const n = await admin.llen(key);
    if (n > 0) left[key] = n;
  }
  const sets = new Set(queues.flatMap((q) => ["retry", "dead", "schedule"].map((set) => keys.setOf(set, q))));
  for (const key of sets) {
    const n = await admin.zcard(key);
    if (n > 0) left[key] = n;
  }
  return left;
}

function quietLogger() {
  const noop = () => {};
  return { debug: noop, info: noop, warn: noop, error: noop };
}
