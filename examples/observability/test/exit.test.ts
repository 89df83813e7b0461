import { type ChildProcess, spawn } from "node:child_process";
import { fileURLToPath } from "node:url";
import { useRedis } from "@verk/test-redis/vitest";
import { describe, expect, it } from "vitest";

const fx = useRedis();
const SNIPPETS = fileURLToPath(new URL("./snippets/", import.meta.url));
/** How long a process may take to exit after its work (or SIGTERM) before it counts as hung. */
const EXIT_WITHIN_MS = 5_000;

interface Exit {
  code: number | null;
  signal: NodeJS.Signals | null;
  output: string;
  /** Milliseconds from "ready" (or SIGTERM) to exit. */
  tookMs: number;
}

/**
 * Run a README snippet against the private Redis. It prints "ready" when its work is done;
 * with `sigterm`, it is sent SIGTERM then. It must exit by itself within EXIT_WITHIN_MS; a
 * process still alive is killed and reported with code null.
 */
function runSnippet(name: string, sigterm = false): Promise<Exit> {
  return new Promise((resolve) => {
    const child: ChildProcess = spawn(process.execPath, [SNIPPETS + name], {
      env: { ...process.env, REDIS_URL: fx.url },
      stdio: ["ignore", "pipe", "pipe"],
    });
    let output = "";
    let readyAt = 0;
    let killer: NodeJS.Timeout | undefined;
    const armed = () => {
      readyAt = Date.now();
      if (sigterm) child.kill("SIGTERM");
      killer = setTimeout(() => child.kill("SIGKILL"), EXIT_WITHIN_MS);
    };
    const startup = setTimeout(() => child.kill("SIGKILL"), 20_000);
    const onData = (d: Buffer) => {
      output += d.toString();
      if (readyAt === 0 && /^ready$/m.test(output)) armed();
    };
    child.stdout!.on("data", onData);
    child.stderr!.on("data", onData);
    child.on("exit", (code, signal) => {
      clearTimeout(startup);
      clearTimeout(killer);
      resolve({ code: signal === "SIGKILL" ? null : code, signal, output, tookMs: Date.now() - readyAt });
    });
  });
}

describe("every documented pattern lets the process exit after stop()/close()", () => {
  const cases: [string, string, boolean][] = [
    ["stats-serve.mjs", "stats plugin + serveMetrics, then verk.stop()", false],
    ["stats-registry.mjs", "stats({ registry: register }), then verk.stop()", false],
    ["stats-reader.mjs", "createStatsReader(redisStore(...)), then reader.close()", false],
    ["events-subscribe.mjs", "subscribeEvents(redisStore(...)), close() on SIGTERM", true],
    ["events-plugin.mjs", "events({ publish: true }), then verk.stop()", false],
    ["scheduler.mjs", "scheduler with cron and every jobs, then verk.stop()", false],
    ["otel.mjs", "otelPlugin with an SDK, then verk.stop()", false],
    ["pino.mjs", "a pino logger, then verk.stop()", false],
    ["producer.mjs", "a producer-only instance with add-ons, then verk.stop()", false],
    ["worker-sigterm.mjs", "a worker with every add-on, verk.stop() on SIGTERM", true],
  ];
  for (const [file, what, sigterm] of cases) {
    it(`${what} (${file})`, async () => {
      const exit = await runSnippet(file, sigterm);
      expect(exit.output).toMatch(/^ready$/m);
      expect({ code: exit.code, output: exit.code === 0 ? "" : exit.output }).toEqual({
        code: 0,
        output: "",
      });
      expect(exit.tookMs).toBeLessThan(EXIT_WITHIN_MS);
    });
  }
});
