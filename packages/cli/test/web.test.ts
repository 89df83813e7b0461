import { describe, expect, it } from "vitest";
import { useCli, waitFor } from "./helpers.js";

const { start, redis, run } = useCli();

describe("verk web", () => {
  it("serves the dashboard with basic auth and read-only, and stops on SIGTERM", async () => {
    await redis().lpush("queue:default", '{"class":"Hello","args":[],"jid":"j1","queue":"default"}');
    await redis().sadd("queues", "default");
    const web = start(["web", "--port", "0", "--read-only", "--json"], {
      env: { VERK_WEB_BASIC_AUTH: "ops:pw" },
    });
    let url = "";
    await waitFor(() => {
      const m = /"url": "([^"]+)"/.exec(web.output());
      url = m?.[1] ?? "";
      return url !== "";
    }, 15_000);
    expect(url).toMatch(/^http:\/\/127\.0\.0\.1:\d+\/$/);
    expect((await fetch(`${url}queues`)).status).toBe(401);
    const auth = { authorization: `Basic ${Buffer.from("ops:pw").toString("base64")}` };
    const page = await fetch(`${url}queues/default`, { headers: auth });
    const html = await page.text();
    expect(page.status).toBe(200);
    expect(html).toContain("j1");
    expect(html).toContain("read-only");
    const post = await fetch(`${url}queues/default/clear`, {
      method: "POST",
      headers: auth,
      body: "confirmed=1",
    });
    expect(post.status).toBe(403);
    expect(await redis().llen("queue:default")).toBe(1);
    web.child.kill("SIGTERM");
    expect(await web.exited).toBe(0);
    const bad = await run(["web", "--basic-auth", "nocolon"]);
    expect(bad.code).toBe(2);
    expect(bad.stderr).toContain('--basic-auth must look like "user:password"');
  });
});
