import { VerkError } from "@verk/core";
import { type EntryKey, parseEntryKey } from "@verk/redis-store";
import type { RequestContext } from "../context.js";
import { count } from "../html/format.js";
import { type Form, field } from "../http/body.js";
import { filtersOf } from "../pages/sets.js";
import { DONE, destructive, LABEL, type SetAction, type SetPageSpec } from "../sets.js";
import { type ActionOutcome, backTo, confirmed, confirmPage } from "./outcome.js";

/** The action of a set form, checked against what the set allows. */
export function setActionOf(spec: SetPageSpec, form: Form): SetAction {
  const action = field(form, "action") as SetAction | undefined;
  if (!action || !spec.actions.includes(action))
    throw new VerkError("INVALID_OPTION", `"${action ?? ""}" is not an action of ${spec.title}`, {
      field: "action",
    });
  return action;
}

/**
 * `POST /retries/action` (and scheduled, dead): `action` on the selected `key`s, or with `all=1`
 * on every entry matching the filters. Several deletes or kills, and every "all", ask first.
 */
export async function setAction(ctx: RequestContext, spec: SetPageSpec, form: Form): Promise<ActionOutcome> {
  const action = setActionOf(spec, form);
  const { admin } = ctx.services;
  const back = backTo(ctx, form, `/${spec.slug}`);
  if (field(form, "all") === "1") {
    const filters = filtersOf(
      new URLSearchParams([...form].flatMap(([k, vs]) => vs.map((v): [string, string] => [k, v]))),
    );
    const filtered = Object.keys(filters).length > 0;
    if (!confirmed(form)) {
      const total = (await admin.list(spec.set, { limit: 1 })).total;
      const what = filtered
        ? `every ${spec.noun} matching the filters (of ${count(total)})`
        : `all ${count(total)} ${spec.noun}s`;
      return confirmPage(ctx, form, `${LABEL[action]}: ${what}?`, `${LABEL[action]} all`);
    }
    const r = await admin.actOnMatching(spec.set, action, filters);
    return {
      kind: "done",
      message: `${DONE[action]} ${count(r.done)} ${spec.noun}s${notes(r.gone, r.invalid)}.`,
      back,
    };
  }
  const keys: EntryKey[] = (form.get("key") ?? [])
    .map((k) => parseEntryKey(k))
    .filter((k): k is EntryKey => !!k);
  if (keys.length === 0) return { kind: "done", message: "Nothing selected.", back };
  if (keys.length > 1 && destructive(action) && !confirmed(form))
    return confirmPage(
      ctx,
      form,
      `${LABEL[action]} ${count(keys.length)} selected ${spec.noun}s?`,
      LABEL[action],
    );
  const r = await admin.actOnKeys(spec.set, action, keys);
  return {
    kind: "done",
    message: `${DONE[action]} ${count(r.done)} of ${count(keys.length)} selected${notes(r.gone + r.missing, r.invalid)}.`,
    back,
  };
}

function notes(gone: number, invalid: number): string {
  const parts = [
    gone > 0 ? `${count(gone)} already gone (taken meanwhile)` : "",
    invalid > 0 ? `${count(invalid)} left in place (no readable queue)` : "",
  ].filter(Boolean);
  return parts.length ? `; ${parts.join(", ")}` : "";
}
