import { describe, expect, it } from "vitest";
import { useCli } from "./helpers.js";

const { run, json, redis } = useCli();

describe("verk: flow control (unique, expiring jobs, counters)", () => {
  it("enqueue --unique-for drops a duplicate (exit 0, says so); --expires-in stamps expires_at", async () => {
    const first = await json<{ jid: string }>([
      "enqueue",
      "Sync",
      "[7]",
      "--unique-for",
      "10m",
      "--expires-in",
      "1h",
    ]);
    expect(first.jid).toMatch(/^[0-9a-f]{24}$/);
    const [raw] = await redis().lrange("queue:default", 0, -1);
    const job = JSON.parse(raw!);
    expect(job).toMatchObject({ class: "Sync", args: [7], unique_for: 600, jid: first.jid });
    expect(job.expires_at - job.enqueued_at).toBeCloseTo(3_600, 0);
    expect(await redis().pttl(`verk:unique:${job.unique_digest}`)).toBeGreaterThan(590_000);

    const again = await run(["enqueue", "Sync", "[7]", "--unique-for", "10m"]);
    expect(again.code).toBe(0);
    expect(again.stdout).toBe(
      `duplicate: Sync not enqueued on "default": an equal job (${first.jid}) holds its unique lock\n`,
    );
    const asJson = await json<{ jid: null; duplicate: boolean; heldBy: string }>([
      "enqueue",
      "Sync",
      "[7]",
      "--unique-for",
      "60",
      "--unique-until",
      "start",
    ]);
    expect(asJson).toMatchObject({ jid: null, duplicate: true, heldBy: first.jid });
    expect(await redis().llen("queue:default")).toBe(1);
  });

  it("bad flow flags are usage errors naming the flag", async () => {
    const until = await run(["enqueue", "Sync", "--unique-until", "start"]);
    expect(until.code).toBe(2);
    expect(until.stderr).toContain("--unique-until needs --unique-for");
    const bad = await run(["enqueue", "Sync", "--unique-for", "soon"]);
    expect(bad.stderr).toContain('--unique-for: "soon" is not a duration');
    const mode = await run(["enqueue", "Sync", "--unique-for", "1m", "--unique-until", "end"]);
    expect(mode.stderr).toContain("--unique-until must be start or success");
    expect(await redis().llen("queue:default")).toBe(0);
  });

  it("queues and stats show the limited, expired and duplicate counters", async () => {
    await redis().lpush("queue:api", '{"class":"Call","args":[],"jid":"x","queue":"api"}');
    await redis().sadd("queues", "api");
    await redis().hset("verk:flow:api", { expired: 3, limited: 12, duplicates: 5 });
    const [row] = await json<{ name: string; expired: number; limited: number; duplicates: number }[]>([
      "queues",
    ]);
    expect(row).toMatchObject({ name: "api", expired: 3, limited: 12, duplicates: 5 });
    const text = await run(["queues"]);
    expect(text.stdout).toMatch(/FAILED\s+LIMITED\s+EXPIRED\s+DUPLICATES/);
    expect(text.stdout).toMatch(/api\s+1\s.*\s12\s+3\s+5\n/);
    const stats = await json<{ expired: number; limited: number; duplicates: number }>(["stats"]);
    expect(stats).toMatchObject({ expired: 3, limited: 12, duplicates: 5 });
    expect((await run(["stats"])).stdout).toMatch(/limited\s+12\n.*expired\s+3\n.*duplicates\s+5\n/s);
  });
});
