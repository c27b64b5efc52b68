/** The cost model: hand-computed predictions and floors on tiny worlds, and what "auto" picks. */
import { describe, expect, it } from "vitest";
import { barrierSchedule, scheduleOf } from "../../model/cost-schedules.js";
import { simulate } from "../../model/cost-sim.js";
import { describeLinks, explainChoice } from "../../collectives/explain.js";
import { declaredLinkModel, DEFAULT_SOFTWARE, ringWanCrossings, UNIX_SOCKET_SOFTWARE, type LinkModel, type SoftwareCosts } from "../../model/link-model.js";
import { autoChoice, choose, linkModelFor, lowerBound, predict } from "../../collectives/select.js";
import { parseTopology } from "../../world/topology.js";
import { ZERO_SOFTWARE as ZERO } from "../model/zero-software.js";


/** A hand-made model: every WAN pair has one-way `alphaS` and `rateBps`; software costs as given. */
function model(spec: string, alphaS: number, rateBps: number, software: Partial<SoftwareCosts> = {}): LinkModel {
  const topology = parseTopology(spec);
  const grid = (v: number) => topology.regions.map((a) => topology.regions.map((b) => (a.index === b.index ? (v === alphaS ? 0 : Infinity) : v)));
  return { topology, source: "declared", alphaS: grid(alphaS), rateBps: grid(rateBps), windowBytes: Infinity, streams: topology.regions.map(() => topology.regions.map(() => 1)), emulated: false, cores: Infinity, hostOf: topology.regions.flatMap((g) => g.ranks.map(() => 0)), software: { ...ZERO, ...software }, hostLinks: "zmq" };
}

describe("predict on one region (α = 10 µs, β = 1 ns/byte, 1000 bytes, 2 ranks)", () => {
  const links = model("2", 0, Infinity, { localAlphaS: 10e-6, localBetaS: 1e-9 });
  it("ring: 2 steps of α + (B/2)β = 21 µs", () => expect(predict("ring", 1000, links)).toBeCloseTo(21, 6));
  it("tree: up and down, 2(α + Bβ) = 22 µs", () => expect(predict("tree", 1000, links)).toBeCloseTo(22, 6));
  it("halving-doubling (short: one recursive-doubling exchange): α + Bβ = 11 µs", () => expect(predict("halving-doubling", 1000, links)).toBeCloseTo(11, 6));
  it("hierarchical (short: one local exchange, no WAN hop): 11 µs", () => expect(predict("hierarchical", 1000, links)).toBeCloseTo(11, 6));
  it("no WAN, so every floor is 0", () => expect(lowerBound("ring", 1000, links)).toBe(0));
});

describe("predict and lowerBound across one WAN link (α = 40 ms, 1 MB/s, 1000 bytes, new-york:1,london:1)", () => {
  const links = model("new-york:1,london:1", 0.04, 1e6);
  it("tree: (1 ms + 40 ms) up + the same down = 82 ms", () => expect(predict("tree", 1000, links)).toBeCloseTo(82_000, 3));
  it("tree floor: 1000 B / 1 MB/s on the busiest pair + 2 latency steps = 81 ms", () => expect(lowerBound("tree", 1000, links)).toBeCloseTo(81_000, 3));
  it("ring: both halves cross at once, twice: 2(0.5 ms + 40 ms) = 81 ms", () => expect(predict("ring", 1000, links)).toBeCloseTo(81_000, 3));
  it("ring floor: 1000 B each way / 1 MB/s + 2 latency steps = 81 ms", () => expect(lowerBound("ring", 1000, links)).toBeCloseTo(81_000, 3));
});

