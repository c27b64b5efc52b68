/** countTraffic's wrapper counts sends and hides nothing "auto" or the algorithms read from the transport. */
import { describe, expect, it } from "vitest";
import { countTraffic } from "../../../collectives/compression/traffic.js";
import type { Transport } from "../../../transports/transport.js";
import { parseTopology } from "../../../world/topology.js";

function fake(extra: Partial<Transport>): Transport {
  return { rank: 0, size: 2, send: async () => undefined, recv: async () => new Uint8Array(4), close: async () => undefined, ...extra };
}

describe("countTraffic", () => {
  it("forwards hostLinks, inProcess and shared, so counting changes no algorithm's choice", () => {
    const shared = {} as NonNullable<Transport["shared"]>;
    const counted = countTraffic(fake({ hostLinks: "unix", inProcess: true, shared }), parseTopology("2"));
    expect(counted.hostLinks).toBe("unix");
    expect(counted.inProcess).toBe(true);
    expect(counted.shared).toBe(shared);
    expect(countTraffic(fake({}), parseTopology("2")).hostLinks).toBeUndefined();
  });

  it("offers recvWith exactly when the inner transport has it, and passes the lent bytes through", async () => {
    expect(countTraffic(fake({}), parseTopology("2")).recvWith).toBeUndefined();
    const lent = new Uint8Array([1, 2, 3, 4]);
    const inner = fake({ recvWith: async (_peer, _tag, _ms, consume) => consume(lent) });
    let seen: Uint8Array | undefined;
    await countTraffic(inner, parseTopology("2")).recvWith!(1, 7, 1000, (bytes) => (seen = bytes));
    expect(seen).toBe(lent);
  });

  it("counts payload bytes by whether they cross a region boundary", async () => {
    const counted = countTraffic(fake({}), parseTopology("new-york:1,london:1"));
    await counted.send(1, 0, new Uint8Array(100));
    expect(counted.traffic).toEqual({ wanBytes: 100, lanBytes: 0, wanMessages: 1, lanMessages: 0 });
  });
});
