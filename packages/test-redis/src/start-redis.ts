import { type ChildProcess, spawn } from "node:child_process";
import { mkdtempSync, rmSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { assertKnownKeys, invalidOption } from "@verk/core";
import { hasRedisServer, redisServerBinary, requireBinary } from "./binaries.js";
import { freePort } from "./free-port.js";
import { pingPort } from "./ping.js";

/** A private redis-server started for a test. */
export interface TestRedis {
  /** `redis://127.0.0.1:<port>` */
  readonly url: string;
  readonly port: number;
  readonly host: string;
  /** Data directory of this server (removed by `stop`). */
  readonly dir: string;
  /** Process id of the running server; `undefined` while it is killed or stopped. */
  readonly pid: number | undefined;
  /** Stop the server and remove its directory. Idempotent. */
  stop(): Promise<void>;
  /** Kill the server (SIGKILL unless `graceful`) and wait until it is gone; the port stays reserved. */
  kill(graceful?: boolean): Promise<void>;
  /** Start the server again on the same port and directory (after `kill`). */
  restart(): Promise<void>;
}

/** Options of {@link startRedis}. */
export interface StartRedisOptions {
  /** Extra `redis-server` arguments, e.g. `["--appendonly", "yes"]`; they override the defaults. */
  args?: string[];
  /** Port to use. (Default: a free loopback port) */
  port?: number;
  /** Milliseconds to wait for the server to accept connections. (Default: 10,000) */
  startTimeoutMs?: number;
  /**
   * A config file passed as the first argument, before every other one (e.g. a sentinel's, which
   * `redis-server --sentinel` needs and rewrites). The caller owns and removes it. (Default: none)
   */
  configFile?: string;
}

const OPTION_KEYS = ["args", "port", "startTimeoutMs", "configFile"] as const;

const live = new Set<ChildProcess>();
process.once("exit", () => {
  for (const child of live) child.kill("SIGKILL");
});

/** Last 4 KiB of a process's output, for error messages. */
function outputTail(proc: ChildProcess): () => string {
  let tail = "";
  const keep = (chunk: Buffer) => {
    tail = (tail + chunk.toString()).slice(-4096);
  };
  proc.stdout?.on("data", keep);
  proc.stderr?.on("data", keep);
  return () => tail.trim();
}

/**
 * Start a private `redis-server` on 127.0.0.1 and a free port, persistence off unless
 * `args` turn it on. Throws a clear error when no redis-server binary is installed.
 * @throws VerkError `INVALID_OPTION` on an unknown or invalid option.
 */
export async function startRedis(options: StartRedisOptions = {}): Promise<TestRedis> {
  assertKnownKeys(options, OPTION_KEYS, "startRedis");
  if (
    options.port !== undefined &&
    !(Number.isInteger(options.port) && options.port > 0 && options.port < 65_536)
  )
    throw invalidOption("startRedis.port", `must be a TCP port, got ${String(options.port)}`);
  requireBinary(hasRedisServer(), redisServerBinary(), "redis-server");
  const host = "127.0.0.1";
  const port = options.port ?? (await freePort());
  const dir = mkdtempSync(join(tmpdir(), "verk-redis-"));
  const args = [
    ...(options.configFile ? [options.configFile] : []),
    "--port",
    String(port),
    "--bind",
    host,
    "--dir",
    dir,
    "--save",
    "",
    "--appendonly",
    "no",
    "--daemonize",
    "no",
    "--loglevel",
    "warning",
    ...(options.args ?? []),
  ];
  let child: ChildProcess | undefined;
  const launch = async () => {
    const proc = spawn(redisServerBinary(), args, { stdio: ["ignore", "pipe", "pipe"] });
    live.add(proc);
    proc.once("exit", () => live.delete(proc));
    child = proc;
    await waitForPort(host, port, options.startTimeoutMs ?? 10_000, proc, outputTail(proc));
  };
  const running = () => child !== undefined && child.exitCode === null && child.signalCode === null;
  const kill = async (graceful = false) => {
    const proc = child;
    if (!proc || !running()) return;
    const exited = new Promise<void>((resolve) => proc.once("exit", () => resolve()));
    proc.kill(graceful ? "SIGTERM" : "SIGKILL");
    await exited;
  };
  try {
    await launch();
  } catch (error) {
    rmSync(dir, { recursive: true, force: true });
    throw error;
  }
  let stopped = false;
  return {
    url: `redis://${host}:${port}`,
    port,
    host,
    dir,
    get pid() {
      return running() ? child?.pid : undefined;
    },
    kill,
    restart: launch,
    async stop() {
      if (stopped) return;
      stopped = true;
      await kill();
      rmSync(dir, { recursive: true, force: true });
    },
  };
}

async function waitForPort(
  host: string,
  port: number,
  timeoutMs: number,
  proc: ChildProcess,
  output: () => string,
): Promise<void> {
  const deadline = Date.now() + timeoutMs;
  while (Date.now() < deadline) {
    if (proc.exitCode !== null || proc.signalCode !== null)
      throw new Error(
        `redis-server on port ${port} exited (${proc.exitCode ?? proc.signalCode}): ${output()}`,
      );
    if (await pingPort(host, port)) return;
    await new Promise((resolve) => setTimeout(resolve, 20));
  }
  proc.kill("SIGKILL");
  throw new Error(`redis-server did not answer on ${host}:${port} within ${timeoutMs} ms: ${output()}`);
}
