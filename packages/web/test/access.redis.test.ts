import { createServer } from "node:http";
import type { AddressInfo } from "node:net";
import { useRedis } from "@verk/test-redis/vitest";
import express from "express";
import { afterEach, beforeEach, describe, expect, it } from "vitest";
import { createDashboard } from "../src/index.js";
import { startDashboard, type TestServer } from "./helpers.js";
import { JIDS, seed } from "./seed.js";

const fx = useRedis();
let servers: TestServer[] = [];
const start = async (options: Parameters<typeof startDashboard>[1]) => {
  const s = await startDashboard(fx.url, options);
  servers.push(s);
  return s;
};
beforeEach(async () => {
  const s = await start({});
  await seed(fx.redis, s.store);
});
afterEach(async () => {
  await Promise.all(servers.map((s) => s.close()));
  servers = [];
});

const ROUTES = [
  "/",
  "/queues",
  "/queues/default",
  "/nodes",
  "/retries",
  "/dead",
  "/scheduled",
  "/cron",
  "/metrics",
  "/assets/app.js",
  "/assets/uplot.css",
  "/live",
  "/api/summary",
];

describe("basic auth", () => {
  it("guards every route, assets and the live stream included", async () => {
    const s = await start({ basicAuth: { username: "ops", password: "s3cret:x" } });
    for (const path of ROUTES) {
      const res = await fetch(`${s.url}${path}`);
      expect(res.status, path).toBe(401);
      expect(res.headers.get("www-authenticate"), path).toContain("Basic");
      const wrong = await fetch(`${s.url}${path}`, {
        headers: { authorization: `Basic ${Buffer.from("ops:nope").toString("base64")}` },
      });
      expect(wrong.status, path).toBe(401);
    }
    const ok = await fetch(`${s.url}/`, {
      headers: { authorization: `Basic ${Buffer.from("ops:s3cret:x").toString("base64")}` },
    });
    expect(ok.status).toBe(200);
    const post = await fetch(`${s.url}/queues/default/clear`, { method: "POST", body: "confirmed=1" });
    expect(post.status).toBe(401);
    expect(await fx.redis.llen("queue:default")).toBe(12);
  });
});

describe("authorize(req, action)", () => {
  it("refuses every route when view is denied", async () => {
    const s = await start({ authorize: () => false });
    for (const path of ROUTES) expect((await fetch(`${s.url}${path}`)).status, path).toBe(403);
  });

  it("hides and refuses the actions it denies, per request", async () => {
    const seen: string[] = [];
    const s = await start({
      authorize: async (req, action) => {
        seen.push(action);
        return action === "view" || (action === "job.retry" && req.headers["x-role"] === "admin");
      },
    });
    const viewer = await (await fetch(`${s.url}/retries`)).text();
    expect(viewer).not.toContain("Retry now");
    expect(viewer).not.toContain('name="key"');
    const adminRes = await fetch(`${s.url}/retries`, { headers: { "x-role": "admin" } });
    const admin = await adminRes.text();
    expect(admin).toContain("Retry now selected");
    expect(admin).not.toContain("Delete selected");
    expect(seen).toContain("job.delete");
    const cookie = (adminRes.headers.getSetCookie?.() ?? []).map((c) => c.split(";")[0]).join("; ");
    const token = /name="_csrf" value="([^"]+)"/.exec(admin)![1]!;
    const flat = await fx.redis.zrange("retry", 0, 0, "WITHSCORES");
    const key = `${Number(flat[1])}-${JSON.parse(flat[0]!).jid}`;
    const post = (action: string, role: string) =>
      fetch(`${s.url}/retries/action`, {
        method: "POST",
        redirect: "manual",
        headers: { cookie, "x-role": role, "content-type": "application/x-www-form-urlencoded" },
        body: new URLSearchParams({ _csrf: token, action, key }),
      });
    expect((await post("delete", "admin")).status).toBe(403);
    expect((await post("retry", "viewer")).status).toBe(403);
    expect(await fx.redis.zcard("retry")).toBe(3);
    expect((await post("retry", "admin")).status).toBe(303);
    expect(await fx.redis.zcard("retry")).toBe(2);
  });
});

