import { resolve } from "node:path";
import { createVerk, type Logger, type LogLevel, type QueueOptions, type VerkPlugin } from "@verk/core";
import { redisStore } from "@verk/redis-store";
import type { Command } from "../command.js";
import { loadConfig, loadWorkers, parseQueues } from "../config.js";
import { connectionError, describeTarget } from "../context.js";
import { CliError, UsageError } from "../util/errors.js";
import { cliLogger } from "../util/log.js";

const LEVELS: readonly LogLevel[] = ["debug", "info", "warn", "error", "silent"];

function level(value: unknown, source: string, fallback: LogLevel): LogLevel {
  if (value === undefined) return fallback;
  if (!LEVELS.includes(value as LogLevel))
    throw new UsageError(`${source} must be one of ${LEVELS.join(", ")}`);
  return value as LogLevel;
}

async function statsPlugin(): Promise<VerkPlugin | undefined> {
  try {
    const mod = (await import("@verk/stats")) as { stats?: () => VerkPlugin };
    return typeof mod.stats === "function" ? mod.stats() : undefined;
  } catch {
    return undefined;
  }
}

/** `verk work`. */
export const work: Command = {
  name: "work",
  summary: "run a node: the queues and workers of verk.config.{js,mjs,cjs,json}",
  usage: ["work [--config <file>] [--queues <q:n,...>] [--log-level <level>]"],
  description:
    "Looks for verk.config.js, .mjs, .cjs, .json (or .ts on a Node.js that strips types) in the working\n" +
    "directory. Environment overrides: REDIS_URL (or VERK_CLUSTER_NODES), VERK_NAMESPACE,\n" +
    "VERK_QUEUES=default:25,priority:10; a config's redis: { cluster: { nodes: [...] } } runs on a Redis Cluster;\n" +
    "flags override both. SIGTERM/SIGINT stop gracefully (running jobs finish or go back to their queue;\n" +
    "a second signal exits at once), SIGTSTP quiets the node (stops fetching). One log line per job.",
  flags: {
    config: {
      type: "string",
      short: "c",
      value: "<file>",
      description: "config file (default: verk.config.* in cwd)",
    },
    queues: {
      type: "string",
      short: "q",
      value: "<q:n,...>",
      description: "queues and concurrency, e.g. default:25,low:5",
    },
    "log-level": {
      type: "string",
      value: "<level>",
      description: "debug, info, warn, error or silent (default: info)",
    },
    "job-log-level": {
      type: "string",
      value: "<level>",
      description: "level of the per-job line (default: info)",
    },
    timeout: {
      type: "string",
      short: "t",
      value: "<ms>",
      description: "shutdown timeout in ms (default: 25000)",
    },
  },
  examples: [
    "verk work",
    "verk work --config config/verk.config.mjs --queues default:25,mailers:5",
    "REDIS_URL=redis://redis:6379/1 VERK_QUEUES=critical:10,default:5 verk work --log-level warn",
  ],
  async run(ctx, _positionals, values) {
    const { io } = ctx;
    const { config, path, dir } = await loadConfig(io.cwd, values.config as string | undefined);
    const redisUrl =
      (values["redis-url"] as string | undefined) ??
      io.env.REDIS_URL ??
      config.redisUrl ??
      ctx.options.redisUrl;
    const namespace =
      (values.namespace as string | undefined) ?? (io.env.VERK_NAMESPACE || undefined) ?? config.namespace;
    let queues: Record<string, number | QueueOptions> | undefined;
    if (typeof values.queues === "string") queues = parseQueues(values.queues, "--queues");
    else if (io.env.VERK_QUEUES) queues = parseQueues(io.env.VERK_QUEUES, "VERK_QUEUES");
    else if (typeof config.queues === "string") queues = parseQueues(config.queues, "queues");
    else if (config.queues !== undefined && Object.keys(config.queues).length > 0) queues = config.queues;
    const logLevel = level(values["log-level"] ?? config.logLevel, "--log-level", "info");
    const jobLevel = level(values["job-log-level"] ?? config.jobLogLevel, "--job-log-level", "info");
    const timeout =
      values.timeout !== undefined ? Number(values.timeout) : (config.shutdownTimeoutMs ?? 25_000);
    if (!Number.isFinite(timeout) || timeout < 0)
      throw new UsageError("--timeout must be a number of milliseconds");
    const workers = await loadWorkers(config.workers ?? [], dir);
    const workerModule = config.workerModule === undefined ? undefined : resolve(dir, config.workerModule);
    if (workers.length === 0 && workerModule === undefined) {
      throw new CliError(
        path
          ? `${path} lists no workers (workers: ["./workers.js"])`
          : "no verk.config.{js,mjs,cjs,json} in this directory (or pass --config)",
      );
    }
    if (queues === undefined) {
      // No silent default queue: a typo must not run a queue nobody asked for.
      throw new CliError(
        `no queues configured${path ? ` in ${path}` : ""}: set queues (e.g. queues: { default: 10 }), VERK_QUEUES=default:10 or --queues default:10`,
      );
    }
    const base: Logger = cliLogger(logLevel);
    // Core logs each failure (retries at info, dead and dropped jobs at warn); the CLI writes its
    // own single line per job instead.
    const perJob = (level: "info" | "warn"): Logger["info"] =>
      ((first: Record<string, unknown> | string, message?: string) => {
        const text = typeof first === "string" ? first : (message ?? "");
        if (/ failed \((retry|dead|discard)\)$/.test(text)) return;
        if (typeof first === "string") base[level](first);
        else base[level](first, text);
      }) as Logger["info"];
    const logger: Logger = { ...base, info: perJob("info"), warn: perJob("warn") };
    const plugins = [...(config.plugins ?? [])];
    if (config.stats !== false) {
      const plugin = await statsPlugin();
      if (plugin) plugins.push(plugin);
    }
    // --cluster-nodes / VERK_CLUSTER_NODES, else the config's redis.cluster, else the URL.
    const flagNodes = ctx.options.clusterNodes;
    const configCluster = config.redis?.cluster;
    const clusterNodes = flagNodes ?? configCluster?.nodes.map(nodeText);
    const where = describeTarget(redisUrl, clusterNodes);
    const store = redisStore({
      ...config.redis,
      ...(flagNodes
        ? { cluster: { ...configCluster, nodes: [...flagNodes] } }
        : configCluster
          ? {}
          : { url: redisUrl }),
      ...(namespace ? { namespace } : {}),
    });
    const verk = createVerk({
      ...config.verk,
      store,
      queues,
      workers,
      ...(workerModule === undefined ? {} : { workerModule }),
      plugins,
      logger,
      shutdownTimeoutMs: timeout,
    });
    if (jobLevel !== "silent") {
      const log = logger[jobLevel];
      verk.on("job:finished", ({ job, queue, durationMs }) =>
        log({ class: job.class, jid: job.jid, queue, durationMs }, "done"),
      );
    }
    verk.on("job:failed", ({ job, queue, durationMs, outcome, error }) =>
      logger.warn({ class: job.class, jid: job.jid, queue, durationMs, outcome, err: error }, "fail"),
    );
    try {
      await verk.start();
    } catch (error) {
      await verk.stop({ timeout: 0 }).catch(() => {});
      if ((error as { code?: string }).code === "CONNECTION_FAILED") throw connectionError(error, where);
      throw error;
    }
    logger.info(
      {
        nodeId: verk.nodeId,
        queues: Object.entries(queues)
          .map(([q, n]) =>
            typeof n === "number"
              ? `${q}:${n}`
              : `${q}:${n.concurrency}${n.isolation && n.isolation !== "none" ? `(${n.isolation})` : ""}`,
          )
          .join(","),
        workers: workers.map((w) => w.name).join(","),
        redis: where,
        ...(namespace ? { namespace } : {}),
        pid: process.pid,
      },
      "running",
    );
    return new Promise<number>((resolveExit) => {
      let stopping = false;
      const stop = (signal: string) => {
        if (stopping) {
          logger.warn(
            { signal },
            "signal again: exiting now; unfinished jobs are recovered when the node is seen dead",
          );
          resolveExit(1);
          return;
        }
        stopping = true;
        const running = verk.runningJobs().length;
        logger.info({ signal, timeoutMs: timeout, running }, "stopping: waiting for running jobs");
        verk.stop().then(
          () => {
            logger.info("stopped");
            resolveExit(0);
          },
          (error: unknown) => {
            logger.error({ err: error }, "stop failed");
            resolveExit(1);
          },
        );
      };
      process.on("SIGTERM", () => stop("SIGTERM"));
      process.on("SIGINT", () => stop("SIGINT"));
      process.on("SIGTSTP", () => {
        verk.quiet();
        logger.info({ signal: "SIGTSTP" }, "quiet: no longer fetching new jobs (SIGTERM to stop)");
      });
    });
  },
};

/** A cluster node of the config (`"redis://h:p"`, a port, or `{ host, port }`) as a URL, for logs. */
function nodeText(node: string | number | { host?: string; port?: number }): string {
  if (typeof node === "string") return node;
  if (typeof node === "number") return `redis://127.0.0.1:${node}`;
  return `redis://${node.host ?? "127.0.0.1"}:${node.port ?? 6379}`;
}
