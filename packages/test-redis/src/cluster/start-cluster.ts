import { execFile } from "node:child_process";
import { promisify } from "node:util";
import { assertKnownKeys, invalidOption } from "@verk/core";
import { hasRedisCli, redisCliBinary, requireBinary } from "../binaries.js";
import { freeClusterPort } from "../free-port.js";
import { pollUntil } from "../poll.js";
import { closeRedisCommands, redisCommand, tryRedisCommand } from "../redis-command.js";
import { startRedis, type TestRedis } from "../start-redis.js";
import { checkClusterHealth } from "./cluster-health.js";
import { type ClusterNodeInfo, parseClusterNodes } from "./cluster-nodes.js";

const run = promisify(execFile);

/** Options of {@link startCluster}. */
export interface StartClusterOptions {
  /** Masters (each owns an equal share of the 16,384 slots). Integer >= 3. (Default: 3) */
  masters?: number;
  /** Replicas of each master. Integer >= 0. (Default: 1) */
  replicasPerMaster?: number;
  /** Extra `redis-server` arguments for every node, e.g. `["--appendonly", "yes"]`. (Default: none) */
  args?: string[];
  /**
   * `cluster-node-timeout` in ms: how long a node may be unreachable before it is considered
   * failing; a failover takes about twice this. (Default: 1,000)
   */
  nodeTimeoutMs?: number;
  /** Longest wait, in ms, for the cluster to form (and later for each wait of the cluster's methods). (Default: 30,000) */
  timeoutMs?: number;
}

const OPTION_KEYS = ["masters", "replicasPerMaster", "args", "nodeTimeoutMs", "timeoutMs"] as const;

/** What {@link TestCluster.failover} did. */
export interface ClusterFailover {
  /** The master that was killed (as it was before the kill). */
  readonly killed: ClusterNodeInfo;
  /** Its replica, now the master of its slots. */
  readonly promoted: ClusterNodeInfo;
  /** Milliseconds from the kill until the cluster was healthy again. */
  readonly elapsedMs: number;
}

/** A private Redis Cluster on loopback ports, from {@link startCluster}. */
export interface TestCluster {
  /** Every node as it was when the cluster had formed (roles change on failover: see {@link TestCluster.topology}). */
  readonly nodes: readonly ClusterNodeInfo[];
  /** `redis://127.0.0.1:<port>` of every node, e.g. for `new Cluster(urls)` of ioredis. */
  readonly urls: readonly string[];
  /** `{ host, port }` of every node: the `startupNodes` of ioredis' `new Cluster(startupNodes)`. */
  readonly startupNodes: readonly { host: string; port: number }[];
  /** The server process of the node on `port` (throws for a port not in the cluster). */
  server(port: number): TestRedis;
  /** The current topology, as the first live node sees it (killed nodes are included, flagged `failing` once detected). */
  topology(): Promise<ClusterNodeInfo[]>;
  /** The master currently serving `key`'s slot. */
  masterOf(key: string): Promise<ClusterNodeInfo>;
  /** SIGKILL the node on `port` and wait until the process is gone; its port and directory are kept. */
  killNode(port: number): Promise<void>;
  /** Ports of the nodes killed and not restarted since. */
  killedPorts(): number[];
  /**
   * Start the node on `port` again (same port, directory and cluster config) and wait until the
   * cluster is healthy; a master whose slots were failed over meanwhile is waited for until every
   * node sees it as a replica.
   */
  restartNode(port: number): Promise<void>;
  /**
   * After the master on `killedPort` was killed: wait until a replica serves its slots and the
   * cluster is healthy again (`cluster_state:ok` everywhere). Resolves the promoted node.
   */
  waitForFailover(killedPort: number): Promise<ClusterNodeInfo>;
  /**
   * Kill a master (the one on `port`, default the first master that has a replica) and wait for
   * its replica to take over, as {@link TestCluster.waitForFailover}.
   */
  failover(port?: number): Promise<ClusterFailover>;
  /** Wait until every live node is healthy (see {@link checkClusterHealth}); resolves the topology. */
  waitUntilHealthy(): Promise<ClusterNodeInfo[]>;
  /** Stop every node and remove their directories. Idempotent. */
  stop(): Promise<void>;
}

