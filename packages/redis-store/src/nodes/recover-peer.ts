import { isUtf8 } from "node:buffer";
import type { PeerRecovery, RecoverPeerOptions } from "@verk/core";
import type { RedisClient } from "../client.js";
import type { Keys } from "../keys.js";
import { editMembers, readMember, topLevelMembers } from "../payload-edit.js";
import { formatSeconds, runScript } from "../scripts.js";

/** Payload bytes per `recover-peer` call, so one call never holds Redis long whatever the payload size. */
const RECOVER_CALL_BYTES = 1 << 20;

/**
 * The replacement of one recovered payload: its `recoveries` counter incremented (the payload is
 * otherwise kept byte for byte), or, past `maxRecoveries`, a poison-pill entry for the dead set.
 * Unreadable payloads go back unchanged (the runtime dead-letters them when fetched).
 */
export function recoveryOf(
  member: Buffer,
  peerId: string,
  maxRecoveries: number,
  now: number,
): { op: "back" | "dead"; replacement: Buffer | string } {
  if (!isUtf8(member)) return { op: "back", replacement: member };
  const text = member.toString("utf8");
  const members = topLevelMembers(text);
  if (members === undefined) return { op: "back", replacement: member };
  const previous = readMember(text, members, "recoveries");
  const count = (typeof previous === "number" ? previous : 0) + 1;
  if (count <= maxRecoveries) {
    return {
      op: "back",
      replacement: editMembers(text, members, ["recoveries"], [["recoveries", String(count)]]),
    };
  }
  const message = `recovered from dead nodes ${count} times (more than maxRecoveries = ${maxRecoveries}; last from node ${peerId}): moved to the dead set as a poison pill`;
  const created = readMember(text, members, "created_at");
  const stamp =
    typeof created === "number" && created > 1e11 ? String(Math.round(now * 1000)) : formatSeconds(now);
  return {
    op: "dead",
    replacement: editMembers(
      text,
      members,
      ["recoveries", "error_class", "error_message", "failed_at"],
      [
        ["recoveries", String(count)],
        ["error_class", '"Verk::PoisonPill"'],
        ["error_message", JSON.stringify(message)],
        ["failed_at", stamp],
      ],
    ),
  };
}

/**
 * Put every in-progress job of a peer whose heartbeat expired back at the front of its queue
 * (`lua/recover-peer.lua`, batch by batch, each step re-checking atomically that the peer is
 * still dead), counting recoveries per job; poison pills go to the queue's dead set.
 */
export async function recoverPeer(
  client: RedisClient,
  keys: Keys,
  peerId: string,
  options: RecoverPeerOptions,
): Promise<PeerRecovery> {
  const queues = await client.smembers(keys.nodeQueues(peerId));
  let recovered = 0;
  let poisoned = 0;
  for (const queue of queues) {
    const list = keys.inprogress(queue, peerId);
    const scriptKeys = [keys.aliveMarker(queue, peerId), list, keys.queue(queue), keys.setOf("dead", queue)];
    for (;;) {
      const members = await client.lrangeBuffer(list, 0, Math.max(1, options.batchSize) - 1);
      if (members.length === 0) break;
      const now = Date.now() / 1000;
      let moved = 0;
      for (let i = 0; i < members.length; ) {
        const args: (string | number | Buffer)[] = [
          formatSeconds(now),
          Math.max(0, Math.floor(options.deadLimits.maxJobs)),
          formatSeconds(now - options.deadLimits.maxAgeSeconds),
        ];
        let bytes = 0;
        const start = i;
        while (i < members.length && (i === start || bytes + members[i]!.length * 2 <= RECOVER_CALL_BYTES)) {
          const member = members[i]!;
          const { op, replacement } = recoveryOf(member, peerId, options.maxRecoveries, now);
          args.push(op, member, replacement);
          bytes += member.length * 2;
          i++;
        }
        const reply = (await runScript(client, "recover-peer", scriptKeys, args)) as number[];
        if (reply[0] === -1) return { recovered, poisoned, dead: false };
        recovered += reply[0]!;
        poisoned += reply[1]!;
        moved += reply[0]! + reply[1]!;
      }
      if (moved === 0) break; // the list changed under us (another recoverer): read again later
    }
  }
  return { recovered, poisoned, dead: true };
}
