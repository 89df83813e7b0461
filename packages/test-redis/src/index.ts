import { type ChildProcess, spawn, spawnSync } from "node:child_process";
import { mkdtempSync, rmSync } from "node:fs";
import { createServer, Socket } from "node:net";
import { tmpdir } from "node:os";
import { join } from "node:path";

/** A private redis-server started for a test. */
export interface TestRedis {
  /** `redis://127.0.0.1:<port>` */
  readonly url: string;
  readonly port: number;
  readonly host: string;
  /** Data directory of this server (removed by `stop`). */
  readonly dir: string;
  /** Stop the server and remove its directory. Idempotent. */
  stop(): Promise<void>;
  /** Kill the server (SIGKILL unless `graceful`) and wait until it is gone; the port stays reserved. */
  kill(graceful?: boolean): Promise<void>;
  /** Start the server again on the same port and directory (after `kill`). */
  restart(): Promise<void>;
}

/** Options of {@link startRedis}. */
export interface StartRedisOptions {
  /** Extra `redis-server` arguments, e.g. `["--appendonly", "yes"]`. */
  args?: string[];
  /** Port to use. (Default: a free loopback port) */
  port?: number;
  /** Milliseconds to wait for the server to accept connections. (Default: 10,000) */
  startTimeoutMs?: number;
}

/** The redis-server binary: `REDIS_SERVER_BIN` or `redis-server` on the PATH. */
export function redisServerBinary(): string {
  return process.env.REDIS_SERVER_BIN || "redis-server";
}

/** True when a redis-server binary can be run. */
export function hasRedisServer(): boolean {
  const result = spawnSync(redisServerBinary(), ["--version"], { stdio: "ignore" });
  return result.status === 0;
}

/** Find a free TCP port on 127.0.0.1. */
export async function freePort(): Promise<number> {
  return new Promise((resolve, reject) => {
    const server = createServer();
    server.unref();
    server.on("error", reject);
    server.listen(0, "127.0.0.1", () => {
      const address = server.address();
      const port = typeof address === "object" && address ? address.port : 0;
      server.close(() => resolve(port));
    });
  });
}

const live = new Set<ChildProcess>();
process.once("exit", () => {
  for (const child of live) child.kill("SIGKILL");
});

/**
 * Start a private `redis-server` on 127.0.0.1 and a free port, persistence off unless
 * `args` turn it on. Throws a clear error when no redis-server binary is installed.
 */
export async function startRedis(options: StartRedisOptions = {}): Promise<TestRedis> {
  if (!hasRedisServer()) {
    throw new Error(
      `redis-server not found (tried "${redisServerBinary()}"). Install it (Debian/Ubuntu: apt-get install redis-server) ` +
        "or run the tests through `bash scripts/quickstart.sh test`, which installs it.",
    );
  }
  const host = "127.0.0.1";
  const port = options.port ?? (await freePort());
  const dir = mkdtempSync(join(tmpdir(), "verk-redis-"));
  const args = [
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
    const proc = spawn(redisServerBinary(), args, { stdio: ["ignore", "ignore", "pipe"] });
    live.add(proc);
    proc.once("exit", () => live.delete(proc));
    child = proc;
    await waitForPort(host, port, options.startTimeoutMs ?? 10_000, proc);
  };
  const kill = async (graceful = false) => {
    const proc = child;
    if (!proc || proc.exitCode !== null || proc.signalCode !== null) return;
    const exited = new Promise<void>((resolve) => proc.once("exit", () => resolve()));
    proc.kill(graceful ? "SIGTERM" : "SIGKILL");
    await exited;
  };
  await launch();
  let stopped = false;
  return {
    url: `redis://${host}:${port}`,
    port,
    host,
    dir,
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

async function waitForPort(host: string, port: number, timeoutMs: number, proc: ChildProcess): Promise<void> {
  let stderr = "";
  proc.stderr?.on("data", (chunk: Buffer) => {
    stderr += chunk.toString();
  });
  const deadline = Date.now() + timeoutMs;
  while (Date.now() < deadline) {
    if (proc.exitCode !== null)
      throw new Error(`redis-server exited with code ${proc.exitCode}: ${stderr.trim()}`);
    if (await ping(host, port)) return;
    await new Promise((resolve) => setTimeout(resolve, 20));
  }
  proc.kill("SIGKILL");
  throw new Error(`redis-server did not answer on ${host}:${port} within ${timeoutMs} ms: ${stderr.trim()}`);
}

function ping(host: string, port: number): Promise<boolean> {
  return new Promise((resolve) => {
    const socket = new Socket();
    const done = (ok: boolean) => {
      socket.destroy();
      resolve(ok);
    };
    socket.setTimeout(500, () => done(false));
    socket.once("error", () => done(false));
    socket.connect(port, host, () => socket.write("PING\r\n"));
    socket.once("data", (data) => done(data.toString().startsWith("+PONG")));
  });
}