function integer(field: string, value: number | undefined, fallback: number, min: number): number {
  if (value === undefined) return fallback;
  if (!Number.isInteger(value) || value < min)
    throw invalidOption(`startCluster.${field}`, `must be an integer >= ${min}, got ${String(value)}`);
  return value;
}

/** Start one cluster node on a fresh port pair, drawing another pair if the first is taken meanwhile. */
async function startNode(args: string[], taken: Set<number>): Promise<TestRedis> {
  for (let attempt = 1; ; attempt++) {
    const port = await freeClusterPort(taken);
    taken.add(port);
    try {
      return await startRedis({ port, args });
    } catch (error) {
      const text = error instanceof Error ? error.message : String(error);
      if (attempt >= 5 || !/in use|bind|listen/i.test(text)) throw error;
    }
  }
}

/**
 * Start a Redis Cluster on 127.0.0.1: `masters × (1 + replicasPerMaster)` `redis-server
 * --cluster-enabled yes` processes, each with its own directory and cluster config file,
 * persistence off unless `args` turn it on, joined with `redis-cli --cluster create`, and
 * resolved once every node says `cluster_state:ok`, all 16,384 slots are served and every
 * replica is in sync. Stop it with `stop()`.
 * @throws VerkError `INVALID_OPTION` on an unknown or invalid option.
 * @example
 * const cluster = await startCluster();
 * const client = new Cluster([...cluster.startupNodes]);
 */
