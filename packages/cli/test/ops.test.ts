import { execFile } from "node:child_process";
import { compressBacktrace } from "@verk/core";
import { describe, expect, it } from "vitest";
import { BIN, FIXTURES, failedJob, useCli, waitFor } from "./helpers.js";

const { run, json, redis, start, env } = useCli();

/** Run `verk <args> | head -1` in a shell; resolves head's line, verk's stderr and the pipeline's status. */
function pipeToHead(args: string): Promise<{ stdout: string; stderr: string; code: number }> {
  return new Promise((resolve) => {
    execFile(
      "sh",
      ["-c", `"${process.execPath}" "${BIN}" ${args} 2>verk.err | head -1; cat verk.err; rm -f verk.err`],
      { env: env(), cwd: FIXTURES, timeout: 20_000 },
      (error, stdout, stderr) =>
        resolve({ stdout, stderr, code: error ? Number((error as { code?: unknown }).code) || 1 : 0 }),
    );
  });
}

describe("verk list commands in a pipe", () => {
  it("`dead list | head`, `retries list | head`, `scheduled list | head` end quietly (no EPIPE trace)", async () => {
    const many: (string | number)[] = [];
    for (let i = 0; i < 3000; i++)
      many.push(1_700_000_000 + i, failedJob(`j${i}`, "Hello", "default", "x".repeat(60)));
    await redis().zadd("dead", ...many);
    await redis().zadd("retry", ...many);
    await redis().zadd("schedule", ...many);
    for (const set of ["dead", "retries", "scheduled"]) {
      const r = await pipeToHead(`${set} list --per-page 3000`);
      expect(r.code, set).toBe(0);
      expect(r.stdout.split("\n")[0], set).toMatch(/^JID\s+CLASS/);
      expect(r.stdout, set).not.toMatch(/EPIPE|Error|at .*\.js/);
    }
  });
});

describe("verk retries show", () => {
  it("decodes Sidekiq's base64 + zlib error_backtrace", async () => {
    const backtrace = compressBacktrace(
      "Error: boom\n    at send (mailer.js:10:5)\n    at perform (worker.js:3:9)",
      true,
    );
    const raw = JSON.stringify({ ...JSON.parse(failedJob("bt1")), error_backtrace: backtrace });
    await redis().zadd("retry", Date.now() / 1000 + 60, raw);
    await redis().zadd("dead", Date.now() / 1000, raw);
    const shown = await run(["retries", "show", "bt1"]);
    expect(shown.code).toBe(0);
    expect(shown.stdout).toMatch(
      /backtrace\n {2}at send \(mailer\.js:10:5\)\n {2}at perform \(worker\.js:3:9\)/,
    );
    expect(shown.stdout).not.toContain(backtrace.split("\n")[0]);
    const asJson = await json<{ backtrace: string[] }>(["dead", "show", "bt1"]);
    expect(asJson.backtrace).toEqual(["at send (mailer.js:10:5)", "at perform (worker.js:3:9)"]);
  });
});

describe("verk queue", () => {
  it("lists one queue's waiting jobs paged in run order, searches, deletes one by jid", async () => {
    const raws = Array.from({ length: 30 }, (_, i) =>
      JSON.stringify({
        class: i === 17 ? "Special" : "Hello",
        args: [`arg${i}`],
        jid: `jid${i}`,
        queue: "default",
        enqueued_at: 1_700_000_000.5,
      }),
    );
    await redis().lpush("queue:default", ...raws);
    await redis().sadd("queues", "default");
    const page = await json<{ total: number; entries: { position: number; jid: string }[] }>([
      "queue",
      "default",
      "--per-page",
      "10",
      "--page",
      "2",
    ]);
    expect(page.total).toBe(30);
    expect(page.entries.map((e) => e.jid)).toEqual(Array.from({ length: 10 }, (_, i) => `jid${10 + i}`));
    const text = await run(["queue", "default", "--per-page", "2"]);
    expect(text.stdout).toMatch(/#\s+JID\s+CLASS\s+ENQUEUED\s+ARGS/);
    expect(text.stdout).toContain("page 1/15 · 30 waiting · next: --page 2");
    const found = await json<{ entries: { jid: string }[]; nextFrom: number | null }>([
      "queue",
      "default",
      "--search",
      "ARG2",
    ]);
    expect(found.entries.map((e) => e.jid)).toEqual([
      "jid2",
      "jid20",
      "jid21",
      "jid22",
      "jid23",
      "jid24",
      "jid25",
      "jid26",
      "jid27",
      "jid28",
      "jid29",
    ]);
    expect(found.nextFrom).toBeNull();
    expect(
      (await json<{ entries: { jid: string }[] }>(["queue", "default", "--class", "Special"])).entries[0]!
        .jid,
    ).toBe("jid17");
    const deleted = await run(["queue", "default", "delete", "jid17"]);
    expect(deleted.stdout).toBe('deleted job jid17 (Special) from "default"\n');
    expect(await redis().llen("queue:default")).toBe(29);
    const again = await run(["queue", "default", "delete", "jid17"]);
    expect(again.code).toBe(1);
    expect(again.stderr).toBe('verk: error: no job with jid jid17 is waiting in "default"\n');
    expect((await run(["queue", "nosuch"])).code).toBe(1);
  });
});

describe("verk quiet | stop", () => {
  it("quiet and stop a running node remotely through <identity>-signals", async () => {
    const node = start(["work"], { cwd: FIXTURES });
    await waitFor(() => node.output().includes("queues=default:5"), 15_000);
    let identity = "";
    await waitFor(async () => {
      const list = await json<{ identity: string }[]>(["processes"]);
      identity = list[0]?.identity ?? "";
      return identity !== "";
    });
    const quieted = await run(["quiet", identity]);
    expect(quieted.stdout).toBe(`sent TSTP (quiet) to 1 process: ${identity}\n`);
    await waitFor(async () => (await json<{ quiet: boolean }[]>(["processes"]))[0]?.quiet === true);
    expect((await run(["stop", identity])).code).toBe(0);
    expect(await node.exited).toBe(0);
    expect(node.output()).toMatch(/Sidekiq signal TERM|signal=TERM/);
    const unknown = await run(["stop", "nope:1:2"]);
    expect(unknown.code).toBe(1);
    expect(unknown.stderr).toContain('no live process "nope:1:2"');
    expect((await run(["quiet"])).code).toBe(2);
    await redis().sadd("processes", "a:1:x", "b:2:y");
    await redis().hset("a:1:x", "beat", "1");
    await redis().hset("b:2:y", "beat", "1");
    expect(await json<{ processes: string[] }>(["stop", "--all"])).toEqual({
      signal: "TERM",
      processes: ["a:1:x", "b:2:y"],
    });
    expect(await redis().lrange("b:2:y-signals", 0, -1)).toEqual(["TERM"]);
  });
});
