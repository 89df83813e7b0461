import { createServer } from "node:http";
import type { AddressInfo } from "node:net";
import type { Command } from "../command.js";
import { intFlag } from "../command.js";
import { CliError, UsageError } from "../util/errors.js";

const LOOPBACK = new Set(["127.0.0.1", "::1", "localhost"]);

/** `verk web`: serve the @verk/web dashboard. */
export const web: Command = {
  name: "web",
  summary: "serve the dashboard (queues, nodes, retries, scheduled, dead, cron, metrics) over HTTP",
  usage: [
    "web [--port <n>] [--host <addr>] [--basic-auth <user:password>] [--read-only] [--base-path <path>]",
  ],
  description:
    "Serves @verk/web until SIGINT/SIGTERM. Listens on 127.0.0.1 unless --host says otherwise; on any\n" +
    "other address, protect it with --basic-auth (or VERK_WEB_BASIC_AUTH=user:password, which keeps the\n" +
    "password out of the process list). --read-only shows everything and refuses every action.",
  flags: {
    port: {
      type: "string",
      short: "p",
      value: "<n>",
      description: "TCP port; 0 picks a free one (default: 3000)",
    },
    host: { type: "string", value: "<addr>", description: "interface to listen on (default: 127.0.0.1)" },
    "basic-auth": {
      type: "string",
      value: "<user:password>",
      description: "require HTTP Basic credentials on every route (default: $VERK_WEB_BASIC_AUTH)",
    },
    "read-only": { type: "boolean", description: "hide and refuse every action" },
    "base-path": {
      type: "string",
      value: "<path>",
      description: "serve under this path, e.g. /verk (default: /)",
    },
  },
  examples: [
    "verk web",
    "verk web --port 8080 --read-only",
    "VERK_WEB_BASIC_AUTH=ops:s3cret verk web --host 0.0.0.0 --port 3000",
  ],
  async run(ctx, positionals, values) {
    if (positionals.length > 0) throw new UsageError(`unexpected argument "${positionals[0]}"`);
    const port = intFlag(values.port, "port", 3000, 0);
    if (port > 65_535) throw new UsageError("--port must be at most 65535");
    const host = (values.host as string | undefined) ?? "127.0.0.1";
    const authText = (values["basic-auth"] as string | undefined) ?? ctx.io.env.VERK_WEB_BASIC_AUTH;
    const { createDashboard, parseBasicAuth } = await import("@verk/web");
    let basicAuth: { username: string; password: string } | undefined;
    if (authText !== undefined) {
      try {
        basicAuth = parseBasicAuth(authText);
      } catch {
        throw new UsageError('--basic-auth must look like "user:password"');
      }
    }
    const store = await ctx.store();
    let dashboard: ReturnType<typeof createDashboard>;
    try {
      dashboard = createDashboard({
        store,
        readOnly: values["read-only"] === true,
        ...(basicAuth ? { basicAuth } : {}),
        ...(typeof values["base-path"] === "string" ? { basePath: values["base-path"] } : {}),
      });
    } catch (error) {
      throw new UsageError(
        error instanceof Error
          ? error.message.replace(/^invalid option "basePath"/, "--base-path")
          : String(error),
      );
    }
    const server = createServer(dashboard);
    await new Promise<void>((resolve, reject) => {
      server.once("error", (error: NodeJS.ErrnoException) =>
        reject(new CliError(`cannot listen on ${host}:${port}: ${error.code ?? error.message}`)),
      );
      server.listen(port, host, () => resolve());
    });
    const address = server.address() as AddressInfo;
    const shown = address.family === "IPv6" ? `[${address.address}]` : address.address;
    const base = typeof values["base-path"] === "string" ? values["base-path"].replace(/\/+$/, "") : "";
    const url = `http://${shown}:${address.port}${base}/`;
    if (!LOOPBACK.has(host) && !basicAuth)
      ctx.note(
        `${ctx.pe.yellow("warning:")} listening on ${host} without --basic-auth: anyone who can reach it can act on your jobs`,
      );
    if (ctx.options.json)
      ctx.printJson({ url, redis: ctx.maskedUrl, readOnly: values["read-only"] === true });
    else
      ctx.print(
        `Verk Web on ${url} (Redis ${ctx.maskedUrl}${values["read-only"] === true ? ", read-only" : ""}${basicAuth ? ", basic auth" : ""}); Ctrl-C to stop`,
      );
    return new Promise<number>((resolveExit) => {
      let stopping = false;
      const stop = () => {
        if (stopping) return;
        stopping = true;
        server.closeAllConnections();
        server.close(() => {
          void dashboard.close().then(() => resolveExit(0));
        });
      };
      process.once("SIGINT", stop);
      process.once("SIGTERM", stop);
    });
  },
};
