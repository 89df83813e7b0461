import { mkdirSync } from "node:fs";
import { fileURLToPath } from "node:url";
import { useRedis } from "@verk/test-redis/vitest";
import { expect, inject, it } from "vitest";
import { launchBrowser, startDashboard } from "../test/helpers.js";
import { seed } from "../test/seed.js";

const fx = useRedis();
const OUT = fileURLToPath(new URL("../docs/screenshots/", import.meta.url));

it("takes the README screenshots", async () => {
  const chromium = inject("chromium");
  expect(chromium, "Chromium is needed for the screenshots").not.toBe("");
  mkdirSync(OUT, { recursive: true });
  const srv = await startDashboard(fx.url, { refreshMs: 0 });
  await seed(fx.redis, srv.store);
  const browser = await launchBrowser(chromium);
  try {
    const page = await browser.context.newPage();
    await page.setViewportSize({ width: 1280, height: 860 });
    const flat = await fx.redis.zrange("retry", 0, 0, "WITHSCORES");
    const key = `${Number(flat[1])}-${JSON.parse(flat[0]!).jid}`;
    const shots: [string, string, boolean][] = [
      ["overview", "/", false],
      ["queues", "/queues", false],
      ["queue", "/queues/default", false],
      ["nodes", "/nodes", false],
      ["retries", "/retries", false],
      ["job", `/retries/${encodeURIComponent(key)}`, true],
      ["dead", "/dead", false],
      ["metrics", "/metrics?minutes=60", true],
      ["cron", "/cron", false],
    ];
    for (const [name, path, full] of shots) {
      await page.goto(`${srv.url}${path}`);
      await page.waitForLoadState("load");
      if (await page.locator(".chart").count()) await page.waitForSelector(".chart .uplot");
      await page.screenshot({ path: `${OUT}${name}.png`, fullPage: full });
    }
    await page.emulateMedia({ colorScheme: "dark" });
    await page.goto(`${srv.url}/`);
    await page.waitForSelector(".chart .uplot");
    await page.screenshot({ path: `${OUT}overview-dark.png` });
    await page.setViewportSize({ width: 390, height: 844 });
    await page.emulateMedia({ colorScheme: "light" });
    await page.goto(`${srv.url}/retries`);
    await page.waitForLoadState("load");
    await page.screenshot({ path: `${OUT}retries-phone.png` });
  } finally {
    await browser.close();
    await srv.close();
  }
});
