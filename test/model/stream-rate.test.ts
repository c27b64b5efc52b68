/** A WAN pair's connections (model/stream-rate.ts) and the replay and closed forms that read them. */
import { describe, expect, it } from "vitest";
import { simulate } from "../../model/cost-sim.js";
import type { Schedule } from "../../model/cost-schedules.js";
import { fabricOfLinks } from "../../model/fabric-of-links.js";
import { fromDistance } from "../../model/distance.js";
import type { LinkModel } from "../../model/link-model.js";
import { connectionRateBps, connectionWindowBytes, idleRestartS, LINUX_CONNECTIONS, pairRateBps, pathRtoS, profileLoss, restartWindowBytes, slowStartReleaseS, type PairPath } from "../../model/stream-rate.js";
import { INITIAL_WINDOW_SEGMENTS, MSS_BYTES, transferTimeS } from "../../model/tcp.js";
import { parseTopology } from "../../world/topology.js";
import { ZERO_SOFTWARE } from "./zero-software.js";

const MBIT = 1e6 / 8;
const RTT_8000KM = (2 * fromDistance(8000).delayMs) / 1000; // 133 ms
const IW = INITIAL_WINDOW_SEGMENTS * MSS_BYTES;
const path = (over: Partial<PairPath> = {}): PairPath => ({ rttS: RTT_8000KM, rateBps: 1000 * MBIT, windowBytes: 3 << 20, loss: 0, connections: 1, ...over });

describe("one connection's steady rate", () => {
  it("8,000 km, 0.01% loss: CUBIC near RFC 8312bis's 20 Mbit/s, Reno near Mathis's 10.6, BBR at window/RTT", () => {
    const p = path({ loss: 1e-4 });
    expect(connectionRateBps("cubic", p) / MBIT).toBeGreaterThan(18);
    expect(connectionRateBps("cubic", p) / MBIT).toBeLessThan(22);
    expect(connectionRateBps("reno", p) / MBIT).toBeCloseTo(10.6, 0);
    expect(connectionRateBps("bbr", p)).toBeCloseTo((3 << 20) / RTT_8000KM, 6);
  });
  it("without loss the window is the receive window exactly, and the pair moves min(rate, streams · window/RTT)", () => {
    expect(connectionWindowBytes("cubic", path())).toBe(3 << 20);
    expect(pairRateBps("cubic", path({ connections: 2 }))).toBeCloseTo((2 * (3 << 20)) / RTT_8000KM, 3);
    expect(pairRateBps("cubic", path({ connections: 8 }))).toBe(1000 * MBIT);
    expect(pairRateBps("cubic", path({ rttS: 0 }))).toBe(1000 * MBIT);
  });
  it("under loss the streams add up: 6 CUBIC streams move 6x one", () => {
    expect(pairRateBps("cubic", path({ loss: 1e-4, connections: 6 }))).toBeCloseTo(6 * connectionRateBps("cubic", path({ loss: 1e-4 })), 3);
  });
  it("a profile's loss: random in percent, or a Gilbert-Elliott chain's mean", () => {
    expect(profileLoss({ delayMs: 1, lossPct: 0.01 })).toBeCloseTo(1e-4, 12);
    // p = 0.2525%, r = 25%: 1% of the time in the bad state, where every segment is lost.
    expect(profileLoss({ delayMs: 1, gilbertElliott: { p: 0.2525, r: 25 } })).toBeCloseTo(0.01, 4);
    expect(profileLoss(undefined)).toBe(0);
  });
});

