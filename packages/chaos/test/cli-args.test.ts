import { execFile } from "node:child_process";
import { fileURLToPath } from "node:url";
import { describe, expect, it } from "vitest";

const CLI = fileURLToPath(new URL("../src/cli.mjs", import.meta.url));

function run(args: string[]): Promise<{ code: number; stderr: string }> {
  return new Promise((resolve) => {
    execFile(process.execPath, [CLI, ...args], { timeout: 10_000 }, (error, _stdout, stderr) => {
      resolve({ code: error ? Number((error as { code?: unknown }).code ?? 1) : 0, stderr });
    });
  });
}

describe("pnpm chaos arguments", () => {
  it("reads the flags after the `--` that pnpm passes through, and rejects unknown ones with a usage line", async () => {
    // A flag after `--` is parsed (so the unknown one is reported by name), not taken as a positional.
    const passed = await run(["--", "--jobs", "10", "--bogus"]);
    expect(passed.code).toBe(2);
    expect(passed.stderr).toContain("Unknown option '--bogus'");
    expect(passed.stderr).toContain("usage: pnpm chaos");
    const stray = await run(["--jobs", "10", "stray"]);
    expect(stray.code).toBe(2);
    expect(stray.stderr).toContain("stray");
  });
});
