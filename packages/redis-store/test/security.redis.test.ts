import { execFileSync } from "node:child_process";
import { mkdtempSync, readFileSync, rmSync, writeFileSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { createVerk, defineWorker, type Verk } from "@verk/core";
import { freePort, startRedis, type TestRedis } from "@verk/test-redis";
import { until as waitUntil } from "@verk/test-redis/vitest";
import { Redis } from "ioredis";
import { afterAll, afterEach, beforeAll, describe, expect, it } from "vitest";
import { type RedisStoreOptions, redisStore } from "../src/index.js";

/** The least-privilege ACL documented in the README ("Security"); keep both in sync. */
const VERK_NODE_ACL = [
  "-@all",
  "+@transaction",
  "+auth +hello +ping +select +echo +info +time +client|id +client|setname +client|unblock",
  "+eval +evalsha +script|load +script|exists",
  "+get +set +del +unlink +exists +type +expire +pexpire +pttl +incr +incrby +mget",
  "+lpush +rpush +lpop +rpop +llen +lrange +lindex +lrem +lmove +blmove",
  "+sadd +srem +smembers +sismember +scard +sscan",
  "+zadd +zrem +zcard +zrange +zrangebyscore +zremrangebyscore +zremrangebyrank +zscore",
  "+hset +hget +hgetall +hdel +hincrby",
  "+publish +subscribe +unsubscribe",
].join(" ");

const until = (check: () => Promise<boolean> | boolean, timeoutMs = 10_000) => waitUntil(check, timeoutMs);

const problems: string[] = [];
const logger = {
  debug() {},
  info() {},
  warn: (fields: Record<string, unknown> | string, message?: string) =>
    problems.push(typeof fields === "string" ? fields : `${message} ${fields.err ?? ""}`),
  error: (fields: Record<string, unknown> | string, message?: string) =>
    problems.push(typeof fields === "string" ? fields : `${message} ${fields.err ?? ""}`),
};
const nodes: Verk[] = [];
afterEach(async () => {
  await Promise.all(nodes.splice(0).map((n) => n.stop({ timeout: 1_000 })));
  problems.length = 0;
});

/** Run jobs end to end (success, failure → retry → success, pause/resume, dead-peer recovery). */
async function exercise(options: RedisStoreOptions, admin: Redis): Promise<void> {
  await admin.sadd("verk_nodes", "ghost");
  await admin.sadd("verk:node:ghost:queues", "q");
  await admin.lpush("inprogress:q:ghost", '{"class":"Sec","args":["ghost"],"jid":"g","queue":"q"}');
  const ran: string[] = [];
  let failOnce = true;
  const Sec = defineWorker(
    "Sec",
    (tag: string) => {
      if (tag === "flaky" && failOnce) {
        failOnce = false;
        throw new Error("first try fails");
      }
      ran.push(tag);
    },
    { queue: "q", backoff: () => 0 },
  );
  const verk = createVerk({
    store: redisStore({ ...options, heartbeatMs: 100, nodeTtlMs: 400 }),
    queues: { q: 2 },
    workers: [Sec],
    fetchBlockMs: 100,
    pollIntervalMs: 100,
    logger,
  });
  nodes.push(verk);
  await verk.start();
  await verk.enqueue({ class: "Sec", queue: "q", args: ["plain"] });
  await verk.enqueue({ class: "Sec", queue: "q", args: ["flaky"] });
  await verk.pauseQueue("q");
  await verk.resumeQueue("q");
  await until(() => ran.length === 3);
  expect(ran.sort()).toEqual(["flaky", "ghost", "plain"]);
  await verk.stop();
  expect(problems.filter((p) => /NOPERM|NOAUTH|WRONGPASS/i.test(p))).toEqual([]);
  expect(await admin.scard("verk_nodes")).toBe(0);
}

describe("AUTH and ACL", () => {
  let server: TestRedis;
  let admin: Redis;
  beforeAll(async () => {
    server = await startRedis();
    admin = new Redis(server.url);
    await admin.config("SET", "requirepass", "s3cret");
    await admin.auth("s3cret");
    await admin.call(
      "ACL",
      "SETUSER",
      "verk",
      "reset",
      "on",
      ">node-pass",
      "~*",
      "&*",
      ...VERK_NODE_ACL.split(" "),
    );
  });
  afterAll(async () => {
    await admin?.quit();
    await server?.stop();
  });

  it("works with a password (requirepass)", async () => {
    await admin.flushall();
    await exercise({ url: `redis://:s3cret@127.0.0.1:${server.port}` }, admin);
  });

  it("works as an ACL user with only the documented permissions", async () => {
    await admin.flushall();
    await exercise({ url: `redis://verk:node-pass@127.0.0.1:${server.port}` }, admin);
    const user = new Redis(`redis://verk:node-pass@127.0.0.1:${server.port}`);
    await expect(user.flushall()).rejects.toThrow(/NOPERM/);
    await expect(user.keys("*")).rejects.toThrow(/NOPERM/);
    await user.quit();
  });

  it("fails fast with CONNECTION_FAILED and a masked URL on a wrong password", async () => {
    const store = redisStore({ url: `redis://:wrong@127.0.0.1:${server.port}`, connectTimeoutMs: 1_000 });
    const error = await store.connect().catch((e: unknown) => e);
    expect(error).toMatchObject({ code: "CONNECTION_FAILED" });
    expect(String((error as Error).message)).not.toContain("wrong");
    await store.close();
  });
});

describe("TLS (rediss:// with a custom CA)", () => {
  let dir: string;
  let server: TestRedis;
  let tlsPort: number;
  let ca: Buffer;
  beforeAll(async () => {
    dir = mkdtempSync(join(tmpdir(), "verk-tls-"));
    const ssl = (...args: string[]) => execFileSync("openssl", args, { cwd: dir, stdio: "pipe" });
    ssl(
      "req",
      "-x509",
      "-newkey",
      "rsa:2048",
      "-nodes",
      "-keyout",
      "ca.key",
      "-out",
      "ca.crt",
      "-days",
      "1",
      "-subj",
      "/CN=Verk Test CA",
    );
    ssl(
      "req",
      "-newkey",
      "rsa:2048",
      "-nodes",
      "-keyout",
      "server.key",
      "-out",
      "server.csr",
      "-subj",
      "/CN=127.0.0.1",
    );
    writeFileSync(join(dir, "san.ext"), "subjectAltName=IP:127.0.0.1,DNS:localhost\n");
    ssl(
      "x509",
      "-req",
      "-in",
      "server.csr",
      "-CA",
      "ca.crt",
      "-CAkey",
      "ca.key",
      "-CAcreateserial",
      "-out",
      "server.crt",
      "-days",
      "1",
      "-extfile",
      "san.ext",
    );
    ca = readFileSync(join(dir, "ca.crt"));
    tlsPort = await freePort();
    server = await startRedis({
      args: [
        "--tls-port",
        String(tlsPort),
        "--tls-cert-file",
        join(dir, "server.crt"),
        "--tls-key-file",
        join(dir, "server.key"),
        "--tls-ca-cert-file",
        join(dir, "ca.crt"),
        "--tls-auth-clients",
        "no",
      ],
    });
  });
  afterAll(async () => {
    await server?.stop();
    if (dir) rmSync(dir, { recursive: true, force: true });
  });

  it("runs jobs over rediss:// trusting the custom CA", async () => {
    const admin = new Redis(`rediss://127.0.0.1:${tlsPort}`, { tls: { ca } });
    expect(await admin.ping()).toBe("PONG");
    await exercise({ url: `rediss://127.0.0.1:${tlsPort}`, redis: { tls: { ca } } }, admin);
    await admin.quit();
  });

  it("refuses a server certificate it cannot verify", async () => {
    const store = redisStore({ url: `rediss://127.0.0.1:${tlsPort}`, connectTimeoutMs: 1_000 });
    const error = await store.connect().catch((e: unknown) => e);
    expect(error).toMatchObject({ code: "CONNECTION_FAILED" });
    expect(String((error as Error).message)).toMatch(/certificate/i);
    await store.close();
  });
});
