import { createServer, type Server } from "node:http";
import type { AddressInfo } from "node:net";
import { until, useRedis } from "@verk/test-redis/vitest";
import type { BrowserContext, Page } from "playwright-core";
import { afterAll, beforeAll, beforeEach, describe, expect, inject, it } from "vitest";
import { launchBrowser, startDashboard, type TestServer } from "./helpers.js";
import { JIDS, seed, XSS_ARG, XSS_SCRIPT } from "./seed.js";

const chromium = inject("chromium");
const fx = useRedis();
let browser: Awaited<ReturnType<typeof launchBrowser>> | undefined;
let context: BrowserContext;
let srv: TestServer;
let locked: TestServer;
let attacker: Server;
let attackerUrl = "";
const AUTH = `Basic ${Buffer.from("ops:pw").toString("base64")}`;

beforeAll(async () => {
  if (!chromium) return;
  browser = await launchBrowser(chromium);
  context = browser.context;
  context.setDefaultTimeout(10_000);
  srv = await startDashboard(fx.url, { basePath: "/jobs", refreshMs: 2_000 });
  locked = await startDashboard(fx.url, { readOnly: true, basicAuth: { username: "ops", password: "pw" } });
  // A page on another site that tries to clear a queue with a form posted to the dashboard.
  attacker = createServer((_req, res) => {
    res.writeHead(200, { "content-type": "text/html" });
    res.end(`<form id="f" method="post" action="${srv.url}/queues/default/clear">
<input type="hidden" name="confirmed" value="1"><input type="hidden" name="_csrf" value="guess"></form>
<script>document.getElementById("f").submit()</script>`);
  });
  await new Promise<void>((r) => attacker.listen(0, "127.0.0.1", r));
  attackerUrl = `http://localhost:${(attacker.address() as AddressInfo).port}/`;
});
afterAll(async () => {
  await browser?.close();
  await srv?.close();
  await locked?.close();
  attacker?.closeAllConnections();
  await new Promise<void>((r) => (attacker ? attacker.close(() => r()) : r()));
});
beforeEach(async () => {
  if (chromium) await seed(fx.redis, srv.store);
});

/** A new page that records console errors and uncaught exceptions; accepts confirm() dialogs. */
async function open(path: string, server = srv): Promise<{ page: Page; errors: string[] }> {
  const page = await context.newPage();
  const errors: string[] = [];
  page.on("console", (m) => {
    if (m.type() === "error") errors.push(m.text());
  });
  page.on("pageerror", (e) => errors.push(String(e)));
  page.on("dialog", (d) => void d.accept());
  await page.goto(`${server.url}${path}`);
  return { page, errors };
}

