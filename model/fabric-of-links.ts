/**
 * The closed forms' view of a link model (the bench's and auto's small worlds): regions are sites,
 * ranks are processes. `software: false` is the network alone (as the replay's lower bound sees
 * it); with software the local hop costs this implementation's loopback latency and per-byte CPU,
 * and a WAN hop the emulator's extra latency when it is in the path.
 */
import type { Fabric } from "./fabric.js";
import type { LinkModel } from "./link-model.js";
import { connectionSettings, pairPathOf } from "./link-paths.js";
import { pairRateBps } from "./stream-rate.js";

export function fabricOfLinks(links: LinkModel, segmentBytes: number, software = false): Fabric {
  const sw = links.software;
  const extra = software && links.emulated ? sw.emulatorAlphaS : 0;
  // A connection moves at most window/RTT, or its loss response (model/stream-rate.ts); the pair is the smaller of its streams together and its rate.
  const { cc } = connectionSettings(links);
  const rate = (a: number, b: number) => pairRateBps(cc, pairPathOf(links, a, b));
  return {
    ranksPerSite: links.topology.regions.map((r) => r.ranks.length),
    localAlphaS: software ? sw.localAlphaS + sw.localWakeS + 2 * sw.perMessageS : 0,
    localBytesPerS: software && sw.localBetaS > 0 ? 1 / sw.localBetaS : Infinity,
    wanAlphaS: links.alphaS.map((row, a) => row.map((alpha, b) => (a === b ? 0 : alpha + extra))),
    wanBytesPerS: links.alphaS.map((row, a) => row.map((_, b) => (a === b ? Infinity : rate(a, b)))),
    wanShape: "mesh",
    gammaS: software ? sw.gammaS : 0,
    segmentBytes,
  };
}
