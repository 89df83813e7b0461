import { createServer, type Server } from "node:http";
import type { AddressInfo } from "node:net";
import { type RedisStore, redisStore } from "@verk/redis-store";
import { useCluster } from "@verk/test-redis/vitest";
import { afterAll, beforeAll, beforeEach, describe, expect, it } from "vitest";
import { createDashboard, type Dashboard } from "../src/index.js";

// The dashboard on a real Redis Cluster (cluster key layout: every queue's keys in its own slot,
// spread over 3 masters): pages aggregate over the queues, actions move jobs slot by slot.
const fx = useCluster({ replicasPerMaster: 0 });
let store: RedisStore;
let dashboard: Dashboard;
let server: Server;
let url: string;

beforeAll(async () => {
  store = redisStore({ cluster: { nodes: [...fx.cluster.urls] }, sidekiqProcess: false });
  await store.connect();
  dashboard = createDashboard({ store });
  server = createServer(dashboard);
  await new Promise<void>((resolve) => server.listen(0, "127.0.0.1", resolve));
  url = `http://127.0.0.1:${(server.address() as AddressInfo).port}`;
});
afterAll(async () => {
  await dashboard?.close();
  server?.closeAllConnections();
  await new Promise<void>((resolve) => server?.close(() => resolve()));
  await store?.close();
});

function job(queue: string, jid: string, extra: Record<string, unknown> = {}): string {
  return JSON.stringify({
    class: "SendEmail",
    args: [jid],
    jid,
    queue,
    retry: true,
    created_at: 1_764_000_000.25,
    enqueued_at: Date.now() / 1000 - 5,
    error_class: "TimeoutError",
    error_message: `timeout ${jid}`,
    failed_at: 1_764_000_100.5,
    retry_count: 1,
    ...extra,
  });
}

const now = () => Date.now() / 1000;

beforeEach(async () => {
  const k = store.keys;
  await store.push([
    { queue: "mail", raw: job("mail", "waiting-1") },
    { queue: "billing", raw: job("billing", "waiting-2") },
  ]);
  await fx.redis.zadd(k.setOf("retry", "mail"), now() + 60, job("mail", "retry-mail"));
  await fx.redis.zadd(k.setOf("retry", "billing"), now() + 30, job("billing", "retry-billing"));
  await fx.redis.zadd(k.setOf("dead", "reports"), now() - 10, job("reports", "dead-reports"));
  await fx.redis.sadd(k.queues, "reports");
  await store.schedule([{ queue: "billing", raw: job("billing", "later"), at: now() + 3600 }]);
});

async function keyOf(set: "retry" | "dead" | "schedule", queue: string, jid: string): Promise<string> {
  const flat = await fx.redis.zrange(store.keys.setOf(set, queue), 0, -1, "WITHSCORES");
  for (let i = 0; i < flat.length; i += 2)
    if (JSON.parse(flat[i]!).jid === jid) return `${Number(flat[i + 1])}-${jid}`;
  throw new Error(`no ${jid} in ${queue}'s ${set}`);
}

describe("dashboard on a Redis Cluster", () => {
  it("renders the pages with every queue's jobs, merged over the shards", async () => {
    const pages: [string, string[]][] = [
      ["/", ["cluster"]],
      ["/queues", ["mail", "billing", "reports"]],
      ["/queues/billing", ["waiting-2"]],
      ["/retries", ["retry-mail", "retry-billing", "timeout retry-mail"]],
      ["/scheduled", ["later"]],
      ["/dead", ["dead-reports"]],
      ["/nodes", []],
      ["/metrics", []],
      ["/cron", []],
    ];
    for (const [path, texts] of pages) {
      const res = await fetch(`${url}${path}`);
      const body = await res.text();
      expect(res.status, path).toBe(200);
      for (const t of texts) expect(body, `${path} shows ${t}`).toContain(t);
    }
    const retries = await (await fetch(`${url}/retries`)).text();
    expect(retries.indexOf("retry-billing")).toBeLessThan(retries.indexOf("retry-mail")); // soonest first
    const summary = await (await fetch(`${url}/api/summary`)).json();
    expect(summary).toMatchObject({ retries: 2, scheduled: 1, dead: 1, enqueued: 2 });
    const detail = await fetch(
      `${url}/retries/${encodeURIComponent(await keyOf("retry", "mail", "retry-mail"))}`,
    );
    expect(detail.status).toBe(200);
    expect(await detail.text()).toContain("timeout retry-mail");
  });

  it("retries, kills and deletes entries of different queues through the actions", async () => {
    const page = await fetch(`${url}/retries`);
    const cookie = (page.headers.getSetCookie?.() ?? []).map((c) => c.split(";")[0]).join("; ");
    const token = /name="_csrf" value="([^"]+)"/.exec(await page.text())?.[1] ?? "";
    const post = (to: string, fields: Record<string, string | string[]>) => {
      const body = new URLSearchParams();
      for (const [k, v] of Object.entries({ _csrf: token, ...fields }))
        for (const one of Array.isArray(v) ? v : [v]) body.append(k, one);
      return fetch(`${url}${to}`, {
        method: "POST",
        body,
        redirect: "manual",
        headers: { cookie, "content-type": "application/x-www-form-urlencoded", origin: url },
      });
    };
    const retried = await post("/retries/action", {
      action: "retry",
      key: await keyOf("retry", "mail", "retry-mail"),
    });
    expect(retried.status).toBe(303);
    expect(
      (await fx.redis.lrange(store.keys.queue("mail"), 0, -1)).some((r) => r.includes("retry-mail")),
    ).toBe(true);
    const killed = await post("/retries/action", {
      action: "kill",
      key: await keyOf("retry", "billing", "retry-billing"),
    });
    expect(killed.status).toBe(303);
    expect(await fx.redis.zcard(store.keys.setOf("dead", "billing"))).toBe(1);
    const keys = [
      await keyOf("dead", "billing", "retry-billing"),
      await keyOf("dead", "reports", "dead-reports"),
    ];
    const deleted = await post("/dead/action", { action: "delete", key: keys, confirmed: "1" });
    expect(deleted.status).toBe(303);
    expect(await fx.redis.zcard(store.keys.setOf("dead", "billing"))).toBe(0);
    expect(await fx.redis.zcard(store.keys.setOf("dead", "reports"))).toBe(0);
    const enqueued = await post("/scheduled/action", {
      action: "enqueue",
      key: await keyOf("schedule", "billing", "later"),
    });
    expect(enqueued.status).toBe(303);
    expect(await fx.redis.llen(store.keys.queue("billing"))).toBe(2);
    expect((await post("/queues/mail/pause", {})).status).toBe(303);
    expect(await fx.redis.exists(store.keys.pauseFlag("mail").key)).toBe(1);
    expect((await post("/queues/mail/clear", { confirmed: "1" })).status).toBe(303);
    expect(await fx.redis.llen(store.keys.queue("mail"))).toBe(0);
  });
});