describe.skipIf(!chromium)("in headless Chromium", () => {
  it("every page renders with no console error; the overview shows the numbers in Redis", async () => {
    const { page, errors } = await open("/");
    await page.waitForSelector(".chart .uplot");
    expect(await page.textContent('.stats [data-live="processed"]')).toBe("12,345");
    expect(await page.textContent('.stats [data-live="failed"]')).toBe("321");
    expect(await page.textContent('.stats [data-live="retries"]')).toBe("3");
    expect(await page.textContent('.stats [data-live="dead"]')).toBe("2");
    for (const path of [
      "/?range=1h",
      "/queues",
      "/queues/default",
      "/nodes",
      "/retries",
      "/scheduled",
      "/dead",
      "/cron",
      "/metrics",
    ]) {
      await page.goto(`${srv.url}${path}`);
      await page.waitForLoadState("load");
      expect(await page.locator("h1").count(), path).toBe(1);
    }
    await page.waitForSelector("#durations .uplot");
    expect(errors).toEqual([]);
    await page.close();
  });

  it("job data with <img onerror> and <script> is shown as text and nothing runs", async () => {
    const flat = await fx.redis.zrange("retry", 0, -1, "WITHSCORES");
    const i = flat.findIndex((m) => m.includes(JIDS.retryXss));
    const key = `${Number(flat[i + 1])}-${JIDS.retryXss}`;
    const { page, errors } = await open("/retries");
    for (const path of [
      "/retries",
      `/retries/${encodeURIComponent(key)}`,
      "/dead",
      "/queues/mailers",
      "/nodes",
    ]) {
      await page.goto(`${srv.url}${path}`);
      await page.waitForLoadState("load");
      expect(await page.evaluate(() => (window as { __pwned?: number }).__pwned), path).toBeUndefined();
      expect(await page.locator('img[src="x"]').count(), path).toBe(0);
      const text = await page.textContent("main");
      expect(text!.includes("<img src=x onerror=") || text!.includes(XSS_SCRIPT), path).toBe(true);
    }
    await page.goto(`${srv.url}/retries/${encodeURIComponent(key)}`);
    expect(await page.textContent(".error-message")).toBe(`bad input ${XSS_ARG} ${XSS_SCRIPT}`);
    expect(errors).toEqual([]);
    await page.close();
  });

  it("retry now, kill and delete through the UI change Redis", async () => {
    const { page, errors } = await open("/retries");
    await page.check(`tr[data-jid="${JIDS.retryA}"] input[name="key"]`);
    await page.click('button[value="retry"]:has-text("selected")');
    await page.waitForSelector(".flash");
    expect(await page.textContent(".flash")).toContain("retried 1 of 1 selected");
    expect((await fx.redis.lrange("queue:default", 0, 0))[0]).toContain(JIDS.retryA);
    await page.check(`tr[data-jid="${JIDS.retryB}"] input[name="key"]`);
    await page.check(`tr[data-jid="${JIDS.retryXss}"] input[name="key"]`);
    await page.click('button[value="kill"]:has-text("selected")');
    await page.waitForSelector("#confirm");
    expect(await page.textContent(".question")).toBe("Kill 2 selected retrys?");
    expect(await fx.redis.zcard("dead")).toBe(2);
    await page.click("#confirm");
    await page.waitForSelector(".flash");
    expect(await fx.redis.zcard("retry")).toBe(0);
    expect(await fx.redis.zcard("dead")).toBe(4);
    await page.goto(`${srv.url}/dead`);
    await page.click(`tr[data-jid="${JIDS.dead}"] a`);
    await page.waitForSelector(".backtrace");
    expect(await page.textContent(".backtrace")).toContain("at send (mailer.js:10:5)");
    await page.click('form[data-confirm] button:has-text("Delete")'); // confirm() accepted
    await page.waitForSelector(".flash");
    expect((await fx.redis.zrange("dead", 0, -1)).some((m) => m.includes(JIDS.dead))).toBe(false);
    expect(errors).toEqual([]);
    await page.close();
  });

  it("pause and clear a queue through the UI", async () => {
    const { page, errors } = await open("/queues");
    await page.click('tr[data-queue="default"] button:has-text("Pause")');
    await page.waitForSelector(".flash");
    expect(await fx.redis.sismember("verk:paused", "default")).toBe(1);
    expect(await page.locator('tr[data-queue="default"] .pill.warn').textContent()).toBe("paused");
    await page.goto(`${srv.url}/queues/mailers`);
    await page.click('button:has-text("Clear queue")');
    await page.waitForSelector("#confirm");
    expect(await fx.redis.llen("queue:mailers")).toBe(1);
    await page.click("#confirm");
    await page.waitForSelector(".flash");
    expect(await fx.redis.exists("queue:mailers")).toBe(0);
    expect(errors).toEqual([]);
    await page.close();
  });

  it("a cross-site POST is refused with 403 and changes nothing", async () => {
    const { page } = await open("/queues"); // the browser holds the dashboard's CSRF cookie
    const refused = page.waitForResponse((r) => r.url().endsWith("/queues/default/clear"));
    await page.goto(attackerUrl);
    expect((await refused).status()).toBe(403);
    expect(await fx.redis.llen("queue:default")).toBe(12);
    await page.close();
  });

  it("updates live without a reload, pauses while the tab is hidden; fits a phone; dark mode", async () => {
    const { page, errors } = await open("/");
    await page.waitForFunction(() => document.getElementById("live-status")?.textContent?.startsWith("live"));
    await fx.redis.set("stat:processed", "99999");
    await page.waitForFunction(
      () => document.querySelector('.stats [data-live="processed"]')?.textContent === "99,999",
      null,
      { timeout: 10_000 },
    );
    await page.evaluate(() => {
      Object.defineProperty(document, "visibilityState", { configurable: true, get: () => "hidden" });
      document.dispatchEvent(new Event("visibilitychange"));
    });
    expect(await page.textContent("#live-status")).toBe("paused (tab hidden)");
    await page.evaluate(() => {
      Object.defineProperty(document, "visibilityState", { configurable: true, get: () => "visible" });
      document.dispatchEvent(new Event("visibilitychange"));
    });
    await page.waitForFunction(() => document.getElementById("live-status")?.textContent?.startsWith("live"));
    await page.setViewportSize({ width: 390, height: 844 });
    for (const path of ["/", "/retries", "/queues/default", "/metrics"]) {
      await page.goto(`${srv.url}${path}`);
      await page.waitForLoadState("load");
      const overflow = await page.evaluate(() => document.documentElement.scrollWidth - window.innerWidth);
      expect(overflow, path).toBeLessThanOrEqual(1);
    }
    await page.emulateMedia({ colorScheme: "dark" });
    const dark = await page.evaluate(() => getComputedStyle(document.body).backgroundColor);
    await page.click("#theme"); // auto → light
    const light = await page.evaluate(() => getComputedStyle(document.body).backgroundColor);
    expect(dark).toBe("rgb(15, 19, 28)");
    expect(light).toBe("rgb(246, 247, 251)");
    expect(errors).toEqual([]);
    await page.close();
  });

  it("basic auth and read-only work in the browser", async () => {
    const page = await context.newPage();
    // Headless Chromium cannot show the login prompt: it reports the 401 as a failed navigation.
    const denied = page.waitForResponse((r) => r.url().endsWith("/retries"));
    await page.goto(`${locked.url}/retries`).catch(() => {});
    expect((await denied).status()).toBe(401);
    await page.setExtraHTTPHeaders({ authorization: AUTH });
    const ok = await page.goto(`${locked.url}/retries`);
    expect(ok?.status()).toBe(200);
    expect(await page.textContent(".top .pill")).toBe("read-only");
    expect(await page.locator('form[method="post"]').count()).toBe(0);
    expect(await page.locator('input[name="key"]').count()).toBe(0);
    await page.goto(`${locked.url}/queues`);
    expect(
      await page
        .locator("button")
        .filter({ hasText: /Pause|Clear/ })
        .count(),
    ).toBe(0);
    await page.close();
    await until(async () => (await fx.redis.zcard("retry")) === 3, 1_000, "nothing changed");
  });
});
