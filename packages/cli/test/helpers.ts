import { execFile, spawn } from "node:child_process";
import { existsSync } from "node:fs";
import { fileURLToPath } from "node:url";
import type { TestRedis } from "@verk/test-redis";
import { useRedis } from "@verk/test-redis/vitest";
import type { Redis } from "ioredis";

/** The built binary. */
export const BIN = fileURLToPath(new URL("../dist/bin.js", import.meta.url));
/** Directory of the test fixtures (a verk.config.mjs and its workers). */
export const FIXTURES = fileURLToPath(new URL("./fixtures/", import.meta.url));

if (!existsSync(BIN)) throw new Error(`${BIN} is missing: run \`pnpm --filter @verk/cli build\` first`);

/** What a run of the binary printed and its exit code. */
export interface RunResult {
  code: number;
  stdout: string;
  stderr: string;
}

/** One private redis-server per test file, flushed before each test; `run` runs the binary against it. */
export function useCli() {
  const fx = useRedis();
  const env = (extra: NodeJS.ProcessEnv = {}): NodeJS.ProcessEnv => {
    const base: NodeJS.ProcessEnv = { ...process.env, REDIS_URL: fx.url, VERK_CONNECT_TIMEOUT_MS: "800" };
    delete base.NO_COLOR;
    delete base.VERK_NAMESPACE;
    delete base.VERK_QUEUES;
    return { ...base, ...extra };
  };
  const run = (args: string[], options: { env?: NodeJS.ProcessEnv; cwd?: string } = {}): Promise<RunResult> =>
    runBinary(args, env(options.env), options.cwd);
  const json = async <T = unknown>(args: string[]): Promise<T> => {
    const result = await run([...args, "--json"]);
    if (result.code !== 0) throw new Error(`verk ${args.join(" ")} exited ${result.code}: ${result.stderr}`);
    return JSON.parse(result.stdout) as T;
  };
  const start = (args: string[], options: { env?: NodeJS.ProcessEnv; cwd?: string } = {}) =>
    startBinary(args, env(options.env), options.cwd);
  return { server: (): TestRedis => fx.server, redis: (): Redis => fx.redis, run, json, start, env };
}

/** Run the binary with `args` to its exit (at most 20 s) and collect its output. */
export function runBinary(args: string[], env: NodeJS.ProcessEnv, cwd?: string): Promise<RunResult> {
  return new Promise((resolve) => {
    execFile(process.execPath, [BIN, ...args], { env, cwd, timeout: 20_000 }, (error, stdout, stderr) => {
      const code = error ? ((error as { code?: unknown }).code as number) : 0;
      resolve({ code: typeof code === "number" ? code : 1, stdout, stderr });
    });
  });
}

/** Start the binary with `args`; `output()` is its stdout and stderr so far. */
export function startBinary(args: string[], env: NodeJS.ProcessEnv, cwd?: string) {
  const child = spawn(process.execPath, [BIN, ...args], { env, cwd });
  let output = "";
  const collect = (d: Buffer) => {
    output += d.toString();
  };
  child.stdout.on("data", collect);
  child.stderr.on("data", collect);
  const exited = new Promise<number | null>((resolve) => child.on("exit", (code) => resolve(code)));
  return { child, output: () => output, exited };
}

/** Poll `check` every 50 ms until it returns true or `timeoutMs` passes. */
export async function waitFor(check: () => Promise<boolean> | boolean, timeoutMs = 10_000): Promise<void> {
  const end = Date.now() + timeoutMs;
  while (Date.now() < end) {
    if (await check()) return;
    await new Promise((r) => setTimeout(r, 50));
  }
  throw new Error(`condition not met within ${timeoutMs} ms`);
}

/** A failed-job payload as Verk/Sidekiq store it in `retry` or `dead`. */
export function failedJob(jid: string, cls = "Hello", queue = "default", error = "told to fail"): string {
  return `{"retry":true,"queue":"${queue}","class":"${cls}","args":[],"jid":"${jid}","created_at":1700000000.5,"enqueued_at":1700000001.5,"error_message":"${error}","error_class":"Error","failed_at":1700000002.5,"retry_count":1}`;
}
