import { spawnSync } from "node:child_process";
import { existsSync, mkdtempSync, rmSync } from "node:fs";
import { createServer, type Server } from "node:http";
import type { AddressInfo } from "node:net";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { type RedisStore, redisStore } from "@verk/redis-store";
import type { BrowserContext } from "playwright-core";
import { createDashboard, type Dashboard, type DashboardOptions } from "../src/index.js";

/** A dashboard on a private node:http server. */
export interface TestServer {
  readonly url: string;
  readonly dashboard: Dashboard;
  readonly store: RedisStore;
  close(): Promise<void>;
}

/** Start a dashboard (on `redisUrl`) on 127.0.0.1 and a free port. */
export async function startDashboard(redisUrl: string, options: DashboardOptions = {}): Promise<TestServer> {
  const store = redisStore({ url: redisUrl });
  const dashboard = createDashboard({ store, ...options });
  const server: Server = createServer(dashboard);
  await new Promise<void>((resolve) => server.listen(0, "127.0.0.1", resolve));
  const port = (server.address() as AddressInfo).port;
  return {
    url: `http://127.0.0.1:${port}${options.basePath ?? ""}`,
    dashboard,
    store,
    async close() {
      await dashboard.close();
      server.closeAllConnections();
      await new Promise<void>((resolve) => server.close(() => resolve()));
      await store.close();
    },
  };
}

/** Chromium's path: `CHROMIUM_PATH`, else Debian's `/usr/bin/chromium` (and other usual places). */
export function chromiumPath(): string | undefined {
  const candidates = [
    process.env.CHROMIUM_PATH,
    "/usr/bin/chromium",
    "/usr/bin/chromium-browser",
    "/usr/bin/google-chrome",
  ];
  for (const path of candidates) {
    if (
      path &&
      existsSync(path) &&
      spawnSync(path, ["--version"], { stdio: "ignore", timeout: 20_000 }).status === 0
    )
      return path;
  }
  return undefined;
}

/** Flags that work in containers and CI. */
export const CHROMIUM_FLAGS = [
  "--no-sandbox",
  "--disable-gpu",
  "--disable-quic",
  "--no-first-run",
  "--disable-background-networking",
  "--disable-component-update",
  "--disable-sync",
  "--disable-dev-shm-usage",
];

/** One headless Chromium with a fresh profile; `close()` stops it and removes the profile. */
export async function launchBrowser(
  executablePath: string,
): Promise<{ context: BrowserContext; close(): Promise<void> }> {
  const { chromium } = await import("playwright-core");
  const dir = mkdtempSync(join(tmpdir(), "verk-web-chromium-"));
  const context = await chromium.launchPersistentContext(dir, {
    executablePath,
    headless: true,
    args: CHROMIUM_FLAGS,
    viewport: { width: 1280, height: 900 },
  });
  return {
    context,
    async close() {
      await context.close().catch(() => {});
      rmSync(dir, { recursive: true, force: true });
    },
  };
}
