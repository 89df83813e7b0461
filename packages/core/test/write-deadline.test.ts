import { describe, expect, it } from "vitest";
import { withWriteDeadline } from "../src/write-deadline.js";

const never = () => new Promise<never>(() => {});
const later = <T>(ms: number, value: T) => new Promise<T>((resolve) => setTimeout(() => resolve(value), ms));

describe("withWriteDeadline", () => {
  it("passes a timely answer through and rejects an unanswered write with WRITE_TIMEOUT, naming it", async () => {
    await expect(withWriteDeadline("enqueue", "job a", 200, later(10, "a"))).resolves.toBe("a");
    const started = performance.now();
    const error = await withWriteDeadline("enqueue", () => "job b", 120, never()).catch((e: unknown) => e);
    const waited = performance.now() - started;
    expect(error).toMatchObject({ code: "WRITE_TIMEOUT" });
    expect(String((error as Error).message)).toContain(
      "enqueue of job b got no answer from the store within 120 ms",
    );
    expect(waited).toBeGreaterThanOrEqual(119);
    expect(waited).toBeLessThan(1_000);
  });

  it("times out each of many writes on its own deadline, oldest first, and lets the others through", async () => {
    const outcomes: string[] = [];
    const first = withWriteDeadline("enqueue", "job 1", 100, never()).catch(() =>
      outcomes.push("1 timed out"),
    );
    await later(60, undefined);
    const second = withWriteDeadline("enqueue", "job 2", 100, never()).catch(() =>
      outcomes.push("2 timed out"),
    );
    const answered = withWriteDeadline("enqueue", "job 3", 100, later(20, "3")).then((v) =>
      outcomes.push(`${v} answered`),
    );
    await Promise.all([first, second, answered]);
    expect(outcomes).toEqual(["3 answered", "1 timed out", "2 timed out"]);
  });

  it("passes a store error through, and a failure after the deadline is neither reported twice nor unhandled", async () => {
    await expect(
      withWriteDeadline("enqueue", "job x", 200, Promise.reject(new Error("boom"))),
    ).rejects.toThrow("boom");
    const unhandled: unknown[] = [];
    const onUnhandled = (reason: unknown) => unhandled.push(reason);
    process.on("unhandledRejection", onUnhandled);
    try {
      const late = new Promise<never>((_, reject) => setTimeout(() => reject(new Error("late")), 80));
      await expect(withWriteDeadline("enqueue", "job y", 30, late)).rejects.toMatchObject({
        code: "WRITE_TIMEOUT",
      });
      await later(100, undefined);
      expect(unhandled).toEqual([]);
    } finally {
      process.off("unhandledRejection", onUnhandled);
    }
  });

  it("waits as long as the write takes when the timeout is 0", async () => {
    const work = later(30, "slow");
    expect(withWriteDeadline("enqueue", "job z", 0, work)).toBe(work);
    await expect(work).resolves.toBe("slow");
  });
});
