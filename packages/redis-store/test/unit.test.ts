import { execFileSync } from "node:child_process";
import { join } from "node:path";
import { isVerkError } from "@verk/core";
import { Redis } from "ioredis";
import { describe, expect, it } from "vitest";
import { parseControlMessage } from "../src/control.js";
import { createKeys, redisStore } from "../src/index.js";
import { maskUrl } from "../src/options.js";
import { formatSeconds } from "../src/scripts.js";
import { assertSupportedRedis, isSupportedRedisVersion, parseRedisVersion } from "../src/version.js";

describe("generated scripts", () => {
  it("src/generated/scripts.ts is up to date with lua/", () => {
    const script = join(import.meta.dirname, "..", "scripts", "gen-lua.mjs");
    expect(() => execFileSync(process.execPath, [script, "--check"], { stdio: "pipe" })).not.toThrow();
  });
});

describe("version check", () => {
  it("parses redis_version from INFO server", () => {
    expect(parseRedisVersion("# Server\r\nredis_version:7.0.15\r\nredis_git_sha1:0\r\n")).toBe("7.0.15");
    expect(parseRedisVersion("# Server\r\n")).toBeUndefined();
  });

  it("accepts 6.2 and later only", () => {
    expect(isSupportedRedisVersion("6.2.0")).toBe(true);
    expect(isSupportedRedisVersion("7.0.15")).toBe(true);
    expect(isSupportedRedisVersion("10.0.0")).toBe(true);
    expect(isSupportedRedisVersion("6.0.9")).toBe(false);
    expect(isSupportedRedisVersion("5.0.14")).toBe(false);
  });

  it("names the version and the need in the error", () => {
    expect(() => assertSupportedRedis("redis_version:6.0.9\r\n")).toThrow(
      "Redis 6.0.9 is too old: Verk needs Redis >= 6.2 (LMOVE, ZRANGE BYSCORE)",
    );
    try {
      assertSupportedRedis("redis_version:6.0.9\r\n");
    } catch (error) {
      expect(isVerkError(error) && error.code).toBe("UNSUPPORTED_REDIS");
    }
  });
});

describe("options", () => {
  it("rejects an ioredis keyPrefix, pointing to namespace", () => {
    try {
      redisStore({ redis: { keyPrefix: "app:" } });
      expect.unreachable();
    } catch (error) {
      expect(isVerkError(error) && error.code).toBe("INVALID_OPTION");
      expect(isVerkError(error) && error.field).toBe("keyPrefix");
      expect((error as Error).message).toContain("namespace");
    }
  });

  it("rejects a client with a keyPrefix", () => {
    const client = new Redis({ lazyConnect: true, keyPrefix: "x:" });
    expect(() => redisStore({ client })).toThrow(/namespace/);
    client.disconnect();
  });

  it("masks passwords in URLs", () => {
    expect(maskUrl("redis://:secret@localhost:6380")).toBe("redis://:***@localhost:6380");
    expect(maskUrl("rediss://user:secret@h:1/2")).toBe("rediss://user:***@h:1/2");
    expect(maskUrl("redis://localhost:6379")).toBe("redis://localhost:6379");
  });
});

describe("keys", () => {
  it("uses Sidekiq's names without a namespace and prefixes every key with one", () => {
    const plain = createKeys();
    expect([
      plain.queue("a"),
      plain.queues,
      plain.set("schedule"),
      plain.set("retry"),
      plain.set("dead"),
    ]).toEqual(["queue:a", "queues", "schedule", "retry", "dead"]);
    const ns = createKeys("app");
    expect([ns.inprogress("a", "n"), ns.nodes, ns.nodeQueues("n"), ns.paused, ns.control]).toEqual([
      "app:inprogress:a:n",
      "app:verk_nodes",
      "app:verk:node:n:queues",
      "app:verk:paused",
      "app:verk:control",
    ]);
  });

  it("gives every key of one queue that queue's hash tag in the cluster layout, global keys {verk}", () => {
    const keys = createKeys("app", "cluster");
    const own = [
      keys.queue("mail"),
      keys.inprogress("mail", "n1"),
      keys.setOf("schedule", "mail"),
      keys.setOf("retry", "mail"),
      keys.setOf("dead", "mail"),
      keys.pauseFlag("mail").key,
      keys.aliveMarker("mail", "n1"),
      keys.pushToken("mail", "t"),
      keys.outbox("mail"),
    ];
    for (const key of own) expect(key).toMatch(/^app:verk:\{mail\}:/);
    const global = [keys.queues, keys.nodes, keys.heartbeat("n1"), keys.paused, keys.statTotal("processed")];
    for (const key of global) expect(key).toMatch(/^app:\{verk\}:/);
    expect(() => keys.set("retry")).toThrow(/one retry set per queue/);
  });
});

describe("helpers", () => {
  it("formats seconds with a guaranteed fraction", () => {
    expect(formatSeconds(1764265302)).toBe("1764265302.0");
    expect(formatSeconds(1764265302.123456)).toBe("1764265302.123456");
    expect(formatSeconds(0.5)).toBe("0.5");
    expect(formatSeconds(1e-7)).toBe("0.000000");
    expect(() => formatSeconds(Number.NaN)).toThrow();
  });

  it("ignores malformed control messages", () => {
    expect(parseControlMessage('{"type":"pause","queue":"q"}')).toEqual({ type: "pause", queue: "q" });
    expect(parseControlMessage("nope")).toBeUndefined();
    expect(parseControlMessage('{"type":"stop","queue":"q"}')).toBeUndefined();
    expect(parseControlMessage('{"type":"resume"}')).toBeUndefined();
    expect(parseControlMessage("null")).toBeUndefined();
  });
});

describe("storeError on a Redis Cluster", () => {
  it("maps a cluster failing over (too many redirections, CLUSTERDOWN) to CONNECTION_FAILED", async () => {
    const { storeError } = await import("../src/errors.js");
    for (const message of [
      "Too many Cluster redirections. Last error: ReplyError: MOVED 6111 127.0.0.1:17252",
      "CLUSTERDOWN The cluster is down",
    ]) {
      expect(storeError(new Error(message), "enqueue")).toMatchObject({
        code: "CONNECTION_FAILED",
        message: expect.stringContaining("failing over or resharding"),
      });
    }
    expect(storeError(new Error("MOVED 1 127.0.0.1:7000"), "enqueue")).toMatchObject({
      code: "INVALID_OPTION",
      field: "cluster",
    });
  });
});
