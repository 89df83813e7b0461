import {
  type ActionResult,
  type AdminSetName,
  decodeBacktrace,
  type ListOptions,
  type MoveAction,
  type SetEntry,
} from "@verk/redis-store";
import type { Command } from "../command.js";
import { intFlag } from "../command.js";
import type { Context } from "../context.js";
import { CliError, UsageError } from "../util/errors.js";
import { count, table, truncate, when } from "../util/format.js";
import { progressBar } from "../util/progress.js";
import { payloadMs } from "../util/time.js";

type Action = MoveAction | "delete";

interface SetSpec {
  readonly command: string;
  readonly set: AdminSetName;
  readonly noun: string;
  readonly plural: string;
  readonly scoreLabel: string;
  /** Subcommand → admin action. */
  readonly actions: Readonly<Record<string, Action>>;
}

const SPECS: readonly SetSpec[] = [
  {
    command: "retries",
    set: "retry",
    noun: "retry",
    plural: "retries",
    scoreLabel: "NEXT RETRY",
    actions: { retry: "retry", delete: "delete", kill: "kill" },
  },
  {
    command: "scheduled",
    set: "schedule",
    noun: "scheduled job",
    plural: "scheduled jobs",
    scoreLabel: "RUNS",
    actions: { "enqueue-now": "enqueue", delete: "delete", kill: "kill" },
  },
  {
    command: "dead",
    set: "dead",
    noun: "dead job",
    plural: "dead jobs",
    scoreLabel: "DIED",
    actions: { retry: "retry", delete: "delete" },
  },
];

const PAST: Record<Action, string> = {
  retry: "retried",
  enqueue: "enqueued",
  kill: "killed",
  delete: "deleted",
};

function filters(values: Record<string, unknown>): ListOptions {
  return {
    ...(typeof values.class === "string" ? { className: values.class } : {}),
    ...(typeof values.queue === "string" ? { queue: values.queue } : {}),
    ...(typeof values.error === "string" ? { errorText: values.error } : {}),
  };
}

function entryJson(e: SetEntry) {
  const backtrace = decodeBacktrace(e.payload?.error_backtrace);
  return {
    jid: e.jid,
    class: e.className,
    queue: e.queue,
    score: e.score,
    at: new Date(e.score * 1000).toISOString(),
    error: e.error || undefined,
    retry_count: e.retryCount,
    ...(backtrace ? { backtrace } : {}),
    payload: e.payload ?? e.raw,
  };
}

async function list(ctx: Context, spec: SetSpec, values: Record<string, unknown>): Promise<number> {
  const perPage = intFlag(values["per-page"], "per-page", 25, 1);
  const page = intFlag(values.page, "page", 1, 1);
  const admin = await ctx.admin();
  const result = await admin.list(spec.set, {
    ...filters(values),
    offset: (page - 1) * perPage,
    limit: perPage,
  });
  if (ctx.options.json) {
    ctx.printJson({
      total: result.total,
      matched: result.matched,
      page,
      perPage,
      entries: result.entries.map(entryJson),
    });
    return 0;
  }
  const p = ctx.p;
  if (result.entries.length === 0) {
    ctx.print(
      result.total === 0
        ? `no ${spec.plural}`
        : `no ${spec.plural} match on page ${page} (${result.matched} match)`,
    );
    return 0;
  }
  const now = Date.now();
  const withError = spec.set !== "schedule";
  ctx.print(
    table(
      [
        { header: "JID" },
        { header: "CLASS" },
        { header: "QUEUE" },
        { header: spec.scoreLabel },
        ...(withError
          ? [{ header: "RETRIES", align: "right" as const }, { header: "ERROR" }]
          : [{ header: "ARGS" }]),
      ],
      result.entries.map((e) => [
        e.jid || p.dim("(none)"),
        e.className || p.dim("(unreadable)"),
        e.queue,
        when(e.score * 1000, now),
        ...(withError
          ? [e.retryCount === undefined ? "-" : String(e.retryCount), p.red(truncate(e.error, 60))]
          : [truncate(JSON.stringify(e.payload?.args ?? null), 40)]),
      ]),
      p,
    ),
  );
  const pages = Math.max(1, Math.ceil(result.matched / perPage));
  const filtered = result.matched !== result.total ? ` (${count(result.matched)} match)` : "";
  ctx.print(
    p.dim(
      `page ${page}/${pages} · ${count(result.total)} ${spec.plural}${filtered}${page < pages ? ` · next: --page ${page + 1}` : ""}`,
    ),
  );
  return 0;
}

