import { describe, expect, it } from "vitest";
import { SIDEKIQ, useInterop } from "./fixture.js";
import { startSidekiq, waitFor } from "./harness.js";

describe.skipIf(!SIDEKIQ)("case 7: flow-control fields stay Sidekiq-readable", () => {
  const ctx = useInterop();

  it("Sidekiq's API reads a unique, expiring Verk job and its server runs it (it ignores the fields)", async () => {
    const verk = ctx.node({});
    const jid = await verk.enqueue({
      class: "InteropJob",
      queue: "interop",
      args: ["flow"],
      unique: { for: 60 },
      expiresIn: 3_600_000,
    });
    expect(jid).not.toBeNull();
    expect(
      await verk.enqueue({ class: "InteropJob", queue: "interop", args: ["flow"], unique: { for: 60 } }),
    ).toBeNull();
    const seen = await ctx.ruby<{ jobs: { jid: string; item: Record<string, unknown> }[] }>(`
      out({ "jobs" => Sidekiq::Queue.new("interop").map { |j| {"jid" => j.jid, "item" => j.item} } })
    `);
    expect(seen.jobs).toHaveLength(1);
    expect(seen.jobs[0]!.jid).toBe(jid);
    expect(seen.jobs[0]!.item).toMatchObject({ class: "InteropJob", unique_for: 60 });
    expect(typeof seen.jobs[0]!.item.expires_at).toBe("number");
    ctx.track(await startSidekiq(ctx.redis, ctx.url, ["interop"], 1));
    await waitFor(async () => (await ctx.sidekiqRuns()).length === 1, 20_000);
    expect((await ctx.sidekiqRuns()).map((r) => [r.jid, r.args])).toEqual([[jid, ["flow"]]]);
  });
});
