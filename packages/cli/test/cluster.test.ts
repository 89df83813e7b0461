import { mkdtempSync, rmSync, writeFileSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { useCluster } from "@verk/test-redis/vitest";
import { afterAll, describe, expect, it } from "vitest";
import { FIXTURES, failedJob, type RunResult, runBinary, startBinary, waitFor } from "./helpers.js";

// `verk` on a real Redis Cluster (3 masters, cluster key layout).
const fx = useCluster({ replicasPerMaster: 0 });
const dir = mkdtempSync(join(tmpdir(), "verk-cli-cluster-"));
afterAll(() => rmSync(dir, { recursive: true, force: true }));

function env(extra: NodeJS.ProcessEnv = {}): NodeJS.ProcessEnv {
  const base: NodeJS.ProcessEnv = { ...process.env, VERK_CONNECT_TIMEOUT_MS: "3000" };
  for (const name of ["NO_COLOR", "VERK_NAMESPACE", "VERK_QUEUES", "REDIS_URL", "VERK_CLUSTER_NODES"])
    delete base[name];
  return { ...base, ...extra };
}

function run(args: string[], extra: NodeJS.ProcessEnv = {}): Promise<RunResult> {
  return runBinary(args, env(extra));
}

const nodes = () => fx.cluster.urls.slice(0, 2).join(",");
/** Cluster-layout key of `rest` under queue `queue`'s hash tag. */
const qkey = (queue: string, rest: string) => `verk:{${queue}}:${rest}`;

describe("verk on a Redis Cluster", () => {
  it("enqueues, lists queues and retries, retries all and pauses with --cluster-nodes / VERK_CLUSTER_NODES", async () => {
    const enqueued = await run([
      "enqueue",
      "Hello",
      '["ann"]',
      "--queue",
      "mail",
      "--cluster-nodes",
      nodes(),
    ]);
    expect(enqueued.code, enqueued.stderr).toBe(0);
    expect(await fx.redis.llen(qkey("mail", "queue"))).toBe(1);
    await fx.redis.sadd("{verk}:queues", "billing");
    await fx.redis.zadd(qkey("mail", "retry"), 2e9, failedJob("r-mail", "Hello", "mail"));
    await fx.redis.zadd(qkey("billing", "retry"), 2e9 + 1, failedJob("r-billing", "Hello", "billing"));
    const listed = await run(["retries", "list", "--json", "--cluster-nodes", nodes()]);
    expect(listed.code, listed.stderr).toBe(0);
    expect(JSON.stringify(JSON.parse(listed.stdout))).toMatch(/r-mail.*r-billing/);
    const retried = await run(["retries", "retry", "--all"], { VERK_CLUSTER_NODES: nodes() });
    expect(retried.code, retried.stderr).toBe(0);
    expect(await fx.redis.llen(qkey("mail", "queue"))).toBe(2);
    expect(await fx.redis.llen(qkey("billing", "queue"))).toBe(1);
    const queues = await run(["queues", "--json"], { VERK_CLUSTER_NODES: nodes() });
    expect(queues.code, queues.stderr).toBe(0);
    expect(queues.stdout).toMatch(/"billing"[\s\S]*"mail"/);
    expect((await run(["pause", "mail", "--cluster-nodes", nodes()])).code).toBe(0);
    expect(await fx.redis.exists(qkey("mail", "paused"))).toBe(1);
  });

  it("a plain URL to a cluster node says to pass --cluster-nodes; a bad node list is a usage error", async () => {
    const plain = await run(["queues", "--redis-url", fx.cluster.urls[0]!]);
    expect(plain.code).toBe(1);
    expect(plain.stderr).toContain("is a Redis Cluster node: pass --cluster-nodes");
    const bad = await run(["queues", "--cluster-nodes", "127.0.0.1:7000"]);
    expect(bad.code).toBe(2);
    expect(bad.stderr).toContain('--cluster-nodes: "127.0.0.1:7000" is not a redis:// URL');
  });

  it("verk work runs a config's redis: { cluster } and shows up in processes", async () => {
    const config = join(dir, "verk.config.mjs");
    writeFileSync(
      config,
      `export default ${JSON.stringify({
        queues: { mail: 2, billing: 2 },
        workers: [join(FIXTURES, "workers.mjs")],
        verk: { pollIntervalMs: 200 },
        redis: { cluster: { nodes: [...fx.cluster.urls] }, sidekiqProcess: { intervalMs: 200 } },
      })};\n`,
    );
    const queued = await run([
      "enqueue",
      "Hello",
      '["bob"]',
      "--queue",
      "billing",
      "--cluster-nodes",
      nodes(),
    ]);
    expect(queued.code, queued.stderr).toBe(0);
    const { child, output, exited } = startBinary(["work", "--config", config], env());
    try {
      await waitFor(() => /INFO done class=Hello/.test(output()), 15_000);
      expect(output()).toContain('redis="redis cluster');
      expect(await fx.redis.llen(qkey("billing", "queue"))).toBe(0);
      await waitFor(async () => {
        const r = await run(["processes", "--json", "--cluster-nodes", nodes()]);
        return r.code === 0 && r.stdout.includes('"billing"');
      });
    } finally {
      child.kill("SIGTERM");
    }
    expect(await exited).toBe(0);
  });
});
