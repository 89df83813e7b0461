import { describe, expect, it } from "vitest";
import { parseClusterNodes, slotOwners } from "../src/cluster/cluster-nodes.js";

describe("parseClusterNodes", () => {
  it("reads ids, addresses, roles, masters, slot ranges and failure flags; skips migration markers", () => {
    const nodes = parseClusterNodes(
      [
        "aaa 127.0.0.1:7001@17001 myself,master - 0 0 1 connected 0-5460 [5461->-ccc]",
        "bbb 127.0.0.1:7002@17002,host-b slave aaa 0 1700000000000 1 connected",
        "ccc 127.0.0.1:7003@17003 master,fail - 1700000000000 1700000000000 2 disconnected 5461-10922 16383",
        "ddd 127.0.0.1:7004@17004 master - 0 1700000000000 3 connected 10923-16382",
        "",
      ].join("\n"),
    );
    expect(nodes.map((node) => [node.id, node.port, node.role, node.masterPort, node.failing])).toEqual([
      ["aaa", 7001, "master", undefined, false],
      ["bbb", 7002, "replica", 7001, false],
      ["ccc", 7003, "master", undefined, true],
      ["ddd", 7004, "master", undefined, false],
    ]);
    expect(nodes[0]!.slots).toEqual([[0, 5460]]);
    expect(nodes[1]!.slots).toEqual([]);
    expect(nodes[1]!.masterId).toBe("aaa");
    expect(nodes[2]!.slots).toEqual([
      [5461, 10922],
      [16383, 16383],
    ]);
    const owners = slotOwners(nodes);
    expect([owners[0], owners[5461], owners[16383], owners[12000]]).toEqual(["aaa", "ccc", "ccc", "ddd"]);
  });
});
