import { VerkError } from "@verk/core";
import type { RequestContext } from "../context.js";
import { count } from "../html/format.js";
import { type Form, field } from "../http/body.js";
import type { DashboardAction } from "../options.js";
import { type ActionOutcome, backTo, confirmed, confirmPage } from "./outcome.js";

/** The dashboard action of `POST /queues/:name/<verb>`. */
export const QUEUE_VERBS: Readonly<Record<string, DashboardAction>> = {
  pause: "queue.pause",
  resume: "queue.resume",
  clear: "queue.clear",
  delete: "queue.delete-job",
};

/** `POST /queues/:name/pause|resume|clear|delete`. Clear asks for confirmation first. */
export async function queueAction(ctx: RequestContext, verb: string, form: Form): Promise<ActionOutcome> {
  const name = ctx.params.name!;
  const { admin, store } = ctx.services;
  if (!(await admin.queueExists(name)))
    throw new VerkError("UNKNOWN_QUEUE", `unknown queue "${name}"`, { field: "queue" });
  const back = backTo(ctx, form, `/queues/${encodeURIComponent(name)}`);
  if (verb === "pause" || verb === "resume") {
    await store.setPaused(name, verb === "pause");
    return {
      kind: "done",
      message: `${verb === "pause" ? "Paused" : "Resumed"} queue ${name} on every node.`,
      back,
    };
  }
  if (verb === "clear") {
    if (!confirmed(form)) {
      const size = (await admin.queues()).find((q) => q.name === name)?.size ?? 0;
      return confirmPage(
        ctx,
        form,
        `Delete all ${count(size)} waiting jobs of queue ${name}? This cannot be undone.`,
        "Clear queue",
      );
    }
    const deleted = await admin.clearQueue(name);
    return { kind: "done", message: `Cleared queue ${name}: deleted ${count(deleted)} jobs.`, back };
  }
  const jid = field(form, "jid") ?? "";
  if (!jid) throw new VerkError("INVALID_OPTION", "jid is missing", { field: "jid" });
  const position = Number(field(form, "position"));
  const job = await admin.deleteQueueJob(name, jid, Number.isInteger(position) ? position : undefined);
  return {
    kind: "done",
    message: job
      ? `Deleted job ${jid} from ${name}.`
      : `Job ${jid} is no longer waiting in ${name} (fetched or deleted meanwhile).`,
    back,
  };
}
