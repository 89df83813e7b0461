import { execFileSync, spawnSync } from "node:child_process";
import { afterAll, describe, expect, it } from "vitest";
import { BIN, useCli, waitFor } from "./helpers.js";

const { run, redis, server } = useCli();

function hasTmux(): boolean {
  if (spawnSync("tmux", ["-V"]).status === 0) return true;
  // Try to install it (Debian/Ubuntu, as root); skip with a message otherwise.
  const install = spawnSync(
    "sh",
    [
      "-c",
      "apt-get install -y -qq tmux >/dev/null 2>&1 || (apt-get update -qq && apt-get install -y -qq tmux)",
    ],
    { stdio: "ignore" },
  );
  return install.status === 0 && spawnSync("tmux", ["-V"]).status === 0;
}

const TMUX = hasTmux();
if (!TMUX)
  console.warn("verk top tmux test SKIPPED: tmux is not installed and could not be installed with apt-get");
const SESSION = `verk-top-${process.pid}`;

describe("verk top", () => {
  afterAll(() => {
    if (TMUX) spawnSync("tmux", ["kill-session", "-t", SESSION], { stdio: "ignore" });
  });

  it("prints one snapshot without a terminal", async () => {
    await redis().lpush("queue:mailers", '{"class":"A","args":[],"jid":"1","queue":"mailers"}');
    await redis().sadd("queues", "mailers");
    const result = await run(["top"]);
    expect(result.code).toBe(0);
    expect(result.stdout).toMatch(/mailers\s+1\s/);
    expect(result.stdout).not.toContain("\x1b[");
  });

  it.skipIf(!TMUX)("refreshes live in a real terminal and quits on q", async () => {
    await redis().lpush("queue:mailers", '{"class":"A","args":[],"jid":"1","queue":"mailers"}');
    await redis().sadd("queues", "mailers");
    const capture = () => execFileSync("tmux", ["capture-pane", "-p", "-t", SESSION], { encoding: "utf8" });
    execFileSync("tmux", [
      "new-session",
      "-d",
      "-s",
      SESSION,
      "-x",
      "160",
      "-y",
      "40",
      `REDIS_URL=${server().url} ${process.execPath} ${BIN} top --interval 200ms; echo "exit=$?"; sleep 30`,
    ]);
    await waitFor(() => /mailers\s+1\s/.test(capture()));
    expect(capture()).toContain("verk top");
    expect(capture()).toMatch(/QUEUE\s+SIZE\s+LATENCY/);
    await redis().lpush(
      "queue:mailers",
      '{"class":"A","args":[],"jid":"2","queue":"mailers"}',
      '{"class":"A","args":[],"jid":"3","queue":"mailers"}',
    );
    await waitFor(() => /mailers\s+3\s/.test(capture()));
    execFileSync("tmux", ["send-keys", "-t", SESSION, "q"]);
    await waitFor(() => capture().includes("exit=0"));
    expect(capture()).not.toContain("QUEUE");
  });
});
