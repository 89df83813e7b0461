import { describe, expect, it } from "vitest";
import { generateJid, generateNodeId } from "../src/ids.js";
import { buildPayload, displayClass, encodePayload, parsePayload } from "../src/job.js";
import { nowSeconds, toSeconds } from "../src/time.js";

describe("job payload", () => {
  it("builds Sidekiq's payload with defaults and keeps extra fields", () => {
    const payload = buildPayload({ class: "W", queue: "q", args: [1, "a"], tags: ["x"] }, 1_800_000_000.25);
    expect(payload).toEqual({
      class: "W",
      queue: "q",
      args: [1, "a"],
      jid: expect.stringMatching(/^[0-9a-f]{24}$/),
      retry: true,
      created_at: 1_800_000_000.25,
      tags: ["x"],
    });
  });

  it.each([
    [{ queue: "q" }, "class"],
    [{ class: "W", queue: "" }, "queue"],
    [{ class: "W", queue: "q", args: { a: 1 } }, "args"],
    [{ class: "W", queue: "q", retry: -1 }, "retry"],
    [{ class: "W", queue: "q", retry: 1.5 }, "retry"],
    [{ class: "W", queue: "q", jid: 5 }, "jid"],
  ])("rejects %j naming the field %s", (job, field) => {
    expect(() => buildPayload(job as never)).toThrow(expect.objectContaining({ code: "INVALID_JOB", field }));
  });

  it('defaults a missing queue to "default", as Sidekiq does', () => {
    expect(buildPayload({ class: "W" }).queue).toBe("default");
  });

  it("rejects args that cannot be JSON-encoded, naming where", () => {
    const cyclic: unknown[] = [];
    cyclic.push(cyclic);
    expect(() => encodePayload(buildPayload({ class: "W", queue: "q", args: cyclic }))).toThrow(
      expect.objectContaining({ code: "INVALID_JOB", field: "args[0]" }),
    );
  });

  it("parses payloads and names what is wrong with malformed ones", () => {
    expect(parsePayload('{"class":"W"}').args).toEqual([]);
    expect(() => parsePayload("{nope")).toThrow(/not valid JSON/);
    expect(() => parsePayload("[1]")).toThrow(/not a JSON object/);
    expect(() => parsePayload('{"args":[]}')).toThrow(/no "class"/);
    expect(() => parsePayload('{"class":"W","args":"[1]"}')).toThrow(/"args" is not an array/);
  });

  it("displays ActiveJob's wrapped class", () => {
    expect(
      displayClass({ class: "ActiveJob::QueueAdapters::SidekiqAdapter::JobWrapper", wrapped: "Mail" }),
    ).toBe("Mail");
    expect(displayClass({ class: "W" })).toBe("W");
  });

  it("writes times as float seconds that always keep a fraction", () => {
    expect(toSeconds(1_800_000_000_000)).not.toBe(1_800_000_000);
    expect(JSON.stringify(toSeconds(1_800_000_000_000))).toContain(".");
    const now = nowSeconds();
    expect(Math.abs(now - Date.now() / 1000)).toBeLessThan(1);
    expect(Number.isInteger(now)).toBe(false);
  });

  it("never returns the same time twice, so same-millisecond failures keep their order in a set", () => {
    const times = Array.from({ length: 2_000 }, () => nowSeconds());
    for (let i = 1; i < times.length; i++) expect(times[i]!).toBeGreaterThan(times[i - 1]!);
    expect(times.some(Number.isInteger)).toBe(false);
    expect(times.at(-1)! - Date.now() / 1000).toBeLessThan(0.1);
  });

  it("makes Sidekiq-shaped ids", () => {
    expect(generateJid()).toMatch(/^[0-9a-f]{24}$/);
    expect(generateNodeId()).toMatch(new RegExp(`^.+:${process.pid}:[0-9a-f]{12}$`));
    expect(generateNodeId()).not.toBe(generateNodeId());
  });
});
