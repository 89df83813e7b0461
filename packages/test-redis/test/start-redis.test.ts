import { Socket } from "node:net";
import { describe, expect, it } from "vitest";
import { startRedis } from "../src/index.js";

function send(port: number, command: string): Promise<string> {
  return new Promise((resolve, reject) => {
    const socket = new Socket();
    socket.once("error", reject);
    socket.connect(port, "127.0.0.1", () => socket.write(command));
    socket.once("data", (data) => {
      socket.destroy();
      resolve(data.toString());
    });
  });
}

describe("startRedis", () => {
  it("starts a private server, restarts it on the same port, and stops it", async () => {
    const redis = await startRedis();
    try {
      expect(redis.url).toBe(`redis://127.0.0.1:${redis.port}`);
      expect(await send(redis.port, "SET k v\r\n")).toBe("+OK\r\n");
      await redis.kill();
      await redis.restart();
      // persistence is off, so the restarted server is empty
      expect(await send(redis.port, "GET k\r\n")).toBe("$-1\r\n");
    } finally {
      await redis.stop();
    }
    await expect(send(redis.port, "PING\r\n")).rejects.toThrow();
  });
});
