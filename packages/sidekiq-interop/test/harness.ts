import { type ChildProcess, execFile, spawn, spawnSync } from "node:child_process";
import { join } from "node:path";
import { freePort } from "@verk/test-redis";
import type { Redis } from "ioredis";

/** Directory of the Ruby side (app.rb, env.rb, config.ru). */
export const RUBY_DIR = join(import.meta.dirname, "..", "ruby");

/** True when Ruby can load the sidekiq gem (Debian's ruby-sidekiq). */
export function hasSidekiq(): boolean {
  const r = spawnSync("ruby", ["-e", 'require "sidekiq"; require "sidekiq/web"; require "puma"'], {
    stdio: "ignore",
  });
  return r.status === 0;
}

/**
 * Make sure Sidekiq 6.4.1 (Debian's ruby-sidekiq), Rack, WEBrick and Puma are installed: when
 * missing and running as root with apt-get, install them. Returns `undefined` when available,
 * else the reason the suite is skipped.
 */
export function ensureSidekiq(): string | undefined {
  if (hasSidekiq()) return undefined;
  const isRoot = typeof process.getuid === "function" && process.getuid() === 0;
  const hasApt = spawnSync("apt-get", ["--version"], { stdio: "ignore" }).status === 0;
  if (!isRoot || !hasApt) {
    return `ruby-sidekiq is not installed and cannot be installed here (${isRoot ? "no apt-get" : "not root"}); run: apt-get install -y ruby-sidekiq ruby-rack ruby-webrick puma`;
  }
  const env = { ...process.env, DEBIAN_FRONTEND: "noninteractive" };
  const packages = ["ruby-sidekiq", "ruby-rack", "ruby-webrick", "puma"];
  let r = spawnSync("apt-get", ["install", "-y", "--no-install-recommends", ...packages], {
    stdio: "inherit",
    env,
  });
  if (r.status !== 0) {
    spawnSync("apt-get", ["update"], { stdio: "inherit", env });
    r = spawnSync("apt-get", ["install", "-y", "--no-install-recommends", ...packages], {
      stdio: "inherit",
      env,
    });
  }
  if (r.status !== 0 || !hasSidekiq())
    return "apt-get install ruby-sidekiq ruby-rack ruby-webrick puma failed";
  return undefined;
}

/**
 * Run a Ruby snippet with Sidekiq's client and API loaded (`ruby/env.rb`) against `redisUrl` and
 * parse the last line of its output as JSON (print it with `out(value)`).
 */
export function ruby<T = unknown>(redisUrl: string, code: string): Promise<T> {
  return new Promise((resolve, reject) => {
    execFile(
      "ruby",
      ["-W0", "-r", join(RUBY_DIR, "env.rb"), "-e", code],
      { cwd: RUBY_DIR, env: { ...process.env, REDIS_URL: redisUrl }, timeout: 30_000 },
      (error, stdout, stderr) => {
        if (error) return reject(new Error(`ruby failed: ${error.message}\n${stderr}\n${stdout}`));
        const lines = stdout.trim().split("\n");
        try {
          resolve(JSON.parse(lines[lines.length - 1] ?? "null") as T);
        } catch {
          reject(new Error(`ruby printed no JSON: ${stdout}\n${stderr}`));
        }
      },
    );
  });
}

/** A child process started by the suite; `stop()` sends SIGTERM and waits for it to exit. */
export interface Child {
  readonly proc: ChildProcess;
  /** stdout + stderr so far. */
  output(): string;
  stop(signal?: NodeJS.Signals, timeoutMs?: number): Promise<void>;
}

function track(proc: ChildProcess): Child {
  let out = "";
  proc.stdout?.on("data", (d: Buffer) => {
    out += d.toString();
  });
  proc.stderr?.on("data", (d: Buffer) => {
    out += d.toString();
  });
  const exited = new Promise<void>((resolve) => proc.once("exit", () => resolve()));
  return {
    proc,
    output: () => out,
    async stop(signal = "SIGTERM", timeoutMs = 10_000) {
      if (proc.exitCode !== null || proc.signalCode !== null) return;
      proc.kill(signal);
      const timer = setTimeout(() => proc.kill("SIGKILL"), timeoutMs);
      await exited;
      clearTimeout(timer);
    },
  };
}

/**
 * Start a real Sidekiq server (`sidekiq -r ./app.rb`) on `queues` against `redisUrl`, with a
 * 0.5 s average scheduled/retry poll interval and a 2 s shutdown timeout. Resolves once its
 * heartbeat put it in `processes`; `identity` is its Sidekiq identity.
 */
export async function startSidekiq(
  redis: Redis,
  redisUrl: string,
  queues: string[],
  concurrency = 2,
): Promise<Child & { identity: string }> {
  const args = ["-r", "./app.rb", "-c", String(concurrency), "-t", "2", ...queues.flatMap((q) => ["-q", q])];
  const proc = spawn("sidekiq", args, {
    cwd: RUBY_DIR,
    env: { ...process.env, REDIS_URL: redisUrl, POLL_INTERVAL: "0.5", RUBYOPT: "-W0" },
    stdio: ["ignore", "pipe", "pipe"],
  });
  const child = track(proc);
  let identity: string | undefined;
  await waitFor(
    async () => {
      if (proc.exitCode !== null) throw new Error(`sidekiq exited:\n${child.output()}`);
      identity = (await redis.smembers("processes")).find((id) => id.split(":").at(-2) === String(proc.pid));
      return identity !== undefined;
    },
    20_000,
    () => `sidekiq did not start:\n${child.output()}`,
  );
  return Object.assign(child, { identity: identity as string });
}

/** Start Sidekiq Web (Puma, `ruby/config.ru`) on a free loopback port; resolves its base URL. */
export async function startWeb(redisUrl: string): Promise<Child & { url: string }> {
  const port = await freePort();
  const proc = spawn("puma", ["-b", `tcp://127.0.0.1:${port}`, "-t", "1:4", "config.ru"], {
    cwd: RUBY_DIR,
    env: { ...process.env, REDIS_URL: redisUrl, SESSION_SECRET: "x".repeat(64), RUBYOPT: "-W0" },
    stdio: ["ignore", "pipe", "pipe"],
  });
  const child = track(proc);
  const url = `http://127.0.0.1:${port}`;
  await waitFor(
    async () => {
      if (proc.exitCode !== null) throw new Error(`puma exited:\n${child.output()}`);
      return fetch(`${url}/stats`).then(
        (r) => r.ok,
        () => false,
      );
    },
    20_000,
    () => `Sidekiq Web did not start:\n${child.output()}`,
  );
  return Object.assign(child, { url });
}

/** Poll `check` every 50 ms until it resolves true; throws `message()` after `timeoutMs`. */
export async function waitFor(
  check: () => Promise<boolean> | boolean,
  timeoutMs = 10_000,
  message: () => string = () => "condition not met in time",
): Promise<void> {
  const deadline = Date.now() + timeoutMs;
  for (;;) {
    if (await check()) return;
    if (Date.now() > deadline) throw new Error(`${message()} (after ${timeoutMs} ms)`);
    await new Promise((r) => setTimeout(r, 50));
  }
}
