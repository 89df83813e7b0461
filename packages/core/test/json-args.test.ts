import { describe, expect, it } from "vitest";
import { assertJsonValue, MAX_JSON_DEPTH } from "../src/json-value.js";
import { MemoryStore } from "../src/memory-store.js";
import { createVerk } from "../src/verk.js";
import { defineWorker } from "../src/worker.js";

class Point {
  constructor(
    readonly x: number,
    readonly y: number,
  ) {}
}

function nested(depth: number): unknown {
  let value: unknown = 1;
  for (let i = 0; i < depth; i++) value = [value];
  return value;
}

describe("args must be JSON values", () => {
  it.each([
    [[1, { when: new Date(0) }], "args[1].when", /Date is not a JSON value/],
    [[new Map([["a", 1]])], "args[0]", /Map is not a JSON value/],
    [[new Set([1])], "args[0]", /Set is not a JSON value/],
    [[() => 1], "args[0]", /a function is not a JSON value/],
    [[1, Number.NaN], "args[1]", /NaN is not a JSON value \(it would become null\)/],
    [[Number.POSITIVE_INFINITY], "args[0]", /Infinity is not a JSON value/],
    [[1, undefined], "args[1]", /undefined is not a JSON value/],
    [[[1, [2, undefined]]], "args[0][1][1]", /undefined/],
    [[10n], "args[0]", /a bigint is not a JSON value/],
    [[Symbol("s")], "args[0]", /a symbol is not a JSON value/],
    [[new Point(1, 2)], "args[0]", /Point is not a JSON value \(only plain objects and arrays are\)/],
    [[{ "two words": { deep: [new Date(0)] } }], 'args[0]["two words"].deep[0]', /Date/],
    [[Buffer.from("x")], "args[0]", /Buffer is not a JSON value/],
  ])("rejects %o naming %s", (args, field, message) => {
    let thrown: unknown;
    try {
      assertJsonValue(args, "args");
    } catch (error) {
      thrown = error;
    }
    expect(thrown).toMatchObject({ code: "INVALID_JOB", field });
    expect((thrown as Error).message).toMatch(message);
    expect((thrown as Error).message).toContain(field);
  });

  it("names a circular value and a value nested too deeply", () => {
    const cyclic: Record<string, unknown> = { a: 1 };
    cyclic.self = cyclic;
    expect(() => assertJsonValue([cyclic], "args")).toThrow(/args\[0\]\.self: circular/);
    expect(() => assertJsonValue([nested(MAX_JSON_DEPTH + 5)], "args")).toThrow(
      new RegExp(`nested deeper than ${MAX_JSON_DEPTH} levels`),
    );
  });

  it("accepts plain JSON, null-prototype objects and object properties set to undefined", () => {
    const bare = Object.assign(Object.create(null) as object, { a: 1 });
    expect(() =>
      assertJsonValue(
        ["s", 1.5, -0, true, null, [], {}, { a: [1, { b: "c" }] }, bare, { gone: undefined }, nested(100)],
        "args",
      ),
    ).not.toThrow();
  });

  it("enqueue rejects non-JSON args with INVALID_JOB naming the argument, and writes nothing", async () => {
    const store = new MemoryStore();
    const verk = createVerk({ store });
    await expect(
      verk.enqueue({ class: "W", queue: "q", args: ["ok", { when: new Date() }] }),
    ).rejects.toMatchObject({ code: "INVALID_JOB", field: "args[1].when" });
    await expect(
      verk.enqueueBulk([
        { class: "W", queue: "q", args: [1] },
        { class: "W", queue: "q", args: [Number.NaN] },
      ]),
    ).rejects.toMatchObject({ code: "INVALID_JOB", field: "jobs[1].args[0]" });
    await expect(
      verk.schedule({ class: "W", queue: "q", args: [undefined] }, Date.now() + 60_000),
    ).rejects.toMatchObject({ code: "INVALID_JOB", field: "args[0]" });
    await expect(verk.enqueue({ class: "W", queue: "q", tags: [new Date()] })).rejects.toMatchObject({
      code: "INVALID_JOB",
      field: "tags[0]",
    });
    expect(store.list("queue:q")).toEqual([]);
    expect(store.sets.schedule.size).toBe(0);
  });

  it("the typed shortcut rejects a Date passed through a loosely typed handler", async () => {
    const store = new MemoryStore();
    const Loose = defineWorker("Loose", async (_value: unknown) => {});
    createVerk({ store, workers: [Loose] });
    await expect(Loose.enqueue(new Date())).rejects.toMatchObject({ code: "INVALID_JOB", field: "args[0]" });
  });
});
