import { Socket } from "node:net";
import { Redis } from "ioredis";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { startProxy, startRedis, type TcpProxy, type TestRedis } from "../src/index.js";
import { until } from "../src/vitest.js";

let redis: TestRedis;
let direct: Redis;
beforeAll(async () => {
  redis = await startRedis();
  direct = new Redis(redis.url);
});
afterAll(async () => {
  await direct?.quit();
  await redis?.stop();
});

/** A raw connection through the proxy that records everything it receives and when it closed. */
async function rawClient(proxy: TcpProxy) {
  const socket = new Socket();
  let received = "";
  let closed = false;
  socket.on("data", (chunk) => {
    received += chunk.toString();
  });
  socket.on("close", () => {
    closed = true;
  });
  socket.on("error", () => {});
  await new Promise<void>((resolve) => socket.connect(proxy.port, "127.0.0.1", resolve));
  return {
    socket,
    send: (text: string) => socket.write(text),
    get received() {
      return received;
    },
    get closed() {
      return closed;
    },
  };
}

describe("startProxy", () => {
  it("forwards both ways and closes", async () => {
    const proxy = await startProxy(redis.url);
    const client = new Redis(proxy.url);
    try {
      expect(proxy.url).toBe(`redis://127.0.0.1:${proxy.port}`);
      await client.set("through", "proxy");
      expect(await direct.get("through")).toBe("proxy");
      expect(proxy.connections).toBe(1);
    } finally {
      client.disconnect();
      await proxy.close();
    }
    const refused = await new Promise<string>((resolve) => {
      const socket = new Socket();
      socket.once("error", (error: NodeJS.ErrnoException) => resolve(error.code ?? "error"));
      socket.connect(proxy.port, "127.0.0.1", () => resolve("connected"));
    });
    expect(refused).toBe("ECONNREFUSED");
  });

  it("pause() stalls a request without closing anything; resume() delivers it", async () => {
    const proxy = await startProxy(redis.port);
    try {
      const client = await rawClient(proxy);
      proxy.pause();
      client.send("SET stalled yes\r\n");
      const arrived = await until(async () => (await direct.get("stalled")) === "yes", 300).then(
        () => true,
        () => false,
      );
      expect(arrived).toBe(false);
      expect(client.closed).toBe(false);
      proxy.resume();
      await until(() => client.received === "+OK\r\n", 2_000, "the held reply");
      expect(await direct.get("stalled")).toBe("yes");
      client.socket.destroy();
    } finally {
      await proxy.close();
    }
  });

  it('pause("replies") + cut(): the server executed the request, the client never gets the reply', async () => {
    const proxy = await startProxy({ port: redis.port });
    try {
      const client = await rawClient(proxy);
      proxy.pause("replies");
      client.send("INCR executed\r\n");
      await until(async () => (await direct.get("executed")) === "1", 2_000, "the request to arrive");
      proxy.cut();
      await until(() => client.closed, 2_000, "the connection to close");
      expect(client.received).toBe("");
      expect(proxy.connections).toBe(0);
      proxy.resume();
      const again = await rawClient(proxy);
      again.send("GET executed\r\n");
      await until(() => again.received === "$1\r\n1\r\n", 2_000, "a reply on a new connection");
      again.socket.destroy();
    } finally {
      await proxy.close();
    }
  });

  it("refuse() + cut() is an outage: new connections close at once until refuse(false)", async () => {
    const proxy = await startProxy(redis.url);
    try {
      const first = await rawClient(proxy);
      proxy.refuse();
      proxy.cut();
      await until(() => first.closed, 2_000, "the open connection to drop");
      const refused = await rawClient(proxy);
      await until(() => refused.closed, 2_000, "the new connection to be refused");
      proxy.refuse(false);
      const back = await rawClient(proxy);
      back.send("PING\r\n");
      await until(() => back.received === "+PONG\r\n", 2_000, "PONG after the outage");
      back.socket.destroy();
      expect(proxy.accepted).toBe(3);
    } finally {
      await proxy.close();
    }
  });

  it("rejects unknown options and bad targets", async () => {
    await expect(startProxy(redis.port, { prot: 1 } as never)).rejects.toMatchObject({
      code: "INVALID_OPTION",
      message: expect.stringContaining('did you mean "port"'),
    });
    await expect(startProxy(0)).rejects.toMatchObject({ code: "INVALID_OPTION" });
  });
});
