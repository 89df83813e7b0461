import { VerkError } from "@verk/core";
import { describe, expect, it } from "vitest";
import { nextCronTime, parseCron } from "../src/index.js";

const t = (iso: string) => Date.parse(iso);
const next = (pattern: string, from: string, tz = "UTC") => {
  const ms = nextCronTime(parseCron(pattern), t(from), tz);
  return ms === undefined ? undefined : new Date(ms).toISOString();
};

describe("parseCron", () => {
  it("parses fields, ranges, steps, lists, names, Sunday as 7, macros", () => {
    const c = parseCron("*/15 9-17 1,15 JAN-MAR MON-FRI");
    expect([...c.minutes]).toEqual([0, 15, 30, 45]);
    expect([...c.hours]).toEqual([9, 10, 11, 12, 13, 14, 15, 16, 17]);
    expect([...c.daysOfMonth]).toEqual([1, 15]);
    expect([...c.months]).toEqual([1, 2, 3]);
    expect([...c.daysOfWeek]).toEqual([1, 2, 3, 4, 5]);
    expect([...parseCron("0 0 * * 7").daysOfWeek]).toEqual([0]);
    expect([...parseCron("0 0 * * 5-7").daysOfWeek].sort()).toEqual([0, 5, 6]);
    expect([...parseCron("10/20 * * * *").minutes]).toEqual([10, 30, 50]);
    expect([...parseCron("*/10 * * * * *").seconds]).toEqual([0, 10, 20, 30, 40, 50]);
    expect([...parseCron("@hourly").minutes]).toEqual([0]);
  });

  it("rejects bad expressions with INVALID_OPTION", () => {
    for (const bad of [
      "* * * *",
      "60 * * * *",
      "* 24 * * *",
      "*/0 * * * *",
      "* * * FOO *",
      "5-1 * * * *",
      "a b c d e",
    ]) {
      expect(() => parseCron(bad), bad).toThrow(VerkError);
    }
  });
});

describe("nextCronTime", () => {
  it("computes next times in UTC", () => {
    expect(next("*/5 * * * *", "2024-01-01T10:02:30Z")).toBe("2024-01-01T10:05:00.000Z");
    expect(next("*/5 * * * *", "2024-01-01T10:05:00Z")).toBe("2024-01-01T10:10:00.000Z");
    expect(next("0 0 1 * *", "2024-01-31T12:00:00Z")).toBe("2024-02-01T00:00:00.000Z");
    expect(next("0 0 29 2 *", "2024-03-01T00:00:00Z")).toBe("2028-02-29T00:00:00.000Z");
    expect(next("*/10 * * * * *", "2024-01-01T00:00:05Z")).toBe("2024-01-01T00:00:10.000Z");
    expect(next("30 8 * * MON", "2024-01-03T00:00:00Z")).toBe("2024-01-08T08:30:00.000Z"); // Wed → Mon
    // Both day fields restricted: either matches (the 13th, or a Friday).
    expect(next("0 0 13 * FRI", "2024-01-01T00:00:00Z")).toBe("2024-01-05T00:00:00.000Z");
  });

  it("honours time zones and DST (Europe/Berlin)", () => {
    expect(next("0 9 * * *", "2024-01-10T00:00:00Z", "Europe/Berlin")).toBe("2024-01-10T08:00:00.000Z"); // CET
    expect(next("0 9 * * *", "2024-07-10T00:00:00Z", "Europe/Berlin")).toBe("2024-07-10T07:00:00.000Z"); // CEST
    // 02:30 does not exist on 2024-03-31 in Berlin: skipped, next is the day after.
    expect(next("30 2 * * *", "2024-03-30T12:00:00Z", "Europe/Berlin")).toBe("2024-04-01T00:30:00.000Z");
    // 02:30 happens twice on 2024-10-27: fires once, at the first (CEST) one.
    expect(next("30 2 * * *", "2024-10-26T12:00:00Z", "Europe/Berlin")).toBe("2024-10-27T00:30:00.000Z");
    expect(next("30 2 * * *", "2024-10-27T00:30:00Z", "Europe/Berlin")).toBe("2024-10-28T01:30:00.000Z");
    expect(next("0 0 * * *", "2024-01-01T12:00:00Z", "America/New_York")).toBe("2024-01-02T05:00:00.000Z");
  });
});

describe("croner extensions and errors", () => {
  it("last day of month (L), nth weekday (#), and every 30 minutes through both DST changes", () => {
    expect(next("0 0 L * *", "2024-02-10T00:00:00Z")).toBe("2024-02-29T00:00:00.000Z");
    expect(next("0 12 * * FRI#2", "2024-03-01T00:00:00Z")).toBe("2024-03-08T12:00:00.000Z");
    // Interval-like patterns keep firing across the spring gap and the autumn overlap.
    expect(next("*/30 * * * *", "2024-03-31T00:45:00Z", "Europe/Berlin")).toBe("2024-03-31T01:00:00.000Z");
    expect(next("*/30 * * * *", "2024-10-27T00:45:00Z", "Europe/Berlin")).toBe("2024-10-27T01:00:00.000Z");
  });

  it("names the field and the problem; a pattern that never matches has no next time", () => {
    expect(() => parseCron("* * * * * * *", "cron[2].pattern")).toThrow(
      expect.objectContaining({ code: "INVALID_OPTION", field: "cron[2].pattern" }),
    );
    expect(() => parseCron("61 * * * *")).toThrow(/minute/);
    expect(next("0 0 30 2 *", "2024-01-01T00:00:00Z")).toBeUndefined();
  });
});