describe("slow start after idle", () => {
  it("the RTO is the round trip plus Linux's 200 ms floor; a gap within it restarts nothing", () => {
    expect(pathRtoS(RTT_8000KM)).toBeCloseTo(RTT_8000KM + 0.2, 9);
    expect(idleRestartS(LINUX_CONNECTIONS, path(), 64 << 20, 0.3)).toBe(0);
  });
  it("after 5 s a 4 MiB transfer pays slow start from 10 segments again: transferTimeS from IW10 less the warm one", () => {
    const warm = transferTimeS("cubic", { rttS: RTT_8000KM, rateBps: 1000 * MBIT, windowBytes: 3 << 20 }, 4 << 20, 3 << 20);
    const cold = transferTimeS("cubic", { rttS: RTT_8000KM, rateBps: 1000 * MBIT, windowBytes: 3 << 20 }, 4 << 20, IW);
    expect(restartWindowBytes(3 << 20, 5, RTT_8000KM)).toBe(IW);
    expect(idleRestartS(LINUX_CONNECTIONS, path(), 4 << 20, 5)).toBeCloseTo(cold - warm, 9);
    expect(cold - warm).toBeGreaterThan(6 * RTT_8000KM); // ~8 round trips from 10 segments against ~1
  });
  it("none with tcp_slow_start_after_idle = 0", () => expect(idleRestartS({ cc: "cubic", slowStartAfterIdle: false }, path(), 4 << 20, 5)).toBe(0));
  it("one RTO and a bit of idle halves the window once", () => {
    expect(restartWindowBytes(3 << 20, pathRtoS(RTT_8000KM) * 1.5, RTT_8000KM)).toBe((3 << 20) / 2);
  });
  it("the replay's release time: nothing to wait for within the first window, a round trip per doubling after", () => {
    expect(slowStartReleaseS(IW, IW, 3 << 20, 0.1)).toBeCloseTo(0, 12);
    expect(slowStartReleaseS(3 * IW, IW, 3 << 20, 0.1)).toBeCloseTo(0.1, 12);
    expect(slowStartReleaseS(7 * IW + 1, IW, 3 << 20, 0.1)).toBeCloseTo(0.3, 12);
  });
});

/** Two regions, one rank each, one stream, the given one-way delay and rate: network only. */
function pair(over: Partial<LinkModel> = {}): LinkModel {
  const topology = parseTopology("a:1,b:1");
  const alpha = RTT_8000KM / 2;
  return {
    topology, source: "declared", alphaS: [[0, alpha], [alpha, 0]], rateBps: [[Infinity, 1000 * MBIT], [1000 * MBIT, Infinity]], windowBytes: 3 << 20,
    streams: [[1, 1], [1, 1]], emulated: false, cores: Infinity, hostOf: [0, 0], software: ZERO_SOFTWARE, hostLinks: "zmq", ...over,
  };
}

/** Rank 0 sends `bytes` to rank 1 in 1 MiB messages, all at once. */
function bulk(bytes: number): Schedule {
  const n = Math.ceil(bytes / (1 << 20));
  const keys = Array.from({ length: n }, (_, i) => `m${i}`);
  return [
    { rank: 0, steps: [{ sends: keys.map((key) => ({ to: 1, bytes: bytes / n, key })), recvs: [], reduceBytes: 0 }] },
    { rank: 1, steps: [{ sends: [], recvs: keys.map((key) => ({ from: 0, key })), reduceBytes: 0 }] },
  ];
}

describe("the replay follows the connection", () => {
  const replay = (model: LinkModel, bytes: number) => simulate(model, bulk(bytes), { software: false, bandwidth: true }).seconds;

  it("loss 0 and no idle gap: the TCP fields change nothing", () => {
    expect(replay(pair({ cc: "reno", slowStartAfterIdle: true, idleGapS: 0, loss: [[0, 0], [0, 0]] }), 64 << 20)).toBe(replay(pair(), 64 << 20));
  });
  it("0.01% loss: 64 MiB moves at CUBIC's loss-limited rate, not window/RTT", () => {
    const seconds = replay(pair({ loss: [[0, 1e-4], [1e-4, 0]] }), 64 << 20);
    const rate = connectionRateBps("cubic", path({ loss: 1e-4 }));
    expect(seconds / ((64 << 20) / rate)).toBeGreaterThan(0.95);
    expect(seconds / ((64 << 20) / rate)).toBeLessThan(1.1);
    expect(replay(pair({ cc: "reno", loss: [[0, 1e-4], [1e-4, 0]] }), 64 << 20)).toBeGreaterThan(1.5 * seconds);
  });
  it("after a 5 s idle gap, 4 MiB take slow start's time from 10 segments (transferTimeS, within a round trip)", () => {
    const cold = transferTimeS("cubic", { rttS: RTT_8000KM, rateBps: 1000 * MBIT, windowBytes: 3 << 20 }, 4 << 20, IW);
    const seconds = replay(pair({ idleGapS: 5 }), 4 << 20);
    expect(Math.abs(seconds - cold)).toBeLessThan(RTT_8000KM);
    expect(replay(pair({ idleGapS: 5, slowStartAfterIdle: false }), 4 << 20)).toBeLessThan(cold / 3);
  });
  it("the closed forms read the same pair rate", () => {
    const f = fabricOfLinks(pair({ loss: [[0, 1e-4], [1e-4, 0]] }), 1 << 20);
    expect(f.wanBytesPerS[0][1]).toBe(pairRateBps("cubic", path({ loss: 1e-4 })));
  });
});
