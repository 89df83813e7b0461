import { spawnSync } from "node:child_process";
import type { TestProject } from "vitest/node";
import { chromiumPath } from "./helpers.js";

declare module "vitest" {
  export interface ProvidedContext {
    /** Chromium's path, or `""` when none could be found or installed. */
    chromium: string;
  }
}

function mayInstall(): boolean {
  if (spawnSync("apt-get", ["--version"], { stdio: "ignore" }).status !== 0) return false;
  if (process.getuid?.() === 0) return true;
  return spawnSync("sudo", ["-n", "true"], { stdio: "ignore" }).status === 0;
}

/**
 * Find Chromium for the browser tests; when missing, install Debian's `chromium` with apt if this
 * user may (like `scripts/quickstart.sh` does for redis-server). Otherwise say loudly that the
 * browser tests will be skipped.
 */
export default function setup(project: TestProject): void {
  let path = chromiumPath();
  if (!path && mayInstall()) {
    const asRoot = process.getuid?.() === 0;
    const apt = (args: string[]) =>
      spawnSync(asRoot ? "apt-get" : "sudo", asRoot ? args : ["-n", "apt-get", ...args], {
        stdio: "ignore",
        timeout: 600_000,
        env: { ...process.env, DEBIAN_FRONTEND: "noninteractive" },
      });
    console.warn(
      "[@verk/web] Chromium not found: installing Debian's chromium package for the browser tests…",
    );
    apt(["update", "-qq"]);
    apt(["install", "-y", "-qq", "chromium"]);
    path = chromiumPath();
  }
  if (!path) {
    const line = "!".repeat(78);
    console.warn(
      `\n${line}\n[@verk/web] Chromium was not found and could not be installed: the BROWSER TESTS ARE SKIPPED.\n` +
        "Install it (Debian/Ubuntu: apt-get install chromium) or set CHROMIUM_PATH, then run the tests again.\n" +
        `${line}\n`,
    );
  }
  project.provide("chromium", path ?? "");
}
