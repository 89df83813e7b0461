import { defineWorker, type JobPayload } from "@verk/core";
import { describe, expect, it } from "vitest";
import { SIDEKIQ, useInterop } from "./fixture.js";
import { startWeb, waitFor } from "./harness.js";

class InteropError extends Error {
  override name = "InteropError";
}

/** A tiny browser: keeps the session cookie and reads CSRF tokens from pages. */
function browser(base: string) {
  let cookie = "";
  const keep = (res: Response) => {
    const set = res.headers.getSetCookie?.() ?? [];
    if (set.length > 0) cookie = set.map((c) => c.split(";")[0]).join("; ");
  };
  return {
    async get(path: string): Promise<string> {
      const res = await fetch(base + path, { headers: { cookie } });
      keep(res);
      expect(res.status, `GET ${path}`).toBe(200);
      return res.text();
    },
    async post(path: string, form: Record<string, string>): Promise<Response> {
      const res = await fetch(base + path, {
        method: "POST",
        redirect: "manual",
        headers: { cookie, "content-type": "application/x-www-form-urlencoded" },
        body: new URLSearchParams(form).toString(),
      });
      keep(res);
      return res;
    },
  };
}

function csrfToken(html: string): string {
  const match = /name=['"]authenticity_token['"] value=['"]([^'"]+)['"]/.exec(html);
  if (!match?.[1]) throw new Error("no authenticity_token on the page");
  return match[1];
}

describe.skipIf(!SIDEKIQ)("case 6: Sidekiq Web shows Verk's data and its retry-all works", () => {
  const ctx = useInterop();

  it("renders Busy, Queues, Retries, Scheduled and Dead with Verk's entries; retry-all sends them back to Verk", async () => {
    const web = ctx.track(await startWeb(ctx.url));
    let release!: () => void;
    const gate = new Promise<void>((resolve) => {
      release = resolve;
    });
    let failing = true;
    const ran: JobPayload[] = [];
    const workers = [
      defineWorker("InteropSlowJob", async () => {
        await gate;
      }),
      defineWorker("InteropFailJob", function () {
        ran.push(this.job);
        if (failing) throw new InteropError(`web failure ${this.job.args[0]}`);
      }),
    ];
    // Sidekiq 6.4.1's Busy page reads <id>:workers (the 6.4.2+ name is the default <id>:work).
    const verk = ctx.node({ queues: { busy: 1, interop: 2 }, workers }, { sidekiqWorkersKey: "workers" });
    const waiting = await verk.enqueue({ class: "WaitingJob", queue: "waiting", args: ["waits", 42] });
    await verk.enqueue({
      class: "ActiveJob::QueueAdapters::SidekiqAdapter::JobWrapper",
      wrapped: "MyActiveJob",
      queue: "waiting",
      args: [{ job_class: "MyActiveJob", arguments: [1] }],
    });
    const scheduled = await verk.schedule(
      { class: "LaterJob", queue: "waiting", args: ["later"] },
      Date.now() + 3_600_000,
    );
    await verk.enqueue({ class: "InteropSlowJob", queue: "busy", args: ["running"] });
    const retried = await verk.enqueue({ class: "InteropFailJob", queue: "interop", args: ["r1"] });
    const dead = await verk.enqueue({ class: "InteropFailJob", queue: "interop", args: ["d1"], retry: 0 });
    await verk.start();
    await waitFor(
      async () => (await ctx.redis.zcard("retry")) === 1 && (await ctx.redis.zcard("dead")) === 1,
    );
    await waitFor(async () => (await ctx.redis.hlen(`${verk.nodeId}:workers`)) === 1);

    const ui = browser(web.url);
    const busy = await ui.get("/busy");
    expect(busy).toContain(verk.nodeId);
    expect(busy).toContain("interop");
    expect(busy).toContain("InteropSlowJob");
    expect(busy).toContain("running");
    expect(busy).toContain("verk");

    const queues = await ui.get("/queues");
    expect(queues).toContain("/queues/waiting");
    const queue = await ui.get("/queues/waiting");
    expect(queue).toContain("WaitingJob");
    expect(queue).toContain(waiting);
    expect(queue).toContain("MyActiveJob");

    const retries = await ui.get("/retries");
    expect(retries).toContain(retried);
    expect(retries).toContain("InteropError");
    expect(retries).toContain("web failure r1");

    const sched = await ui.get("/scheduled");
    expect(sched).toContain(scheduled);
    expect(sched).toContain("LaterJob");

    const morgue = await ui.get("/morgue");
    expect(morgue).toContain(dead);
    expect(morgue).toContain("web failure d1");

    const stats = JSON.parse(await ui.get("/stats")) as { sidekiq: Record<string, number> };
    expect(stats.sidekiq).toMatchObject({
      enqueued: 2,
      scheduled: 1,
      retries: 1,
      dead: 1,
      processes: 1,
      busy: 1,
    });

    // Without the CSRF token the action is refused; with it, retry-all puts Verk's entry back.
    expect((await ui.post("/retries/all/retry", {})).status).toBe(403);
    failing = false;
    const res = await ui.post("/retries/all/retry", { authenticity_token: csrfToken(retries) });
    expect(res.status).toBe(302);
    await waitFor(() => ran.filter((j) => j.jid === retried).length === 2, 10_000);
    expect(await ctx.redis.zcard("retry")).toBe(0);
    const again = ran.filter((j) => j.jid === retried)[1]!;
    expect(again.args).toEqual(["r1"]);
    expect(again.error_class).toBe("InteropError");
    release();
  });
});