export async function startCluster(options: StartClusterOptions = {}): Promise<TestCluster> {
  assertKnownKeys(options, OPTION_KEYS, "startCluster");
  const masters = integer("masters", options.masters, 3, 3);
  const replicasPerMaster = integer("replicasPerMaster", options.replicasPerMaster, 1, 0);
  const nodeTimeoutMs = integer("nodeTimeoutMs", options.nodeTimeoutMs, 1_000, 100);
  const timeoutMs = integer("timeoutMs", options.timeoutMs, 30_000, 1);
  if (options.args !== undefined && !Array.isArray(options.args))
    throw invalidOption("startCluster.args", "must be an array of strings");
  requireBinary(hasRedisCli(), redisCliBinary(), "redis-tools");
  const nodeArgs = [
    "--cluster-enabled",
    "yes",
    "--cluster-config-file",
    "nodes.conf",
    "--cluster-node-timeout",
    String(nodeTimeoutMs),
    // Replicas sync at once (Redis 7 waits 5 s by default to batch several replicas).
    "--repl-diskless-sync",
    "yes",
    "--repl-diskless-sync-delay",
    "0",
    ...(options.args ?? []),
  ];
  const taken = new Set<number>();
  const servers = new Map<number, TestRedis>();
  const down = new Set<number>();
  const killedAs = new Map<number, ClusterNodeInfo>();
  let stopped = false;
  const stop = async () => {
    if (stopped) return;
    stopped = true;
    await Promise.all([...servers.values()].map((server) => server.stop()));
    await closeRedisCommands(servers.keys());
  };
  const livePorts = () => [...servers.keys()].filter((port) => !down.has(port));
  const server = (port: number) => {
    const found = servers.get(port);
    if (!found) throw invalidOption("port", `no node of this cluster listens on ${port}`);
    return found;
  };
  const waitUntilHealthy = async (replicas?: number) => {
    let problem = "not checked yet";
    return pollUntil(
      async () => {
        const health = await checkClusterHealth(livePorts(), replicas);
        if (health.healthy) return health.nodes;
        problem = health.problem;
        return undefined;
      },
      timeoutMs,
      () => `cluster ${livePorts().join(",")} not healthy: ${problem}`,
    );
  };
  const topology = async () => {
    const reply = await redisCommand(livePorts()[0] ?? -1, "CLUSTER", "NODES");
    return parseClusterNodes(String(reply));
  };
  try {
    const total = masters * (1 + replicasPerMaster);
    const started = await Promise.all(Array.from({ length: total }, () => startNode(nodeArgs, taken)));
    for (const node of started) servers.set(node.port, node);
    const addresses = started.map((node) => `127.0.0.1:${node.port}`);
    try {
      await run(
        redisCliBinary(),
        [
          "--cluster",
          "create",
          ...addresses,
          "--cluster-replicas",
          String(replicasPerMaster),
          "--cluster-yes",
        ],
        { timeout: timeoutMs },
      );
    } catch (error) {
      const out = error as { stdout?: string; stderr?: string; message?: string };
      throw new Error(`redis-cli --cluster create failed: ${out.stderr || out.stdout || out.message}`);
    }
    const nodes = await waitUntilHealthy(replicasPerMaster);
    const ports = started.map((node) => node.port);
    const cluster: TestCluster = {
      nodes,
      urls: ports.map((port) => `redis://127.0.0.1:${port}`),
      startupNodes: ports.map((port) => ({ host: "127.0.0.1", port })),
      server,
      topology,
      async masterOf(key: string) {
        const slot = Number(await redisCommand(livePorts()[0] ?? -1, "CLUSTER", "KEYSLOT", key));
        const owner = (await topology()).find(
          (node) => !node.failing && node.slots.some(([from, to]) => slot >= from && slot <= to),
        );
        if (!owner) throw new Error(`no live master serves slot ${slot} (key "${key}")`);
        return owner;
      },
      killedPorts: () => [...down],
      async killNode(port: number) {
        const target = server(port);
        const before = (await topology()).find((node) => node.port === port);
        if (before) killedAs.set(port, before);
        down.add(port);
        await target.kill();
      },
      async restartNode(port: number) {
        const was = killedAs.get(port);
        await server(port).restart();
        down.delete(port);
        killedAs.delete(port);
        const nodes = await waitUntilHealthy();
        // A master whose slots a replica took over comes back claiming them, and is demoted to a
        // replica of the new owner a moment later (gossip): wait until every node sees it so.
        const owns = nodes.find((node) => node.port === port)?.slots.length ?? 0;
        if (was?.role !== "master" || owns > 0) return;
        await pollUntil(
          async () => {
            for (const live of livePorts()) {
              const reply = await tryRedisCommand(live, "CLUSTER", "NODES");
              if (typeof reply !== "string") return undefined;
              if (parseClusterNodes(reply).find((node) => node.port === port)?.role !== "replica")
                return undefined;
            }
            return (await checkClusterHealth(livePorts())).healthy;
          },
          timeoutMs,
          () => `node ${port} did not rejoin as a replica of its slots' new master`,
        );
      },
      async waitForFailover(killedPort: number) {
        const killed = killedAs.get(killedPort);
        if (!down.has(killedPort) || !killed || killed.role !== "master" || killed.slots.length === 0)
          throw invalidOption("killedPort", `node ${killedPort} is not a killed master`);
        const [firstSlot] = killed.slots[0]!;
        const nodes = await waitUntilHealthy();
        const promoted = nodes.find((node) =>
          node.slots.some(([from, to]) => firstSlot >= from && firstSlot <= to),
        );
        if (!promoted) throw new Error(`no node serves slot ${firstSlot} after the failover`);
        return promoted;
      },
      async failover(port?: number) {
        const current = await topology();
        const live = new Set(livePorts());
        const target =
          port === undefined
            ? current.find(
                (node) =>
                  node.role === "master" &&
                  live.has(node.port) &&
                  current.some((replica) => replica.masterId === node.id && live.has(replica.port)),
              )
            : current.find((node) => node.port === port);
        if (target?.role !== "master")
          throw invalidOption(
            "port",
            port === undefined ? "no master with a live replica" : `${port} is not a master`,
          );
        const t0 = Date.now();
        await cluster.killNode(target.port);
        const promoted = await cluster.waitForFailover(target.port);
        return { killed: target, promoted, elapsedMs: Date.now() - t0 };
      },
      waitUntilHealthy: () => waitUntilHealthy(),
      stop,
    };
    return cluster;
  } catch (error) {
    await stop();
    throw error;
  }
}
