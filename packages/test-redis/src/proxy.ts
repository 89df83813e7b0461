import { createServer, type Server, Socket } from "node:net";
import { assertKnownKeys, invalidOption } from "@verk/core";

/** Which way {@link TcpProxy.pause} stops the bytes: client → server, server → client, or both. */
export type ProxyDirection = "both" | "requests" | "replies";

/** A loopback TCP proxy in front of a server, for fault tests; from {@link startProxy}. */
export interface TcpProxy {
  /** Always `127.0.0.1`. */
  readonly host: string;
  /** The port clients connect to. */
  readonly port: number;
  /** `redis://127.0.0.1:<port>`: give it to a client instead of the server's URL. */
  readonly url: string;
  /** Client connections open now. */
  readonly connections: number;
  /** Connections accepted since the start (refused ones included). */
  readonly accepted: number;
  /**
   * Stall: stop forwarding bytes in `direction` (default `"both"`) on every connection, current
   * and new, while keeping the connections open (bytes wait in the socket buffers, so nothing is
   * lost: {@link TcpProxy.resume} delivers them in order). `"replies"` lets requests reach the
   * server but holds its answers: with {@link TcpProxy.cut} afterwards, a request was executed
   * and its reply is never received.
   */
  pause(direction?: ProxyDirection): void;
  /** Forward again in every direction (held bytes first). */
  resume(): void;
  /** Drop every open connection at once (both sides closed, bytes held by a pause discarded). New connections are accepted. */
  cut(): void;
  /**
   * Outage: while `true`, every new connection is closed as soon as it is accepted (together with
   * {@link TcpProxy.cut}: the server looks down). `false` accepts connections again.
   */
  refuse(on?: boolean): void;
  /** Close every connection and stop listening. Idempotent. */
  close(): Promise<void>;
}

/** Options of {@link startProxy}. */
export interface StartProxyOptions {
  /** Port to listen on. (Default: a free loopback port) */
  port?: number;
}

/** Where {@link startProxy} forwards to: a port on 127.0.0.1, a `redis://host:port` URL, or `{ host, port }`. */
export type ProxyTarget = number | string | { readonly host?: string; readonly port: number };

interface Pair {
  readonly client: Socket;
  readonly server: Socket;
}

function targetOf(target: ProxyTarget): { host: string; port: number } {
  if (typeof target === "number") return { host: "127.0.0.1", port: target };
  if (typeof target === "string") {
    const url = new URL(target);
    return { host: url.hostname || "127.0.0.1", port: Number(url.port || 6379) };
  }
  return { host: target.host ?? "127.0.0.1", port: target.port };
}

/**
 * Start a TCP proxy on 127.0.0.1 in front of `target` (e.g. a `startRedis()` server) that can
 * stall, cut and refuse connections on demand: `pause()`/`resume()` (a server that stops
 * answering without closing anything), `cut()` (connections dropped), `refuse()` (an outage).
 * @throws VerkError `INVALID_OPTION` on an unknown option or a bad target.
 * @example
 * const proxy = await startProxy(redis.url);
 * const store = redisStore({ url: proxy.url });
 * proxy.pause(); // ... a 3 s stall ...
 * proxy.resume();
 */
export async function startProxy(target: ProxyTarget, options: StartProxyOptions = {}): Promise<TcpProxy> {
  assertKnownKeys(options, ["port"], "startProxy");
  const upstream = targetOf(target);
  if (!Number.isInteger(upstream.port) || upstream.port < 1 || upstream.port > 65_535)
    throw invalidOption("startProxy.target", `needs a TCP port, got ${JSON.stringify(target)}`);
  const pairs = new Set<Pair>();
  let holdRequests = false;
  let holdReplies = false;
  let refusing = false;
  let accepted = 0;

  const apply = (pair: Pair) => {
    if (holdRequests) pair.client.pause();
    else pair.client.resume();
    if (holdReplies) pair.server.pause();
    else pair.server.resume();
  };

  const server: Server = createServer((client) => {
    accepted++;
    if (refusing) {
      client.destroy();
      return;
    }
    const socket = new Socket();
    const pair: Pair = { client, server: socket };
    pairs.add(pair);
    const drop = () => {
      pairs.delete(pair);
      client.destroy();
      socket.destroy();
    };
    client.on("error", drop);
    socket.on("error", drop);
    client.on("close", drop);
    socket.on("close", drop);
    client.on("data", (chunk) => socket.write(chunk));
    socket.on("data", (chunk) => client.write(chunk));
    socket.connect(upstream.port, upstream.host);
    apply(pair);
  });
  await new Promise<void>((resolve, reject) => {
    server.once("error", reject);
    server.listen(options.port ?? 0, "127.0.0.1", () => {
      server.off("error", reject);
      resolve();
    });
  });
  const address = server.address();
  const port = typeof address === "object" && address !== null ? address.port : 0;
  const cut = () => {
    for (const pair of [...pairs]) {
      pairs.delete(pair);
      pair.client.destroy();
      pair.server.destroy();
    }
  };
  let closing: Promise<void> | undefined;
  return {
    host: "127.0.0.1",
    port,
    url: `redis://127.0.0.1:${port}`,
    get connections() {
      return pairs.size;
    },
    get accepted() {
      return accepted;
    },
    pause(direction: ProxyDirection = "both") {
      if (!["both", "requests", "replies"].includes(direction))
        throw invalidOption(
          "pause.direction",
          `must be "both", "requests" or "replies", got ${String(direction)}`,
        );
      holdRequests = direction !== "replies";
      holdReplies = direction !== "requests";
      for (const pair of pairs) apply(pair);
    },
    resume() {
      holdRequests = false;
      holdReplies = false;
      for (const pair of pairs) apply(pair);
    },
    cut,
    refuse(on = true) {
      refusing = on;
    },
    close() {
      closing ??= new Promise<void>((resolve) => {
        refusing = true;
        cut();
        server.close(() => resolve());
      });
      return closing;
    },
  };
}
