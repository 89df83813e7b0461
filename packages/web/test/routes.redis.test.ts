import { useRedis } from "@verk/test-redis/vitest";
import { afterAll, beforeAll, beforeEach, describe, expect, it } from "vitest";
import { startDashboard, type TestServer } from "./helpers.js";
import { JIDS, seed, XSS_ARG, XSS_SCRIPT } from "./seed.js";

const fx = useRedis();
let srv: TestServer;

beforeAll(async () => {
  srv = await startDashboard(fx.url, { basePath: "/admin/jobs" });
});
afterAll(async () => {
  await srv?.close();
});
beforeEach(async () => {
  await seed(fx.redis, srv.store);
});

/** A browser-like session: keeps the CSRF cookie and reads the token from a page. */
async function session(path = "/") {
  const res = await fetch(`${srv.url}${path}`);
  const cookie = (res.headers.getSetCookie?.() ?? []).map((c) => c.split(";")[0]).join("; ");
  const text = await res.text();
  const token = /name="_csrf" value="([^"]+)"/.exec(text)?.[1] ?? "";
  const post = (
    to: string,
    fields: Record<string, string | string[]>,
    headers: Record<string, string> = {},
  ) => {
    const body = new URLSearchParams();
    for (const [k, v] of Object.entries({ _csrf: token, ...fields }))
      for (const one of Array.isArray(v) ? v : [v]) body.append(k, one);
    return fetch(`${new URL(srv.url).origin}${to}`, {
      method: "POST",
      body,
      redirect: "manual",
      headers: {
        cookie,
        "content-type": "application/x-www-form-urlencoded",
        origin: new URL(srv.url).origin,
        ...headers,
      },
    });
  };
  return { res, text, cookie, token, post };
}

async function keyOf(set: string, jid: string): Promise<string> {
  const flat = await fx.redis.zrange(set, 0, -1, "WITHSCORES");
  for (let i = 0; i < flat.length; i += 2)
    if (JSON.parse(flat[i]!).jid === jid) return `${Number(flat[i + 1])}-${jid}`;
  throw new Error(`no ${jid} in ${set}`);
}

describe("pages", () => {
  it("render every page with the data in Redis, all job data escaped", async () => {
    const pages: [string, string[]][] = [
      ["/", ["12,345", "321", "Redis", "web-1:4242:abcdef"]],
      ["/?range=1h", ["per minute"]],
      ["/queues", ["default", "mailers", "paused", "Limited", "Expired", "Duplicates"]],
      ["/queues/default", [JIDS.queued, "Run order"]],
      ["/queues/default?q=ada&class=SendEmail", ["Searched jobs 1–12 of 12", "1 match"]],
      ["/nodes", ["web-1:4242:abcdef", "Export", "Running jobs"]],
      ["/retries", [JIDS.retryA, "TimeoutError: SMTP timeout after 30 s"]],
      ["/retries?class=Report", ["Searched entries", "1 match"]],
      ["/scheduled", ["Reminder"]],
      ["/dead", ["Charge"]],
      ["/cron", ["nightly", "0 3 * * *", "NightlyReport"]],
      ["/metrics", ["SendEmail", "Newsletter", "By queue"]],
      ["/metrics?minutes=15&queue=mailers", ["Newsletter"]],
    ];
    for (const [path, texts] of pages) {
      const res = await fetch(`${srv.url}${path}`);
      const body = await res.text();
      expect(res.status, path).toBe(200);
      expect(res.headers.get("content-security-policy"), path).toContain("script-src 'self'");
      for (const t of texts) expect(body, `${path} shows ${t}`).toContain(t);
      expect(body, path).not.toContain(XSS_ARG);
      expect(body, path).not.toContain(XSS_SCRIPT);
      expect(body, path).not.toMatch(/<script>window/);
    }
    const retries = await (await fetch(`${srv.url}/retries`)).text();
    expect(retries).toContain("&lt;img src=x onerror=&quot;window.__pwned=1&quot;&gt;");
  });

  it("shows a job with its decoded backtrace and pretty payload; 404 when gone", async () => {
    const key = await keyOf("retry", JIDS.retryA);
    const res = await fetch(`${srv.url}/retries/${encodeURIComponent(key)}`);
    const body = await res.text();
    expect(res.status).toBe(200);
    expect(body).toContain("at send (mailer.js:10:5)");
    expect(body).toContain("at perform (worker.js:3:9)");
    expect(body).toContain("Retry count");
    expect(body).toContain("&quot;ada@example.com&quot;");
    const gone = await fetch(`${srv.url}/retries/${encodeURIComponent(`1-${JIDS.retryA}`)}`);
    expect(gone.status).toBe(404);
    const partial = await fetch(`${srv.url}/retries`, { headers: { "x-verk-partial": "1" } });
    const fragment = await partial.text();
    expect(fragment.startsWith('<div id="main-inner"')).toBe(true);
    expect(fragment).not.toContain("<html");
  });

  it("serves assets, the summary and the live stream", async () => {
    const js = await fetch(`${srv.url}/assets/app.js`);
    expect(js.status).toBe(200);
    expect(js.headers.get("content-type")).toContain("javascript");
    const etag = js.headers.get("etag")!;
    expect((await fetch(`${srv.url}/assets/app.js`, { headers: { "if-none-match": etag } })).status).toBe(
      304,
    );
    expect((await fetch(`${srv.url}/assets/uplot.js`)).status).toBe(200);
    expect((await fetch(`${srv.url}/assets/nope.js`)).status).toBe(404);
    const summary = await (await fetch(`${srv.url}/api/summary`)).json();
    expect(summary).toMatchObject({
      processed: 12345,
      failed: 321,
      retries: 3,
      scheduled: 1,
      dead: 2,
      enqueued: 14,
      busy: 1,
    });
    const controller = new AbortController();
    const live = await fetch(`${srv.url}/live?interval=1000`, { signal: controller.signal });
    expect(live.headers.get("content-type")).toContain("text/event-stream");
    const reader = live.body!.getReader();
    let text = "";
    while (!text.includes("event: summary")) text += new TextDecoder().decode((await reader.read()).value);
    expect(text).toContain('"processed":12345');
    controller.abort();
  });
});

