import { describe, expect, it } from "vitest";
import { palette, stripAnsi, table, useColour, width } from "../src/util/format.js";
import { cliLogger } from "../src/util/log.js";

describe("output helpers", () => {
  it("measures display width: ANSI excluded, wide CJK and emoji count two columns", () => {
    expect(width("\x1b[31mred\x1b[39m")).toBe(3);
    expect(width("日本")).toBe(4);
    expect(width("ok 👍")).toBe(5);
    expect(stripAnsi("\x1b[1mbold\x1b[22m")).toBe("bold");
  });

  it("tables align columns by display width, right-aligned where asked, no trailing spaces", () => {
    const p = palette(false);
    const out = table(
      [{ header: "QUEUE" }, { header: "SIZE", align: "right" }, { header: "NOTE" }],
      [
        ["default", "12", ""],
        ["日本語", "3", "wide"],
        [palette(true).red("red"), "1,000", "x"],
      ],
      p,
    );
    expect(out.split("\n").map(stripAnsi)).toEqual([
      "QUEUE     SIZE  NOTE",
      "default     12",
      "日本語       3  wide",
      "red      1,000  x",
    ]);
  });

  it("colour only on a TTY without NO_COLOR or --no-color; nested colours restore the outer one", () => {
    expect(useColour({ isTTY: true }, {}, true)).toBe(true);
    expect(useColour({ isTTY: true }, { NO_COLOR: "" }, true)).toBe(false);
    expect(useColour({ isTTY: true }, {}, false)).toBe(false);
    expect(useColour({ isTTY: false }, {}, true)).toBe(false);
    expect(palette(false).red("x")).toBe("x");
    const p = palette(true);
    expect(p.red(`a ${p.green("b")} c`)).toBe("\x1b[31ma \x1b[32mb\x1b[31m c\x1b[39m");
  });

  it("cliLogger writes logfmt fields, quotes what needs it, filters by level", () => {
    const lines: string[] = [];
    const log = cliLogger("info", (l) => lines.push(l));
    log.debug("hidden");
    log.warn({ class: "Hello", jid: "abc", err: new TypeError("bad thing") }, "fail");
    log.info("plain");
    expect(lines).toHaveLength(2);
    expect(lines[0]).toMatch(/^\S+Z WARN fail class=Hello jid=abc err="TypeError: bad thing"\n$/);
    expect(lines[1]).toMatch(/ INFO plain\n$/);
  });
});
