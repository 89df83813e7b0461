import { createServer } from "node:net";

/** Find a free TCP port on 127.0.0.1 (the kernel picks one). */
export async function freePort(): Promise<number> {
  return new Promise((resolve, reject) => {
    const server = createServer();
    server.unref();
    server.on("error", reject);
    server.listen(0, "127.0.0.1", () => {
      const address = server.address();
      const port = typeof address === "object" && address ? address.port : 0;
      server.close(() => resolve(port));
    });
  });
}

/** True when `port` can be bound on 127.0.0.1 right now. */
export function isPortFree(port: number): Promise<boolean> {
  return new Promise((resolve) => {
    const server = createServer();
    server.unref();
    server.once("error", () => resolve(false));
    server.listen(port, "127.0.0.1", () => server.close(() => resolve(true)));
  });
}

/** Offset of a Redis Cluster node's bus port from its client port (fixed by Redis before 7.0). */
export const CLUSTER_BUS_OFFSET = 10_000;

const CLUSTER_PORT_MIN = 12_000;
const CLUSTER_PORT_MAX = 22_000;

/**
 * A free port for a Redis Cluster node: `port` and `port + 10,000` (its cluster bus) are both free.
 * Drawn at random from 12,000–22,000, so the bus port (22,000–32,000) stays below Linux's
 * ephemeral range (32,768+) where outgoing connections take their ports. `exclude` lists ports
 * already handed out.
 */
export async function freeClusterPort(exclude: ReadonlySet<number> = new Set()): Promise<number> {
  for (let attempt = 0; attempt < 200; attempt++) {
    const port = CLUSTER_PORT_MIN + Math.floor(Math.random() * (CLUSTER_PORT_MAX - CLUSTER_PORT_MIN));
    if (exclude.has(port) || exclude.has(port + CLUSTER_BUS_OFFSET)) continue;
    if ((await isPortFree(port)) && (await isPortFree(port + CLUSTER_BUS_OFFSET))) return port;
  }
  throw new Error(
    `no free port pair (port, port + ${CLUSTER_BUS_OFFSET}) found in ${CLUSTER_PORT_MIN}-${CLUSTER_PORT_MAX}`,
  );
}