describe("actions", () => {
  it("retry now, kill and delete a selection; several deletes ask first", async () => {
    const s = await session("/retries");
    const a = await keyOf("retry", JIDS.retryA);
    const b = await keyOf("retry", JIDS.retryB);
    const retried = await s.post("/admin/jobs/retries/action", {
      action: "retry",
      key: a,
      back: "/admin/jobs/retries",
    });
    expect(retried.status).toBe(303);
    expect(retried.headers.get("location")).toBe("/admin/jobs/retries");
    expect((await fx.redis.lrange("queue:default", 0, 0))[0]).toContain(JIDS.retryA);
    const killed = await s.post("/admin/jobs/retries/action", { action: "kill", key: b });
    expect(killed.status).toBe(303);
    expect((await fx.redis.zrange("dead", 0, -1)).some((r) => r.includes(JIDS.retryB))).toBe(true);
    const keys = [await keyOf("dead", JIDS.dead), await keyOf("dead", JIDS.deadXss)];
    const ask = await s.post("/admin/jobs/dead/action", { action: "delete", key: keys });
    expect(ask.status).toBe(200);
    expect(await ask.text()).toContain("Delete 2 selected dead jobs?");
    expect(await fx.redis.zcard("dead")).toBe(3);
    const deleted = await s.post("/admin/jobs/dead/action", { action: "delete", key: keys, confirmed: "1" });
    expect(deleted.status).toBe(303);
    expect((await fx.redis.zrange("dead", 0, -1)).map((r) => JSON.parse(r).jid)).toEqual([JIDS.retryB]);
    const flash = await fetch(`${srv.url}/dead`, {
      headers: { cookie: `${s.cookie}; verk_flash=${encodeURIComponent("deleted 2 of 2 selected.")}` },
    });
    expect(await flash.text()).toContain("deleted 2 of 2 selected.");
  });

  it("acts on everything matching a filter after confirmation; enqueue-now a scheduled job", async () => {
    const s = await session("/retries");
    const ask = await s.post("/admin/jobs/retries/action", {
      action: "delete",
      all: "1",
      class: "SendEmail",
    });
    expect(ask.status).toBe(200);
    expect(await fx.redis.zcard("retry")).toBe(3);
    const done = await s.post("/admin/jobs/retries/action", {
      action: "delete",
      all: "1",
      class: "SendEmail",
      confirmed: "1",
    });
    expect(done.status).toBe(303);
    expect((await fx.redis.zrange("retry", 0, -1)).map((r) => JSON.parse(r).jid)).toEqual([JIDS.retryB]);
    const key = await keyOf("schedule", JIDS.scheduled);
    expect((await s.post("/admin/jobs/scheduled/action", { action: "enqueue", key })).status).toBe(303);
    expect(await fx.redis.zcard("schedule")).toBe(0);
    expect((await fx.redis.lrange("queue:default", 0, 0))[0]).toContain(JIDS.scheduled);
    const bad = await s.post("/admin/jobs/dead/action", { action: "kill", key: "1-x" });
    expect(bad.status).toBe(400);
    await fx.redis.zadd(
      "schedule",
      Date.now() / 1000 + 60,
      '{"class":"Later","args":[],"jid":"s2","queue":"low"}',
    );
    expect(
      (await s.post("/admin/jobs/scheduled/action", { action: "kill", key: await keyOf("schedule", "s2") }))
        .status,
    ).toBe(303);
    expect((await fx.redis.zrange("dead", 0, -1)).some((r) => r.includes('"s2"'))).toBe(true);
    const dead = await keyOf("dead", JIDS.dead);
    expect((await s.post("/admin/jobs/dead/action", { action: "retry", key: dead })).status).toBe(303);
    expect((await fx.redis.lrange("queue:default", 0, -1)).some((r) => r.includes(JIDS.dead))).toBe(true);
  });

  it("pauses, resumes, clears (after confirmation) a queue and deletes one waiting job", async () => {
    const s = await session("/queues");
    expect((await s.post("/admin/jobs/queues/default/pause", {})).status).toBe(303);
    expect(await fx.redis.sismember("verk:paused", "default")).toBe(1);
    expect((await s.post("/admin/jobs/queues/default/resume", {})).status).toBe(303);
    expect(await fx.redis.sismember("verk:paused", "default")).toBe(0);
    expect(
      (await s.post("/admin/jobs/queues/default/delete", { jid: JIDS.queued, position: "0" })).status,
    ).toBe(303);
    expect((await fx.redis.lrange("queue:default", 0, -1)).some((r) => r.includes(JIDS.queued))).toBe(false);
    expect(await fx.redis.llen("queue:default")).toBe(11);
    const ask = await s.post("/admin/jobs/queues/default/clear", {});
    expect(ask.status).toBe(200);
    expect(await ask.text()).toContain("Delete all 11 waiting jobs of queue default?");
    expect(await fx.redis.llen("queue:default")).toBe(11);
    expect((await s.post("/admin/jobs/queues/default/clear", { confirmed: "1" })).status).toBe(303);
    expect(await fx.redis.exists("queue:default")).toBe(0);
    expect((await s.post("/admin/jobs/queues/nosuch/pause", {})).status).toBe(404);
  });

  it("quiets and stops processes through <identity>-signals", async () => {
    const s = await session("/nodes");
    expect((await s.post("/admin/jobs/nodes/quiet", { identity: "web-1:4242:abcdef" })).status).toBe(303);
    const ask = await s.post("/admin/jobs/nodes/stop", { all: "1" });
    expect(await ask.text()).toContain("Stop every live process?");
    expect(await fx.redis.llen("web-1:4242:abcdef-signals")).toBe(1);
    expect((await s.post("/admin/jobs/nodes/stop", { all: "1", confirmed: "1" })).status).toBe(303);
    expect(await fx.redis.lrange("web-1:4242:abcdef-signals", 0, -1)).toEqual(["TERM", "TSTP"]);
    expect((await s.post("/admin/jobs/nodes/stop", { identity: "web-1:4242:abcdef" })).status).toBe(303);
    expect(await fx.redis.lrange("web-1:4242:abcdef-signals", 0, 0)).toEqual(["TERM"]);
  });
});