describe("the pair rate is shared; each connection is window-capped", () => {
  it("two connections of one region pair share its rate: 2 x 1000 B at 1 MB/s take 2 ms", () => {
    const links = model("new-york:2,london:2", 0, 1e6);
    const schedule = [
      { rank: 0, steps: [{ sends: [{ to: 2, bytes: 1000, key: "a" }], recvs: [], reduceBytes: 0 }] },
      { rank: 1, steps: [{ sends: [{ to: 3, bytes: 1000, key: "b" }], recvs: [], reduceBytes: 0 }] },
    ];
    expect(simulate(links, schedule, { software: false, bandwidth: true }).seconds).toBeCloseTo(0.002, 9);
  });
  it("one stream over a 100 ms round trip with a 1 MB window moves at most 10 MB/s once past its window", () => {
    const links = { ...model("new-york:1,london:1", 0.05, 1e9), windowBytes: 1e6 };
    const schedule = [{ rank: 0, steps: [{ sends: [{ to: 1, bytes: 1e7, key: "a" }], recvs: [], reduceBytes: 0 }] }];
    // The first 1 MB leaves at once, the other 9 MB at 10 MB/s (0.9 s), then 50 ms one way.
    expect(simulate(links, schedule, { software: false, bandwidth: true }).seconds).toBeCloseTo(0.95, 6);
  });
  it("a message that fits the window goes at the link's rate: 1 MB at 1 GB/s arrives after 1 ms + 50 ms", () => {
    const links = { ...model("new-york:1,london:1", 0.05, 1e9), windowBytes: 1e6 };
    const schedule = [{ rank: 0, steps: [{ sends: [{ to: 1, bytes: 1e6, key: "a" }], recvs: [], reduceBytes: 0 }] }];
    expect(simulate(links, schedule, { software: false, bandwidth: true }).seconds).toBeCloseTo(0.051, 6);
  });
});

describe("predict replays repeated calls: each rank enters the barrier when its previous call ended", () => {
  // new-york:2,london:2, one-way 50 ms, no software costs. Tree: 0 roots it, children 1 and 2; 2's child is 3.
  const links = model("new-york:2,london:2", 0.05, Infinity);
  it("entered at once, the barrier lets ranks 0..3 out at 100, 50, 100, 50 ms; the tree then takes 150 ms (rank 3)", () => {
    const exits = simulate(links, barrierSchedule(links.topology), { software: true, bandwidth: true }).rankEnd;
    expect(exits.map((t) => Math.round(t * 1000))).toEqual([100, 50, 100, 50]);
    expect(simulate(links, scheduleOf("tree", links.topology, 1000, 1 << 20), { software: true, bandwidth: true, startAt: exits }).seconds).toBeCloseTo(0.15, 9);
  });
  // That call ends at 150, 150, 200, 200 ms; the next barrier lets them out at 250, 250, 300, 200 ms:
  // rank 3 leaves 100 ms before its parent, waits for it, and its call takes 200 ms (and so on, every call).
  it("repeated, rank 3 starts 100 ms before its parent: 200 ms", () => expect(predict("tree", 1000, links)).toBeCloseTo(200_000, 3));
});

describe("the flat ring crosses the WAN as few times as possible", () => {
  it.each([
    ["continents", 4],
    ["new-york:3,london:1,asuncion:2", 3],
    ["8", 0],
  ])("%s: %i crossings (one per region boundary)", (spec, crossings) => {
    const topology = parseTopology(spec);
    expect(ringWanCrossings(topology)).toBe(crossings);
    const links = declaredLinkModel(topology, { rateMbit: 1000 });
    const { wanBytes } = simulate(links, scheduleOf("ring", topology, 1 << 20, 1 << 20), { software: false, bandwidth: true });
    expect(wanBytes.size).toBe(crossings); // only the R region-boundary links of the ring carry WAN bytes
  });
});

describe("auto on continents through the emulator at 1 Gbit/s", () => {
  const links = declaredLinkModel(parseTopology("continents"), { rateMbit: 1000, emulated: true });
  it("4 KiB: hierarchical's two-hop path (one WAN latency) beats tree and halving-doubling, which beat ring", () => {
    const c = choose(4096, links);
    const us = Object.fromEntries(c.predictions.map((p) => [p.algorithm, p.predictedUs]));
    expect(c.algorithm).toBe("hierarchical");
    expect(Math.min(us.tree, us["halving-doubling"])).toBeLessThan(us.ring);
  });
  // Hierarchical's WAN pieces (4 MiB chunks, 2 stripes, 4 sites: 512 KiB) are below the 1 MiB the
  // ZeroMQ link stripes from, so each rides one connection: one 3 MiB window per round trip holds
  // it to 1220 ms; with 6 MiB windows (tcp_rmem max 12 MiB) it takes 1011 ms and wins.
  it("64 MiB with Linux's default 3 MiB windows: ring; with 6 MiB windows: hierarchical, which uses every region pair's link at once", () => {
    expect(choose(64 << 20, links).algorithm).toBe("ring");
    const wide = declaredLinkModel(parseTopology("continents"), { rateMbit: 1000, emulated: true, windowBytes: 6 << 20 });
    expect(choose(64 << 20, wide).algorithm).toBe("hierarchical");
  });
  it("predictions never undercut the software-free floor by more than pipelining allows (>= 0.7x)", () => {
    for (const p of choose(4 << 20, links).predictions) expect(p.predictedUs).toBeGreaterThan(0.7 * p.lowerBoundUs);
  });
  it("--explain names every algorithm and the pick", () => {
    const text = explainChoice(4096, links).join("\n");
    for (const name of ["ring", "tree", "halving-doubling", "hierarchical", "auto picks hierarchical"]) expect(text).toContain(name);
  });
});