describe("read-only", () => {
  it("shows no action and refuses every POST", async () => {
    const s = await start({ readOnly: true });
    for (const path of ["/queues", "/queues/default", "/retries", "/dead", "/scheduled", "/nodes"]) {
      const body = await (await fetch(`${s.url}${path}`)).text();
      expect(body, path).not.toMatch(/<form method="post"/);
      expect(body, path).toContain("read-only");
    }
    for (const [path, body] of [
      ["/queues/default/clear", "confirmed=1"],
      ["/queues/default/pause", ""],
      ["/retries/action", `action=delete&all=1&confirmed=1`],
      ["/nodes/stop", "all=1&confirmed=1"],
    ] as const) {
      const res = await fetch(`${s.url}${path}`, {
        method: "POST",
        body,
        headers: { "content-type": "application/x-www-form-urlencoded" },
      });
      expect(res.status, path).toBe(403);
    }
    expect(await fx.redis.llen("queue:default")).toBe(12);
    expect(await fx.redis.zcard("retry")).toBe(3);
    expect(await fx.redis.exists("web-1:4242:abcdef-signals")).toBe(0);
  });
});

describe("mounting", () => {
  it("works under Express with app.use(path) (base from req.baseUrl), with a body parser, and calls next() outside", async () => {
    const dashboard = createDashboard({ redisUrl: fx.url });
    const app = express();
    app.use(express.urlencoded({ extended: false }));
    app.use("/admin/jobs", dashboard);
    app.get("/health", (_req, res) => {
      res.send("ok");
    });
    const server = createServer(app);
    await new Promise<void>((r) => server.listen(0, "127.0.0.1", r));
    const origin = `http://127.0.0.1:${(server.address() as AddressInfo).port}`;
    try {
      const page = await fetch(`${origin}/admin/jobs/queues`);
      const text = await page.text();
      expect(page.status).toBe(200);
      expect(text).toContain('href="/admin/jobs/queues/default"');
      expect(text).toContain('src="/admin/jobs/assets/app.js');
      expect((await fetch(`${origin}/admin/jobs/assets/app.js`)).status).toBe(200);
      expect(await (await fetch(`${origin}/health`)).text()).toBe("ok");
      const cookie = (page.headers.getSetCookie?.() ?? []).map((c) => c.split(";")[0]).join("; ");
      expect(page.headers.getSetCookie?.()[0]).toContain("Path=/admin/jobs");
      const token = /name="_csrf" value="([^"]+)"/.exec(text)![1]!;
      const res = await fetch(`${origin}/admin/jobs/queues/default/delete`, {
        method: "POST",
        redirect: "manual",
        headers: { cookie, "content-type": "application/x-www-form-urlencoded" },
        body: new URLSearchParams({ _csrf: token, jid: JIDS.queued }),
      });
      expect(res.status).toBe(303);
      expect(res.headers.get("location")).toBe("/admin/jobs/queues/default");
      expect(await fx.redis.llen("queue:default")).toBe(11);
    } finally {
      server.closeAllConnections();
      await new Promise<void>((r) => server.close(() => r()));
      await dashboard.close();
    }
  });

  it("works under node:http with a basePath and answers 404 outside it", async () => {
    const s = await start({ basePath: "/ops/verk/" });
    expect(s.url.endsWith("/ops/verk/")).toBe(true);
    const root = new URL(s.url).origin;
    expect((await fetch(`${root}/ops/verk`)).status).toBe(200);
    const dead = await (await fetch(`${root}/ops/verk/dead`)).text();
    expect(dead).toContain('href="/ops/verk/retries"');
    expect((await fetch(`${root}/elsewhere`)).status).toBe(404);
  });

  it("rejects bad options with a typed error naming them", () => {
    expect(() => createDashboard({ redisUrl: fx.url, readonly: true } as never)).toThrow(/readOnly/);
    expect(() => createDashboard({ basePath: "no slash" })).toThrow(/basePath/);
    expect(() => createDashboard({ basicAuth: { username: "", password: "x" } })).toThrow(/basicAuth/);
    let error: unknown;
    try {
      createDashboard({ refreshMs: -1 });
    } catch (e) {
      error = e;
    }
    expect(error).toMatchObject({ code: "INVALID_OPTION" });
  });
});
