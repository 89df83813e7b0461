import { existsSync } from "node:fs";
import { isVerkError } from "@verk/core";
import { describe, expect, it } from "vitest";
import { startCluster, startSentinel } from "../src/index.js";
import { redisServersOn } from "./processes.js";

describe("stop()", () => {
  it("stops every process a cluster and a sentinel setup started and removes their directories", async () => {
    const [cluster, sentinel] = await Promise.all([startCluster({ replicasPerMaster: 0 }), startSentinel()]);
    const clusterPorts = cluster.nodes.map((node) => node.port);
    const sentinelPorts = [...sentinel.nodes, ...sentinel.sentinels].map((node) => node.port);
    const ports = [...clusterPorts, ...sentinelPorts];
    const dirs = ports.map((port) => (clusterPorts.includes(port) ? cluster : sentinel).server(port).dir);
    expect(clusterPorts).toHaveLength(3);
    expect(sentinelPorts).toHaveLength(5);
    for (const port of ports) expect(redisServersOn(port), `port ${port}`).toHaveLength(1);
    await cluster.killNode(clusterPorts[0]!); // a killed node is stopped too
    await Promise.all([cluster.stop(), sentinel.stop()]);
    await Promise.all([cluster.stop(), sentinel.stop()]); // idempotent
    for (const port of ports) expect(redisServersOn(port), `port ${port}`).toEqual([]);
    for (const dir of dirs) expect(existsSync(dir), dir).toBe(false);
  });

  it("rejects unknown and invalid options before starting anything", async () => {
    const error = await startCluster({ master: 3 } as never).catch((e: unknown) => e);
    expect(isVerkError(error) && error.code === "INVALID_OPTION" && error.field).toBe("startCluster.master");
    expect(String(error)).toContain('did you mean "masters"');
    const invalid = await startCluster({ masters: 2 }).catch((e: unknown) => e);
    expect(isVerkError(invalid) && invalid.field).toBe("startCluster.masters");
    const sentinel = await startSentinel({ replicas: 0 }).catch((e: unknown) => e);
    expect(isVerkError(sentinel) && sentinel.field).toBe("startSentinel.replicas");
  });
});
