import { execFileSync } from "node:child_process";

/** Command lines of running `redis-server` processes listening on 127.0.0.1:`port` (`pgrep -af`). */
export function redisServersOn(port: number): string[] {
  try {
    const out = execFileSync("pgrep", ["-af", `redis-server 127\\.0\\.0\\.1:${port}( |$)`], {
      encoding: "utf8",
    });
    return out.split("\n").filter(Boolean);
  } catch {
    return []; // pgrep exits 1 when nothing matches
  }
}
