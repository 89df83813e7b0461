import { afterEach, describe, expect, it } from "vitest";
import { type RedisStore, redisStore } from "../src/index.js";
import { job, useRedis } from "./helpers.js";

describe("acks sent with the next fetch", () => {
  const { server, redis } = useRedis();
  let store: RedisStore | undefined;
  afterEach(async () => {
    await store?.close();
    store = undefined;
  });

  it("a fetch right after acks carries them in its round trip: acked jobs leave the in-progress list", async () => {
    store = redisStore({ url: server().url });
    await store.connect();
    await store.push(["1", "2", "3", "4", "5"].map((id) => ({ queue: "q", raw: job(id) })));
    const channel = store.openQueue("q", "n1");
    const first = await channel.fetch(3, 0);
    expect(first.jobs.map((raw) => JSON.parse(raw.toString()).jid)).toEqual(["1", "2", "3"]);
    await redis().config("RESETSTAT");
    // Acks of this tick wait in the batcher; the fetch of the same tick takes them along.
    const acks = first.jobs.map((raw) => store!.ack("q", "n1", raw));
    const next = await channel.fetch(3, 0);
    expect(await Promise.all(acks)).toEqual([true, true, true]);
    expect(next.jobs.map((raw) => JSON.parse(raw.toString()).jid)).toEqual(["4", "5"]);
    expect(
      (await redis().lrange("inprogress:q:n1", 0, -1)).map((raw) => JSON.parse(raw.toString()).jid),
    ).toEqual(["5", "4"]);
    // One ack script call (3 LREMs) and one fetch script call, nothing acked twice.
    const stats = await redis().info("commandstats");
    expect(/cmdstat_lrem:calls=(\d+)/.exec(stats)?.[1]).toBe("3");
    const calls = (name: string) => Number(new RegExp(`cmdstat_${name}:calls=(\\d+)`).exec(stats)?.[1] ?? 0);
    expect(calls("evalsha") + calls("eval")).toBe(2);
    // A late ack of a job no longer in the list still answers false through the same path.
    const late = store.ack("q", "n1", first.jobs[0]!);
    await channel.fetch(1, 0);
    expect(await late).toBe(false);
    await channel.close();
  });

  it("acks still land through the store's own flush when no fetch follows", async () => {
    store = redisStore({ url: server().url });
    await store.connect();
    await store.push([{ queue: "q", raw: job("a") }]);
    const channel = store.openQueue("q", "n1");
    const [raw] = (await channel.fetch(1, 0)).jobs;
    expect(await store.ack("q", "n1", raw!)).toBe(true);
    expect(await redis().llen("inprogress:q:n1")).toBe(0);
    await channel.close();
  });
});
