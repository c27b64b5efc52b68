import { describe, expect, it } from "vitest";
import { bdpLimitPackets, formatRate, netemArgs } from "../../netem/tc/netem-args.js";
import { clearCommands, ingressCommands, perDestinationCommands, showCommands, singleLinkCommands } from "../../netem/tc/builder.js";

const lines = (commands: readonly (readonly string[])[]) => commands.map((c) => c.join(" "));

describe("tc command builder (exact strings)", () => {
  it("single link: root netem with delay, jitter, distribution, loss, rate and BDP-sized limit", () => {
    expect(lines(singleLinkCommands("eth0", { delayMs: 40, jitterMs: 2, distribution: "normal", lossPct: 0.01, rateMbit: 1000 }))).toEqual([
      "tc qdisc replace dev eth0 root netem limit 7334 delay 40ms 2ms distribution normal loss random 0.01% rate 1gbit",
    ]);
    expect(lines(singleLinkCommands("veth1", { delayMs: 11.84 }))).toEqual([
      "tc qdisc replace dev veth1 root netem limit 19734 delay 11.84ms",
    ]);
  });

  it("sizes the limit from the bandwidth-delay product, never below 1000", () => {
    // 1 Gbit/s × 66.72 ms = 8.34 MB = 5,560 packets of 1500 B; twice that for the rate queue and jitter.
    expect(bdpLimitPackets({ delayMs: 66.72, rateMbit: 1000 })).toBe(11120);
    expect(bdpLimitPackets({ delayMs: 5, rateMbit: 100 })).toBe(1000);
    expect(netemArgs({ delayMs: 66.72, rateMbit: 1000, limit: 42 })).toEqual(["netem", "limit", "42", "delay", "66.72ms", "rate", "1gbit"]);
  });

  it("uniform jitter has no distribution word; Gilbert-Elliott loss uses gemodel", () => {
    expect(netemArgs({ delayMs: 10, jitterMs: 1, distribution: "uniform", rateMbit: 100 }).join(" ")).toBe("netem limit 1000 delay 10ms 1ms rate 100mbit");
    expect(netemArgs({ delayMs: 10, gilbertElliott: { p: 1, r: 25, lossBadPct: 50 }, rateMbit: 2.5 }).join(" "))
      .toBe("netem limit 1000 delay 10ms loss gemodel 1% 25% 50% 0% rate 2500kbit");
    expect([formatRate(1000), formatRate(100), formatRate(1500), formatRate(0.5)]).toEqual(["1gbit", "100mbit", "1500mbit", "500kbit"]);
  });

  it("per destination: htb root, default class, one class + netem leaf + u32 dst filter per peer", () => {
    expect(lines(perDestinationCommands("eth0", [
      { ip: "10.0.0.3", profile: { delayMs: 47.671, rateMbit: 1000 } },
      { ip: "fd00::4", profile: { delayMs: 63.037, jitterMs: 1, rateMbit: 100 } },
    ]))).toEqual([
      "tc qdisc replace dev eth0 root handle 1: htb default 1",
      "tc class replace dev eth0 parent 1: classid 1:1 htb rate 10gbit quantum 60000",
      "tc class replace dev eth0 parent 1: classid 1:10 htb rate 10gbit quantum 60000",
      "tc qdisc replace dev eth0 parent 1:10 handle 10: netem limit 7946 delay 47.671ms rate 1gbit",
      "tc filter replace dev eth0 parent 1: protocol ip prio 1 handle 800::10 u32 match ip dst 10.0.0.3/32 flowid 1:10",
      "tc class replace dev eth0 parent 1: classid 1:11 htb rate 10gbit quantum 60000",
      "tc qdisc replace dev eth0 parent 1:11 handle 11: netem limit 1084 delay 63.037ms 1ms rate 100mbit",
      "tc filter replace dev eth0 parent 1: protocol ipv6 prio 2 handle 801::11 u32 match ip6 dst fd00::4/128 flowid 1:11",
    ]);
  });

  it("ingress through an ifb device", () => {
    expect(lines(ingressCommands("eth0", { delayMs: 40, rateMbit: 100 }))).toEqual([
      "ip link add name ifb-eth0 type ifb",
      "ip link set dev ifb-eth0 up",
      "tc qdisc replace dev eth0 handle ffff: ingress",
      "tc filter replace dev eth0 parent ffff: protocol all prio 1 handle 800::1 u32 match u32 0 0 action mirred egress redirect dev ifb-eth0",
      "tc qdisc replace dev ifb-eth0 root netem limit 1000 delay 40ms rate 100mbit",
    ]);
  });

  it("clear and show", () => {
    expect(lines(clearCommands("eth0"))).toEqual(["tc qdisc del dev eth0 root", "tc qdisc del dev eth0 ingress", "ip link del dev ifb-eth0"]);
    expect(lines(clearCommands("eth0", { ifb: false }))).toHaveLength(2);
    expect(lines(showCommands("eth0"))).toEqual(["tc qdisc show dev eth0", "tc class show dev eth0", "tc filter show dev eth0"]);
  });

  it("rejects bad devices, addresses and profiles with the bad value named", () => {
    expect(() => singleLinkCommands("eth0; rm -rf /", { delayMs: 1 })).toThrow(/device "eth0; rm -rf \/" is not a valid interface name/);
    expect(() => perDestinationCommands("eth0", [{ ip: "10.0.0", profile: { delayMs: 1 } }])).toThrow(/peer address "10.0.0"/);
    expect(() => singleLinkCommands("eth0", { delayMs: 1, lossPct: 120 })).toThrow(/loss 120%/);
  });
});
