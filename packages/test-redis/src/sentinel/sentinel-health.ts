import { tryRedisCommand } from "../redis-command.js";

/** A flat `[field, value, field, value, ...]` reply (SENTINEL MASTER, SENTINEL REPLICAS entries) as a record. */
function fields(reply: unknown): Record<string, string> {
  const out: Record<string, string> = {};
  if (!Array.isArray(reply)) return out;
  for (let i = 0; i + 1 < reply.length; i += 2) out[String(reply[i])] = String(reply[i + 1]);
  return out;
}

/**
 * What keeps the sentinel on `port` from being ready to fail `masterName` over, or `undefined`
 * when it is ready: it sees the master up (flags exactly `master`, no failover running), knows at
 * least `otherSentinels` other sentinels, and sees at least `healthyReplicas` replicas of that
 * master that are up with their replication link `ok`.
 */
export async function sentinelProblem(
  port: number,
  masterName: string,
  healthyReplicas: number,
  otherSentinels: number,
): Promise<string | undefined> {
  const master = fields(await tryRedisCommand(port, "SENTINEL", "MASTER", masterName));
  if (master.flags !== "master") return `master flags "${master.flags ?? "unreachable"}"`;
  const others = Number(master["num-other-sentinels"]);
  if (!(others >= otherSentinels)) return `knows ${others} other sentinels, not ${otherSentinels}`;
  const replicas = await tryRedisCommand(port, "SENTINEL", "REPLICAS", masterName);
  if (!Array.isArray(replicas)) return "no SENTINEL REPLICAS reply";
  const healthy = replicas
    .map(fields)
    .filter(
      (replica) =>
        replica.flags === "slave" &&
        replica["master-link-status"] === "ok" &&
        replica["master-port"] === master.port,
    ).length;
  if (healthy < healthyReplicas) return `sees ${healthy} healthy replicas, not ${healthyReplicas}`;
  return undefined;
}
