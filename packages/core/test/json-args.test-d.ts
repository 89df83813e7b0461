/**
 * Type tests of `defineWorker`'s JSON-only handler parameters, checked by `tsc` (`pnpm typecheck`,
 * which CI runs): every `@ts-expect-error` must be an error, every other line must compile.
 */
import { expectTypeOf } from "vitest";
import type { JsonValue } from "../src/json-value.js";
import { defineWorker, type JobContext, type WorkerDefinition } from "../src/worker.js";

interface User {
  name: string;
  tags: readonly string[];
  age?: number;
  address: { city: string; zip: string | null };
}
type Tree = { label: string; children: Tree[] };
interface Node {
  id: number;
  next: Node | null;
}

// JSON-compatible parameters are inferred as written: primitives, interfaces, recursive and
// optional shapes, tuples, records, JsonValue, unknown.
const Add = defineWorker("Add", async (a: number, b: number) => a + b);
expectTypeOf(Add).toEqualTypeOf<WorkerDefinition<[a: number, b: number]>>();
expectTypeOf(Add.enqueue).parameters.toEqualTypeOf<[a: number, b: number]>();
const Mail = defineWorker("Mail", async (user: User, trees: Tree[], list: Node, extra?: JsonValue) => {
  return [user.name, trees.length, list.id, extra];
});
expectTypeOf(Mail.enqueue).parameters.toEqualTypeOf<
  [user: User, trees: Tree[], list: Node, extra?: JsonValue]
>();
defineWorker("Any", async (...args: unknown[]) => args.length);
defineWorker("None", async () => {});
defineWorker("Tuple", async (pair: [number, string], map: Record<string, number>, kind: "a" | "b") => [
  pair,
  map,
  kind,
]);
defineWorker("Ctx", async function (this: JobContext, id: string) {
  return `${this.jid}:${id}`;
});
void Add.enqueue(1, 2);
void Add.with({ queue: "low", retry: 3, in: 5_000 }).enqueue(1, 2);
void Add.enqueueBulk([
  [1, 2],
  [3, 4],
]);
void Mail.enqueue({ name: "n", tags: [], address: { city: "c", zip: null } }, [], { id: 1, next: null });

// Values JSON cannot carry are compile errors in handler parameters...
// @ts-expect-error a Date arrives as a string
defineWorker("When", async (when: Date) => when);
// @ts-expect-error a Map arrives as {}
defineWorker("Map", async (m: Map<string, number>) => m);
// @ts-expect-error a function arrives as null
defineWorker("Fn", async (f: () => void) => f);
// @ts-expect-error nested too
defineWorker("Nested", async (o: { at: Date }) => o);
// @ts-expect-error undefined becomes null
defineWorker("Undef", async (x: number | undefined) => x);
// @ts-expect-error bigint cannot be encoded
defineWorker("Big", async (n: bigint) => n);
// @ts-expect-error a Set arrives as {}
defineWorker("Set", async (s: Set<string>[]) => s);

// ...and wrong arguments to the typed shortcuts too.
// @ts-expect-error "1" is not a number
void Add.enqueue("1", 2);
// @ts-expect-error bulk entries are argument lists of the handler's types
void Add.enqueueBulk([[1, "2"]]);
// @ts-expect-error unknown per-call option
void Add.with({ queu: "low" });