describe("auto on one host", () => {
  it("4 ranks, 4 KiB: a log-step algorithm, not the ring", () => expect(choose(4096, linkModelFor(parseTopology("4"), {})).algorithm).not.toBe("ring"));
  it("continents labels without emulation or hosts are treated as local links", () => {
    const links = linkModelFor(parseTopology("continents:1"), {});
    expect(links.alphaS.flat().every((a) => a === 0)).toBe(true);
  });
  it("LONGHAUL_EMULATE + LONGHAUL_LINK_RATE_MBIT declare WAN links with that rate", () => {
    const links = linkModelFor(parseTopology("new-york:1,chicago:1"), { LONGHAUL_EMULATE: "1", LONGHAUL_LINK_RATE_MBIT: "100" });
    expect(links.rateBps[0][1]).toBeCloseTo(12.5e6, 0);
    expect(links.alphaS[0][1]).toBeGreaterThan(0.005);
  });
  it("the same topology read again under other settings gets its own model and choices (an emulated sweep, then the one-site baseline)", () => {
    const topology = parseTopology("continents");
    const wan = linkModelFor(topology, { LONGHAUL_EMULATE: "1", LONGHAUL_LINK_RATE_MBIT: "1000" });
    const local = linkModelFor(topology, { LONGHAUL_EMULATE: "0", LONGHAUL_LINK_RATE_MBIT: "1000" });
    expect(wan.emulated).toBe(true);
    expect(local.emulated).toBe(false);
    expect(local.alphaS.flat().every((a) => a === 0)).toBe(true);
    expect(linkModelFor(topology, { LONGHAUL_EMULATE: "1", LONGHAUL_LINK_RATE_MBIT: "1000" })).toBe(wan);
    expect(autoChoice(wan, 256 * 1024, 1 << 20)).toBe("hierarchical");
    expect(autoChoice(local, 256 * 1024, 1 << 20)).not.toBe("hierarchical");
  });
});

describe("auto between processes of one host over Unix sockets (Transport.hostLinks)", () => {
  // The cores the model counts on this 2-core machine (2 x SHARED_HOST_CORE_EFFICIENCY), where the terms were fitted.
  const unix = declaredLinkModel(parseTopology("4"), { wan: false, hostLinks: "unix", cores: 1.8 });
  it("uses the Unix-socket terms, no ACKs, and says so in --explain", () => {
    expect(unix.software).toMatchObject(UNIX_SOCKET_SOFTWARE);
    expect(unix.software.ackFromBytes).toBe(Infinity);
    expect(describeLinks(unix)).toContain("all links local (Unix sockets)");
    expect(describeLinks(declaredLinkModel(parseTopology("4"), { wan: false, cores: 2 }))).toContain("all links local (ZeroMQ)");
  });
  it("picks what measured best among 4 processes on 2 cores at 4 KiB and 256 KiB: halving-doubling (ZeroMQ's terms pick the tree at 4 KiB)", () => {
    expect(autoChoice(unix, 4096, 4 << 20)).toBe("halving-doubling");
    expect(autoChoice(unix, 256 << 10, 4 << 20)).toBe("halving-doubling");
    expect(autoChoice(declaredLinkModel(parseTopology("4"), { wan: false, cores: 1.8 }), 4096, 4 << 20)).toBe("tree");
  });
  it("keeps a calibration's reduction term but not its link terms (calibrate measures ZeroMQ links)", () => {
    const measured = { gammaS: 1e-10, perMessageS: 1e-3, localAlphaS: 1e-3, localBetaS: 1e-8 };
    const links = declaredLinkModel(parseTopology("4"), { wan: false, hostLinks: "unix", software: measured });
    expect(links.software.gammaS).toBe(1e-10);
    expect(links.software.localAlphaS).toBe(UNIX_SOCKET_SOFTWARE.localAlphaS);
  });
  it("applies only where every link is local: emulated WAN links are ZeroMQ's", () => {
    const links = linkModelFor(parseTopology("new-york:2,london:2"), { LONGHAUL_EMULATE: "1" }, "unix");
    expect(links.hostLinks).toBe("zmq");
    expect(links.software.localAlphaS).toBe(DEFAULT_SOFTWARE.localAlphaS);
  });
  it("a model missing a software term is refused by the replay, not looped on", () => {
    const { localWakeS: _dropped, ...partial } = DEFAULT_SOFTWARE;
    const links = { ...unix, software: partial as SoftwareCosts };
    expect(() => choose(4096, links)).toThrow(/software term localWakeS is undefined/);
  });
});