async function show(ctx: Context, spec: SetSpec, jid: string | undefined): Promise<number> {
  if (!jid) throw new UsageError(`${spec.command} show needs a jid`);
  const entry = await (await ctx.admin()).find(spec.set, jid);
  if (!entry) throw new CliError(`no ${spec.noun} with jid ${jid}`);
  if (ctx.options.json) {
    ctx.printJson(entryJson(entry));
    return 0;
  }
  const p = ctx.p;
  const now = Date.now();
  const payload = entry.payload ?? {};
  const rows: [string, string][] = [
    ["jid", entry.jid],
    ["class", entry.className],
    ["queue", entry.queue],
    [spec.scoreLabel.toLowerCase(), when(entry.score * 1000, now)],
    ["created", when(payloadMs(payload.created_at), now)],
  ];
  if (entry.retryCount !== undefined) rows.push(["retry count", String(entry.retryCount)]);
  if (payload.failed_at !== undefined) rows.push(["failed", when(payloadMs(payload.failed_at), now)]);
  if (payload.retried_at !== undefined) rows.push(["retried", when(payloadMs(payload.retried_at), now)]);
  if (entry.error) rows.push(["error", p.red(entry.error)]);
  rows.push(["args", JSON.stringify(payload.args ?? null)]);
  for (const [k, v] of rows) ctx.print(`${p.bold(k.padEnd(12))} ${v}`);
  const trace = decodeBacktrace(payload.error_backtrace);
  if (trace) {
    ctx.print(p.bold("backtrace"));
    for (const line of trace) ctx.print(`  ${line}`);
  } else if (payload.error_backtrace !== undefined)
    ctx.print(`${p.bold("backtrace".padEnd(12))} ${p.dim("(cannot be decoded)")}`);
  const shown = { ...payload };
  if (trace) delete shown.error_backtrace;
  ctx.print(`${p.bold("payload".padEnd(12))} ${entry.payload ? JSON.stringify(shown) : entry.raw}`);
  return 0;
}

async function act(
  ctx: Context,
  spec: SetSpec,
  sub: string,
  action: Action,
  jid: string | undefined,
  values: Record<string, unknown>,
): Promise<number> {
  const all = values.all === true;
  if (all === (jid !== undefined))
    throw new UsageError(`${spec.command} ${sub} needs a jid or --all (not both)`);
  const admin = await ctx.admin();
  let result: ActionResult | undefined;
  if (all) {
    const bar = progressBar(ctx.io.stderr, `${sub}`, ctx.pe);
    result = await admin.actOnAll(spec.set, action, filters(values), (done, total) =>
      bar.update(done, total),
    );
    bar.finish();
  } else {
    result = await admin.actOn(spec.set, jid!, action);
    if (!result) throw new CliError(`no ${spec.noun} with jid ${jid}`);
    if (result.done === 0 && result.invalid > 0)
      throw new CliError(`${spec.noun} ${jid} has no readable queue; it was left in place`);
    if (result.done === 0)
      throw new CliError(`${spec.noun} ${jid} was taken meanwhile (by a scheduler or another operator)`);
  }
  if (ctx.options.json) ctx.printJson({ action: sub, ...result });
  else {
    const notes = [
      result.gone > 0 ? `${result.gone} already gone (taken meanwhile)` : "",
      result.invalid > 0 ? `${result.invalid} left in place (no readable queue)` : "",
    ].filter(Boolean);
    ctx.print(
      `${PAST[action]} ${count(result.done)} ${result.done === 1 ? spec.noun : spec.plural}${notes.length ? `; ${notes.join(", ")}` : ""}`,
    );
  }
  return 0;
}

function setCommand(spec: SetSpec): Command {
  const subs = ["list", "show", ...Object.keys(spec.actions)];
  return {
    name: spec.command,
    summary: `${spec.plural}: ${subs.join(", ")}`,
    usage: [
      `${spec.command} list [--class <c>] [--queue <q>] [--error <text>] [--page <n>] [--per-page <n>]`,
      `${spec.command} show <jid>`,
      ...Object.keys(spec.actions).map((a) => `${spec.command} ${a} <jid> | --all [filters]`),
    ],
    description:
      `The ${spec.set} sorted set. Actions on one job or on every job matching the filters (--all, with a\n` +
      "progress bar on a terminal). A job is moved only if this command removed it from the set, so a\n" +
      "concurrent scheduler never runs it twice and none is lost.",
    flags: {
      class: { type: "string", value: "<c>", description: "only jobs of this class" },
      queue: { type: "string", short: "q", value: "<q>", description: "only jobs of this queue" },
      error: { type: "string", value: "<text>", description: "only jobs whose error contains this text" },
      page: { type: "string", value: "<n>", description: "page to list (default: 1)" },
      "per-page": { type: "string", value: "<n>", description: "jobs per page (default: 25)" },
      all: { type: "boolean", description: "act on every job matching the filters" },
    },
    examples: [
      `verk ${spec.command} list`,
      `verk ${spec.command} list --class SendEmail --error timeout --page 2`,
      `verk ${spec.command} show 5c820e38a1c2480751b5ab7e`,
      `verk ${spec.command} ${Object.keys(spec.actions)[0]} 5c820e38a1c2480751b5ab7e`,
      `verk ${spec.command} ${Object.keys(spec.actions)[0]} --all --queue mailers`,
    ],
    async run(ctx, positionals, values) {
      const [sub = "list", jid, ...extra] = positionals;
      if (extra.length > 0) throw new UsageError(`unexpected argument "${extra[0]}"`);
      if (sub === "list") return list(ctx, spec, values);
      if (sub === "show") return show(ctx, spec, jid);
      const action = spec.actions[sub];
      if (!action) {
        const hint =
          spec.set === "schedule" && sub === "retry"
            ? ' (scheduled jobs are run early with "enqueue-now")'
            : "";
        throw new UsageError(
          `unknown ${spec.command} subcommand "${sub}"${hint}; use one of: ${subs.join(", ")}`,
        );
      }
      return act(ctx, spec, sub, action, jid, values);
    },
  };
}

/** `verk retries`, `verk scheduled`, `verk dead`. */
export const setCommands: Command[] = SPECS.map(setCommand);
