import { randomBytes } from "node:crypto";
import { mkdtempSync, rmSync, writeFileSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { assertKnownKeys, invalidOption } from "@verk/core";
import { freePort } from "../free-port.js";
import { pollUntil } from "../poll.js";
import { closeRedisCommands, infoField, redisCommand, tryRedisCommand } from "../redis-command.js";
import { startRedis, type TestRedis } from "../start-redis.js";
import { sentinelConfigText } from "./sentinel-config.js";
import { sentinelProblem } from "./sentinel-health.js";
import type {
  SentinelAddress,
  SentinelFailoverMode,
  StartSentinelOptions,
  TestSentinel,
} from "./sentinel-types.js";

const OPTION_KEYS = [
  "replicas",
  "sentinels",
  "masterName",
  "downAfterMs",
  "failoverTimeoutMs",
  "args",
  "timeoutMs",
] as const;

function integer(field: string, value: number | undefined, fallback: number, min: number): number {
  if (value === undefined) return fallback;
  if (!Number.isInteger(value) || value < min)
    throw invalidOption(`startSentinel.${field}`, `must be an integer >= ${min}, got ${String(value)}`);
  return value;
}

const WRITE_PROBE = "redis.call('set', KEYS[1], '1'); redis.call('del', KEYS[1]); return 1";

/**
 * Start a master, `replicas` replicas of it and `sentinels` `redis-server --sentinel` processes
 * monitoring it (quorum: a majority), all on 127.0.0.1, persistence off unless `args` turn it on.
 * Resolves once the replicas are in sync and every sentinel knows the master, every replica and
 * every other sentinel. Stop it with `stop()`.
 * @throws VerkError `INVALID_OPTION` on an unknown or invalid option.
 * @example
 * const setup = await startSentinel();
 * const client = new Redis({ sentinels: [...setup.sentinels], name: setup.masterName });
 */
export async function startSentinel(options: StartSentinelOptions = {}): Promise<TestSentinel> {
  assertKnownKeys(options, OPTION_KEYS, "startSentinel");
  const replicas = integer("replicas", options.replicas, 1, 1);
  const sentinelCount = integer("sentinels", options.sentinels, 3, 1);
  const downAfterMs = integer("downAfterMs", options.downAfterMs, 1_000, 100);
  const failoverTimeoutMs = integer("failoverTimeoutMs", options.failoverTimeoutMs, 3_000, 100);
  const timeoutMs = integer("timeoutMs", options.timeoutMs, 30_000, 1);
  const masterName = options.masterName ?? "mymaster";
  if (typeof masterName !== "string" || !/^[A-Za-z0-9._-]+$/.test(masterName))
    throw invalidOption(
      "startSentinel.masterName",
      "must be a non-empty name of letters, digits, '.', '_' or '-'",
    );
  if (options.args !== undefined && !Array.isArray(options.args))
    throw invalidOption("startSentinel.args", "must be an array of strings");
  const dataArgs = [
    "--repl-diskless-sync",
    "yes",
    "--repl-diskless-sync-delay",
    "0",
    ...(options.args ?? []),
  ];
  const configDir = mkdtempSync(join(tmpdir(), "verk-sentinel-"));
  const servers = new Map<number, TestRedis>();
  const sentinelPorts: number[] = [];
  const down = new Set<number>();
  let stopped = false;
  const stop = async () => {
    if (stopped) return;
    stopped = true;
    await Promise.all([...servers.values()].map((server) => server.stop()));
    await closeRedisCommands(servers.keys());
    rmSync(configDir, { recursive: true, force: true });
  };
  const server = (port: number) => {
    const found = servers.get(port);
    if (!found) throw invalidOption("port", `no process of this sentinel setup listens on ${port}`);
    return found;
  };
  const liveSentinels = () => sentinelPorts.filter((port) => !down.has(port));
  const wait = <T>(check: () => Promise<T | undefined | false>, describe: () => string) =>
    pollUntil(check, timeoutMs, describe);
  const reportedMaster = async (port: number): Promise<number | undefined> => {
    const reply = await tryRedisCommand(port, "SENTINEL", "GET-MASTER-ADDR-BY-NAME", masterName);
    return Array.isArray(reply) ? Number(reply[1]) : undefined;
  };
  const waitForSentinels = async (replicaCount: number) => {
    let problem = "not checked yet";
    await wait(
      async () => {
        for (const port of liveSentinels()) {
          const found = await sentinelProblem(port, masterName, replicaCount, sentinelCount - 1);
          if (found) {
            problem = `sentinel ${port}: ${found}`;
            return false;
          }
        }
        return true;
      },
      () => problem,
    );
  };
  try {
    const master = await startRedis({ args: dataArgs });
    servers.set(master.port, master);
    const replicaServers = await Promise.all(
      Array.from({ length: replicas }, () =>
        startRedis({ args: [...dataArgs, "--replicaof", "127.0.0.1", String(master.port)] }),
      ),
    );
    for (const replica of replicaServers) servers.set(replica.port, replica);
    await wait(
      async () => {
        for (const replica of replicaServers) {
          const info = await tryRedisCommand(replica.port, "INFO", "replication");
          if (infoField(info, "master_link_status") !== "up") return false;
        }
        return true;
      },
      () => "replicas did not sync with the master",
    );
    const ids = Array.from({ length: sentinelCount }, () => randomBytes(20).toString("hex"));
    for (let n = 0; n < sentinelCount; n++) sentinelPorts.push(await freePort());
    await Promise.all(
      sentinelPorts.map(async (port, n) => {
        const file = join(configDir, `sentinel-${port}.conf`);
        const text = sentinelConfigText({
          masterName,
          masterPort: master.port,
          replicaPorts: replicaServers.map((replica) => replica.port),
          myId: ids[n]!,
          peers: sentinelPorts.flatMap((peer, m) => (m === n ? [] : [{ port: peer, id: ids[m]! }])),
          quorum: Math.floor(sentinelCount / 2) + 1,
          downAfterMs,
          failoverTimeoutMs,
        });
        writeFileSync(file, text);
        servers.set(port, await startRedis({ port, configFile: file, args: ["--sentinel"] }));
      }),
    );
    await waitForSentinels(replicas);
    const masterAddress = async (): Promise<SentinelAddress> => {
      for (const port of liveSentinels()) {
        const found = await reportedMaster(port);
        if (found !== undefined) return { host: "127.0.0.1", port: found };
      }
      throw new Error("no sentinel answered GET-MASTER-ADDR-BY-NAME");
    };
    // After SENTINEL FAILOVER the old master keeps accepting writes until the sentinels reconfigure
    // it, about 10 s later; do at once what they would do then (REPLICAOF + CLIENT KILL TYPE normal).
    const demote = async (port: number, masterPort: number) => {
      await redisCommand(port, "REPLICAOF", "127.0.0.1", masterPort);
      await redisCommand(port, "CLIENT", "KILL", "TYPE", "normal");
      await wait(
        async () =>
          infoField(await tryRedisCommand(port, "INFO", "replication"), "master_link_status") === "up",
        () => `the old master ${port} did not sync as a replica of ${masterPort}`,
      );
    };
    const setup: TestSentinel = {
      masterName,
      sentinels: sentinelPorts.map((port) => ({ host: "127.0.0.1", port })),
      nodes: [master, ...replicaServers].map((node) => ({ host: "127.0.0.1", port: node.port })),
      server,
      masterAddress,
      async failover(mode: SentinelFailoverMode = "command") {
        if (mode !== "command" && mode !== "kill")
          throw invalidOption("mode", `must be "command" or "kill", got ${String(mode)}`);
        const from = await masterAddress();
        const t0 = Date.now();
        if (mode === "kill") await setup.killNode(from.port);
        else {
          await wait(
            async () => {
              const reply = await redisCommand(liveSentinels()[0]!, "SENTINEL", "FAILOVER", masterName).catch(
                (error: Error) => error,
              );
              if (reply instanceof Error && /INPROG|NOGOODSLAVE/.test(reply.message)) return false;
              if (reply instanceof Error) throw reply;
              return true;
            },
            () => "SENTINEL FAILOVER kept answering INPROG or NOGOODSLAVE",
          );
        }
        let seen = "";
        const to = await wait(
          async () => {
            const reported = await Promise.all(liveSentinels().map(reportedMaster));
            seen = reported.join(",");
            const port = reported[0];
            if (port === undefined || port === from.port || reported.some((p) => p !== port))
              return undefined;
            const probe = await redisCommand(
              port,
              "EVAL",
              WRITE_PROBE,
              1,
              "verk:test-redis:write-probe",
            ).catch(() => undefined);
            return probe === 1 ? port : undefined;
          },
          () => `no new writable master reported by every sentinel (they report ${seen})`,
        );
        const elapsedMs = Date.now() - t0;
        if (mode === "command") await demote(from.port, to);
        return { mode, from, to: { host: "127.0.0.1", port: to }, elapsedMs };
      },
      killedPorts: () => [...down],
      async killNode(port: number) {
        const target = server(port);
        down.add(port);
        await target.kill();
      },
      async restartNode(port: number) {
        const target = server(port);
        await target.restart();
        down.delete(port);
        if (!sentinelPorts.includes(port)) {
          const current = await masterAddress();
          if (current.port !== port) await redisCommand(port, "REPLICAOF", "127.0.0.1", current.port);
        }
        const liveData = [...servers.keys()].filter((p) => !sentinelPorts.includes(p) && !down.has(p));
        await waitForSentinels(liveData.length - 1);
      },
      stop,
    };
    return setup;
  } catch (error) {
    await stop();
    throw error;
  }
}
