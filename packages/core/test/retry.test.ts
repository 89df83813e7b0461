import { inflateSync } from "node:zlib";
import { describe, expect, it } from "vitest";
import { buildPayload } from "../src/job.js";
import {
  compressBacktrace,
  DEFAULT_DEAD_LIMITS,
  defaultBackoffSeconds,
  maxRetries,
  planFailure,
} from "../src/retry.js";

const policy = { defaultMaxRetries: 25, deadLimits: DEFAULT_DEAD_LIMITS, now: 1_800_000_000.5 };

describe("Sidekiq retry semantics", () => {
  it("backs off count^4 + 15 + rand(10) * (count + 1) seconds", () => {
    for (const count of [0, 1, 5, 24]) {
      const low = defaultBackoffSeconds(count, () => 0);
      const high = defaultBackoffSeconds(count, () => 0.999);
      expect(low).toBe(count ** 4 + 15);
      expect(high).toBe(count ** 4 + 15 + 9 * (count + 1));
      for (let i = 0; i < 50; i++) {
        const delay = defaultBackoffSeconds(count);
        expect(delay).toBeGreaterThanOrEqual(low);
        expect(delay).toBeLessThanOrEqual(high);
        expect(Number.isInteger(delay)).toBe(true);
      }
    }
  });

  it("reads retry: true as the default maximum, a number as itself, false as none", () => {
    const job = buildPayload({ class: "W", queue: "q" });
    expect(maxRetries({ ...job, retry: true })).toBe(25);
    expect(maxRetries({ ...job, retry: true }, 3)).toBe(3);
    expect(maxRetries({ ...job, retry: 7 })).toBe(7);
    expect(maxRetries({ ...job, retry: false })).toBe(0);
  });

  it("first failure: retry_count 0, failed_at, error fields, retry at now + backoff", () => {
    const job = buildPayload({ class: "W", queue: "q", args: [1], custom: "kept" });
    const { payload, outcome } = planFailure(job, new RangeError("bad"), policy);
    expect(payload).toMatchObject({
      retry_count: 0,
      failed_at: policy.now,
      error_class: "RangeError",
      error_message: "bad",
      custom: "kept",
    });
    expect(payload.retried_at).toBeUndefined();
    expect(outcome.kind).toBe("retry");
    if (outcome.kind !== "retry") return;
    expect(outcome.at - policy.now).toBeGreaterThanOrEqual(15);
    expect(outcome.at - policy.now).toBeLessThanOrEqual(24);
    expect(JSON.parse(outcome.raw)).toEqual(payload);
  });

  it("later failures increment retry_count, set retried_at and keep failed_at", () => {
    const job = { ...buildPayload({ class: "W", queue: "q" }), retry_count: 2, failed_at: 1_700_000_000.5 };
    const { payload } = planFailure(job, new Error("again"), policy);
    expect(payload).toMatchObject({ retry_count: 3, failed_at: 1_700_000_000.5, retried_at: policy.now });
  });

  it("goes dead once retry_count reaches the maximum; retry: 2 gives three runs", () => {
    let job = buildPayload({ class: "W", queue: "q", retry: 2 });
    const kinds: string[] = [];
    for (let run = 0; run < 3; run++) {
      const { payload, outcome } = planFailure(job, new Error("x"), policy);
      kinds.push(outcome.kind);
      job = payload;
    }
    expect(kinds).toEqual(["retry", "retry", "dead"]);
  });

  it("discards retry: false, and dead: false when retries run out", () => {
    const noRetry = buildPayload({ class: "W", queue: "q", retry: false });
    expect(planFailure(noRetry, new Error("x"), policy).outcome).toEqual({ kind: "discard" });
    const noDead = { ...buildPayload({ class: "W", queue: "q", retry: 0 }), dead: false };
    expect(planFailure(noDead, new Error("x"), policy).outcome).toEqual({ kind: "discard" });
  });

  it("uses the worker's backoff, and retry_queue for the retried job", () => {
    const job = { ...buildPayload({ class: "W", queue: "q" }), retry_queue: "slow" };
    const { outcome, payload } = planFailure(job, new Error("x"), {
      ...policy,
      backoff: (count) => 100 + count,
    });
    expect(payload.queue).toBe("slow");
    expect(outcome.kind === "retry" && outcome.at).toBe(policy.now + 100);
  });

  it("records non-Error throws and truncates messages to 10,000 characters", () => {
    const job = buildPayload({ class: "W", queue: "q" });
    expect(planFailure(job, { code: 42 }, policy).payload).toMatchObject({
      error_class: "NonErrorThrown",
      error_message: 'non-Error thrown: {"code":42}',
    });
    const long = planFailure(job, new Error("y".repeat(20_000)), policy).payload;
    expect((long.error_message as string).length).toBe(10_000);
  });

  it("compresses backtraces like Sidekiq: base64 of deflated JSON lines, wrapped at 60", () => {
    const stack = "Error: x\n    at a (f.js:1:1)\n    at b (f.js:2:2)\n    at c (f.js:3:3)";
    const encoded = compressBacktrace(stack, 2);
    for (const line of encoded.trimEnd().split("\n")) expect(line.length).toBeLessThanOrEqual(60);
    const lines = JSON.parse(inflateSync(Buffer.from(encoded, "base64")).toString());
    expect(lines).toEqual(["at a (f.js:1:1)", "at b (f.js:2:2)"]);
    const job = { ...buildPayload({ class: "W", queue: "q" }), backtrace: true };
    expect(typeof planFailure(job, new Error("z"), policy).payload.error_backtrace).toBe("string");
  });
});