describe("CPU: ranks of one host share its cores only while they compute at once", () => {
  it("8 emulated ranks on this 2-core host: one host of 2 cores (the emulator shares it)", () => {
    const links = declaredLinkModel(parseTopology("continents"), { emulated: true, cores: 2 });
    expect(links.cores).toBe(2);
    expect(new Set(links.hostOf)).toEqual(new Set([0]));
  });
  it("regions on their own hosts: one host per region; every rank a core unless cores are declared", () => {
    const links = declaredLinkModel(parseTopology("continents"));
    expect(links.hostOf).toEqual([0, 0, 1, 1, 2, 2, 3, 3]);
    expect(links.cores).toBe(Infinity);
    expect(declaredLinkModel(parseTopology("continents:4"), { cores: 2 }).cores).toBe(2);
  });
  // Two ranks each copy 1 MB to the other at 1 ns/byte (1 ms of CPU each), no latency.
  const swap = [0, 1].map((rank) => ({ rank, steps: [{ sends: [{ to: 1 - rank, bytes: 1e6, key: "x" }], recvs: [{ from: 1 - rank, key: "x" }], reduceBytes: 0 }] }));
  const links = model("2", 0, Infinity, { localBetaS: 1e-9 });
  it("two ranks copying at once on 2 cores: 1 ms", () => expect(simulate({ ...links, cores: 2 }, swap, { software: true, bandwidth: true }).seconds).toBeCloseTo(0.001, 9));
  it("the same on 1 core: they take turns, 2 ms", () => expect(simulate({ ...links, cores: 1 }, swap, { software: true, bandwidth: true }).seconds).toBeCloseTo(0.002, 9));
  it("on separate hosts of 1 core each: 1 ms", () => expect(simulate({ ...links, cores: 1, hostOf: [0, 1] }, swap, { software: true, bandwidth: true }).seconds).toBeCloseTo(0.001, 9));
  it("a rank that computes while the other waits gets a whole core: 1 ms copy + 1 ms reply on 1 core = 2 ms", () => {
    const relay = [
      { rank: 0, steps: [{ sends: [{ to: 1, bytes: 1e6, key: "a" }], recvs: [{ from: 1, key: "b" }], reduceBytes: 0 }] },
      { rank: 1, steps: [{ sends: [], recvs: [{ from: 0, key: "a" }], reduceBytes: 0 }, { sends: [{ to: 0, bytes: 1e6, key: "b" }], recvs: [], reduceBytes: 0 }] },
    ];
    expect(simulate({ ...links, cores: 1 }, relay, { software: true, bandwidth: true }).seconds).toBeCloseTo(0.002, 9);
  });
  it("network-only replays book no CPU", () => expect(simulate({ ...links, cores: 1 }, swap, { software: false, bandwidth: true }).seconds).toBe(0));
  // The same swap of empty messages with a 100 µs loopback latency: 50 µs of CPU at each end.
  const empty = swap.map((lane) => ({ ...lane, steps: lane.steps.map((st) => ({ ...st, sends: st.sends.map((x) => ({ ...x, bytes: 0 })) })) }));
  const loopback = model("2", 0, Infinity, { localAlphaS: 100e-6 });
  it("the loopback latency is CPU work: on 2 cores both messages arrive after 100 µs", () => expect(simulate({ ...loopback, cores: 2 }, empty, { software: true, bandwidth: true }).seconds).toBeCloseTo(100e-6, 9));
  it("on 1 core the four 50 µs legs take turns: 200 µs", () => expect(simulate({ ...loopback, cores: 1 }, empty, { software: true, bandwidth: true }).seconds).toBeCloseTo(200e-6, 9));
  it("4 ranks on 2 cores, 4 KiB: halving-doubling (8 messages in 2 rounds) beats hierarchical's one-hop exchange (12 messages at once)", () => {
    const { algorithm, predictions } = choose(4096, declaredLinkModel(parseTopology("4"), { cores: 2 }));
    expect(algorithm).toBe("halving-doubling");
    const us = (a: string) => predictions.find((p) => p.algorithm === a)?.predictedUs ?? NaN;
    expect(us("hierarchical")).toBeGreaterThan(us("halving-doubling"));
  });
});
