import type { QueueJob } from "@verk/redis-store";
import type { Command } from "../command.js";
import { intFlag } from "../command.js";
import type { Context } from "../context.js";
import { CliError, UsageError } from "../util/errors.js";
import { count, table, truncate, when } from "../util/format.js";

function jobJson(j: QueueJob) {
  return {
    position: j.position,
    jid: j.jid,
    class: j.className,
    enqueued_at: j.enqueuedAtMs,
    payload: j.payload ?? j.raw,
  };
}

async function list(ctx: Context, queue: string, values: Record<string, unknown>): Promise<number> {
  const perPage = intFlag(values["per-page"], "per-page", 25, 1);
  const page = intFlag(values.page, "page", 1, 1);
  const admin = await ctx.admin();
  const search = typeof values.search === "string" ? values.search : undefined;
  const className = typeof values.class === "string" ? values.class : undefined;
  let entries: QueueJob[];
  let total: number;
  let note = "";
  if (search !== undefined || className !== undefined) {
    const cursor = intFlag(values.from, "from", 1, 1) - 1;
    const r = await admin.searchQueue(queue, {
      ...(search !== undefined ? { text: search } : {}),
      ...(className !== undefined ? { className } : {}),
      cursor,
      limit: perPage,
    });
    entries = r.entries;
    total = r.total;
    note = `searched jobs ${count(cursor + 1)}-${count(r.nextCursor ?? r.total)} of ${count(r.total)} (at most 10,000 per call)${r.nextCursor !== undefined ? ` · next: --from ${r.nextCursor + 1}` : ""}`;
    if (ctx.options.json) {
      ctx.printJson({
        total,
        scanned: r.scanned,
        nextFrom: r.nextCursor === undefined ? null : r.nextCursor + 1,
        entries: entries.map(jobJson),
      });
      return 0;
    }
  } else {
    const r = await admin.queueJobs(queue, { offset: (page - 1) * perPage, limit: perPage });
    entries = r.entries;
    total = r.total;
    const pages = Math.max(1, Math.ceil(total / perPage));
    note = `page ${page}/${pages} · ${count(total)} waiting${page < pages ? ` · next: --page ${page + 1}` : ""}`;
    if (ctx.options.json) {
      ctx.printJson({ total, page, perPage, entries: entries.map(jobJson) });
      return 0;
    }
  }
  if (entries.length === 0) {
    ctx.print(total === 0 ? `no jobs waiting in "${queue}"` : `no jobs here (${note})`);
    return 0;
  }
  const now = Date.now();
  const p = ctx.p;
  ctx.print(
    table(
      [
        { header: "#", align: "right" },
        { header: "JID" },
        { header: "CLASS" },
        { header: "ENQUEUED" },
        { header: "ARGS" },
      ],
      entries.map((j) => [
        String(j.position + 1),
        j.jid || p.dim("(none)"),
        j.className || p.dim("(unreadable)"),
        j.enqueuedAtMs ? when(j.enqueuedAtMs, now) : "-",
        truncate(JSON.stringify(j.payload?.args ?? null), 50),
      ]),
      p,
    ),
  );
  ctx.print(p.dim(`${note} · #1 runs next`));
  return 0;
}

/** `verk queue <name> [list] | delete <jid>`. */
export const queue: Command = {
  name: "queue",
  summary: "one queue's waiting jobs: list (paged, search) and delete one by jid",
  usage: [
    "queue <name> [list] [--page <n>] [--per-page <n>] [--search <text>] [--class <c>] [--from <n>]",
    "queue <name> delete <jid>",
  ],
  description:
    "Lists in run order (#1 runs next) with one LRANGE per page, whatever the queue's size. --search and\n" +
    "--class read at most 10,000 jobs per call, in chunks, and say where to continue (--from).\n" +
    "delete removes the waiting job with that jid (its exact stored bytes); a running job is not touched.",
  flags: {
    page: { type: "string", value: "<n>", description: "page to list (default: 1)" },
    "per-page": { type: "string", value: "<n>", description: "jobs per page (default: 25)" },
    search: { type: "string", value: "<text>", description: "only jobs whose payload contains this text" },
    class: { type: "string", value: "<c>", description: "only jobs of this class" },
    from: { type: "string", value: "<n>", description: "position to start searching at (default: 1)" },
  },
  examples: [
    "verk queue default",
    "verk queue mailers --page 3 --per-page 100",
    "verk queue default --search ada@example.com",
    "verk queue default delete 5c820e38a1c2480751b5ab7e",
  ],
  async run(ctx, positionals, values) {
    const [name, sub = "list", jid, ...extra] = positionals;
    if (!name) throw new UsageError("queue needs a queue name, e.g. `verk queue default`");
    if (extra.length > 0) throw new UsageError(`unexpected argument "${extra[0]}"`);
    const admin = await ctx.admin();
    if (!(await admin.queueExists(name))) throw new CliError(`unknown queue "${name}"`);
    if (sub === "list") return list(ctx, name, values);
    if (sub !== "delete") throw new UsageError(`unknown queue subcommand "${sub}"; use list or delete`);
    if (!jid) throw new UsageError("queue delete needs a jid");
    const job = await admin.deleteQueueJob(name, jid);
    if (!job) throw new CliError(`no job with jid ${jid} is waiting in "${name}"`);
    if (ctx.options.json) ctx.printJson({ queue: name, deleted: jobJson(job) });
    else ctx.print(`deleted job ${jid} (${job.className || "unreadable"}) from "${name}"`);
    return 0;
  },
};