describe("security", () => {
  it("refuses POSTs without a valid token, from another origin or another site, changing nothing", async () => {
    const s = await session("/retries");
    const key = await keyOf("retry", JIDS.retryA);
    const noToken = await s.post("/admin/jobs/retries/action", { action: "delete", key, _csrf: "" });
    expect(noToken.status).toBe(403);
    const forged = await s.post("/admin/jobs/retries/action", { action: "delete", key, _csrf: "forged" });
    expect(forged.status).toBe(403);
    const otherOrigin = await s.post(
      "/admin/jobs/retries/action",
      { action: "delete", key },
      { origin: "http://evil.example" },
    );
    expect(otherOrigin.status).toBe(403);
    const crossSite = await s.post(
      "/admin/jobs/retries/action",
      { action: "delete", key },
      { "sec-fetch-site": "cross-site" },
    );
    expect(crossSite.status).toBe(403);
    const noCookie = await fetch(`${srv.url}/retries/action`, {
      method: "POST",
      body: new URLSearchParams({ action: "delete", key, _csrf: s.token }),
    });
    expect(noCookie.status).toBe(403);
    expect(await fx.redis.zcard("retry")).toBe(3);
    expect((await fetch(`${srv.url}/retries/action`, { method: "PUT" })).status).toBe(405);
  });
});
