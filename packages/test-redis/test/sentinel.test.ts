import { describe, expect, it } from "vitest";
import { redisCommand, type SentinelFailoverMode } from "../src/index.js";
import { useSentinel } from "../src/vitest.js";

const setup = useSentinel();

function fields(reply: unknown): Record<string, string> {
  const list = reply as string[];
  const out: Record<string, string> = {};
  for (let i = 0; i + 1 < list.length; i += 2) out[list[i]!] = list[i + 1]!;
  return out;
}

/**
 * Write 0, 1, 2, ... through the fixture's ioredis Sentinel client, each `RPUSH` followed by
 * `WAIT 1` in one pipeline; run `during` once `before` writes are confirmed, then write `after`
 * more. Resolves the confirmed values (before `during` resolved: written and confirmed by WAIT;
 * after: written to the new master) and those written after `during`.
 */
async function writeThrough<T>(during: () => Promise<T>, before = 20, after = 20) {
  const confirmed: number[] = [];
  const confirmedAfter: number[] = [];
  let failed = 0;
  let phase = "before" as "before" | "during" | "after";
  let next = 0;
  const writer = (async () => {
    while (phase !== "after" || confirmedAfter.length < after) {
      const value = next++;
      try {
        // After a kill the new master may have no replica left: then written to it is enough.
        const pipeline = setup.redis.pipeline().rpush("log", value);
        if (phase !== "after") pipeline.call("WAIT", 1, 2_000);
        const replies = await pipeline.exec();
        const [push, wait] = replies ?? [];
        if (push?.[0] || !push) throw push?.[0] ?? new Error("no reply");
        if (phase === "after") {
          confirmed.push(value);
          confirmedAfter.push(value);
        } else if (wait?.[1] === 1) confirmed.push(value);
      } catch {
        failed++;
      }
      if (failed > 2_000) throw new Error(`${failed} failed writes`);
    }
  })();
  await until(() => confirmed.length >= before);
  phase = "during";
  const result = await during();
  phase = "after";
  await writer;
  return { confirmed, confirmedAfter, result };
}

async function until(check: () => boolean): Promise<void> {
  const deadline = Date.now() + 10_000;
  while (!check()) {
    if (Date.now() > deadline) throw new Error("timed out");
    await new Promise((resolve) => setTimeout(resolve, 5));
  }
}

describe("startSentinel", () => {
  it("starts a master, its replica and 3 sentinels that know each other", async () => {
    const { sentinel } = setup;
    const [master, replica] = sentinel.nodes;
    expect(sentinel.sentinels).toHaveLength(3);
    expect(await sentinel.masterAddress()).toEqual({ host: "127.0.0.1", port: master!.port });
    for (const { port } of sentinel.sentinels) {
      const info = fields(await redisCommand(port, "SENTINEL", "MASTER", sentinel.masterName));
      expect(info).toMatchObject({ port: String(master!.port), quorum: "2", "num-slaves": "1" });
      expect(info["num-other-sentinels"]).toBe("2");
    }
    const role = (await redisCommand(replica!.port, "ROLE")) as unknown[];
    expect(role.slice(0, 3)).toEqual(["slave", "127.0.0.1", master!.port]);
    await setup.redis.set("k", "v");
    expect(await redisCommand(master!.port, "GET", "k")).toBe("v");
  });

  for (const mode of ["command", "kill"] as SentinelFailoverMode[]) {
    it(`fails over (${mode}) while an ioredis Sentinel client keeps writing through it`, async () => {
      const { sentinel } = setup;
      const before = await sentinel.masterAddress();
      const { confirmed, confirmedAfter, result } = await writeThrough(() => sentinel.failover(mode));
      expect(result.from).toEqual(before);
      expect(result.to.port).not.toBe(before.port);
      expect(await sentinel.masterAddress()).toEqual(result.to);
      // Every write the client was told had reached a replica is on the new master, in order. A
      // write in flight when the connection dropped may be there twice: ioredis resends it.
      const log = ((await redisCommand(result.to.port, "LRANGE", "log", 0, -1)) as string[]).map(Number);
      const unique = [...new Set(log)];
      const wanted = new Set(confirmed);
      expect(unique.filter((value) => wanted.has(value))).toEqual(confirmed);
      expect(log.length - unique.length).toBeLessThanOrEqual(2);
      expect(confirmedAfter).toHaveLength(20);
      const oldRole = await redisCommand(before.port, "ROLE").catch(() => ["down"]);
      expect((oldRole as unknown[])[0]).toBe(mode === "kill" ? "down" : "slave");
    });
  }
});
