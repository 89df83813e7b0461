import { VerkError } from "@verk/core";
import type { RequestContext } from "../context.js";
import { type Form, field } from "../http/body.js";
import { type ActionOutcome, backTo, confirmed, confirmPage } from "./outcome.js";

/** `POST /nodes/quiet` and `/nodes/stop`: one process (`identity`) or all (`all=1`, confirmed first for stop). */
export async function nodeAction(
  ctx: RequestContext,
  verb: "quiet" | "stop",
  form: Form,
): Promise<ActionOutcome> {
  const signal = verb === "quiet" ? "TSTP" : "TERM";
  const back = backTo(ctx, form, "/nodes");
  const { admin } = ctx.services;
  if (field(form, "all") === "1") {
    if (verb === "stop" && !confirmed(form))
      return confirmPage(
        ctx,
        form,
        "Stop every live process? Each finishes or puts back its running jobs, then exits.",
        "Stop all",
      );
    const done = await admin.signalAll(signal);
    return {
      kind: "done",
      message: `Sent ${verb} to ${done.length} process${done.length === 1 ? "" : "es"}; they act within 5 s.`,
      back,
    };
  }
  const identity = field(form, "identity") ?? "";
  if (!identity) throw new VerkError("INVALID_OPTION", "identity is missing", { field: "identity" });
  const sent = await admin.signal(identity, signal);
  return {
    kind: "done",
    message: sent ? `Sent ${verb} to ${identity}; it acts within 5 s.` : `${identity} is not a live process.`,
    back,
  };
}
