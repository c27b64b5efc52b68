/** Link faults on the real path: the commands by exact strings, and the target that lays them in order. */
import { describe, expect, it } from "vitest";
import { blackHoleCommands, impairedProfile, impairmentCommands, leafCommands, resetConnectionsCommand } from "../../netem/tc/fault-commands.js";
import { TcFaultTarget, type ShapedDestination } from "../../netem/tc/fault-target.js";
import type { Command } from "../../netem/tc/builder.js";

const base = { delayMs: 47.671, rateMbit: 1000, lossPct: 0.01 };

describe("fault commands (exact strings)", () => {
  it("an impaired profile: loss and rate replace, delay adds, Gilbert-Elliott replaces random loss", () => {
    expect(impairedProfile(base, undefined)).toBe(base);
    const worse = impairedProfile(base, { lossPct: 1, rateMbit: 100, extraDelayMs: 80 });
    expect(worse).toMatchObject({ rateMbit: 100, lossPct: 1, gilbertElliott: undefined });
    expect(worse.delayMs).toBeCloseTo(127.671, 9);
    const ge = { p: 0.25, r: 25 };
    expect(impairedProfile(base, { gilbertElliott: ge })).toEqual({ delayMs: 47.671, rateMbit: 1000, lossPct: undefined, gilbertElliott: ge });
  });

  it("a black hole is a zero-length FIFO in the destination's leaf; the leaf goes back as netem", () => {
    expect(blackHoleCommands("eth0", 1)).toEqual([["tc", "qdisc", "replace", "dev", "eth0", "parent", "1:11", "handle", "11:", "pfifo", "limit", "0"]]);
    expect(leafCommands("eth0", 0, { delayMs: 47.671, rateMbit: 100 })[0].join(" ")).toBe("tc qdisc replace dev eth0 parent 1:10 handle 10: netem limit 1000 delay 47.671ms rate 100mbit");
    expect(resetConnectionsCommand("10.0.0.2")).toEqual(["ss", "-K", "dst", "10.0.0.2"]);
  });

  it("down: black hole, then the leaf back; partition: black hole and one reset when it starts; rate dip: the leaf changed in place", () => {
    const at = (before: object | undefined, now: object | undefined) => impairmentCommands("eth0", 0, "10.0.0.2", base, before, now).map((c) => c.join(" "));
    expect(at(undefined, { down: true })).toEqual(["tc qdisc replace dev eth0 parent 1:10 handle 10: pfifo limit 0"]);
    expect(at({ down: true }, undefined)).toEqual(["tc qdisc replace dev eth0 parent 1:10 handle 10: netem limit 7946 delay 47.671ms loss random 0.01% rate 1gbit"]);
    expect(at(undefined, { partition: true })).toEqual(["tc qdisc replace dev eth0 parent 1:10 handle 10: pfifo limit 0", "ss -K dst 10.0.0.2"]);
    expect(at({ partition: true }, { partition: true, rateMbit: 10 })).toEqual(["tc qdisc replace dev eth0 parent 1:10 handle 10: pfifo limit 0"]);
    expect(at(undefined, { rateMbit: 100 })).toEqual(["tc qdisc replace dev eth0 parent 1:10 handle 10: netem limit 1000 delay 47.671ms loss random 0.01% rate 100mbit"]);
  });
});

describe("TcFaultTarget", () => {
  const destinations = new Map<number, ShapedDestination>([[1, { index: 0, ip: "10.0.0.2", profile: base }], [2, { index: 1, ip: "10.0.0.3", profile: base }]]);
  function recorder(): { target: TcFaultTarget; ran: string[] } {
    const ran: string[] = [];
    const target = new TcFaultTarget({ dev: "eth0", self: 0, destinations, run: async (c: Command) => void ran.push(c.join(" ")) });
    return { target, ran };
  }

  it("lays only its own site's egress faults, merges overlapping ones and lifts them in order", async () => {
    const { target, ran } = recorder();
    target.impair(1, 0, "faults[0]", { down: true }); // another site's egress: not this host's to shape
    target.impair(0, 2, "faults[1]", { rateMbit: 100 });
    target.impair(0, 2, "faults[2]", { down: true });
    target.impair(0, 2, "faults[2]", undefined);
    target.impair(0, 2, "faults[1]", undefined);
    await target.settled();
    expect(ran).toEqual([
      "tc qdisc replace dev eth0 parent 1:11 handle 11: netem limit 1000 delay 47.671ms loss random 0.01% rate 100mbit",
      "tc qdisc replace dev eth0 parent 1:11 handle 11: pfifo limit 0",
      "tc qdisc replace dev eth0 parent 1:11 handle 11: netem limit 1000 delay 47.671ms loss random 0.01% rate 100mbit",
      "tc qdisc replace dev eth0 parent 1:11 handle 11: netem limit 7946 delay 47.671ms loss random 0.01% rate 1gbit",
    ]);
  });

  it("a command that fails is reported and the next ones still run", async () => {
    const errors: string[] = [];
    const ran: string[] = [];
    const target = new TcFaultTarget({
      dev: "eth0", self: 0, destinations, onError: (e) => errors.push(e.message),
      run: async (c: Command) => {
        if (c[0] === "ss") throw new Error("ss: no INET_DIAG_DESTROY");
        ran.push(c.join(" "));
      },
    });
    target.impair(0, 1, "faults[0]", { partition: true });
    target.impair(0, 1, "faults[0]", undefined);
    await target.settled();
    expect(errors).toEqual(["ss: no INET_DIAG_DESTROY"]);
    expect(ran).toHaveLength(2);
  });
});
