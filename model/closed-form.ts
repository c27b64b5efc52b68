/**
 * Closed forms (α-β-γ per level) of the all-reduces, for worlds too large to replay message by
 * message (cost-sim.ts). Each is the pipeline law: a chain of hops carrying M segments takes
 * Σ(α + seg/rate) over its hops plus (M − 1) segments at the bottleneck's rate, so
 *   T = Σ_path α + Σ_path seg/rate + (bytes on the bottleneck − seg)/bottleneck rate (+ γ · bytes reduced).
 * The bottleneck is the busiest link per unit of rate: a rank's NIC inside a site, or a WAN link
 * shared by every flow that crosses it. At small worlds these agree with the replay (test/model).
 */
import { HIERARCHICAL_CHUNK_BYTES } from "./algorithm-shapes.js";
import { NO_COST, totalRanks, transfer, type Cost, type Fabric } from "./fabric.js";
import { treeShape } from "./tree-shape.js";

/** Equal segments of at most `segmentBytes` (as the algorithms cut a buffer). */
function segmentOf(bytes: number, segmentBytes: number): number {
  return bytes / Math.max(1, Math.ceil(bytes / segmentBytes));
}

interface Hop {
  alpha: number;
  rate: number;
}

/** One site's run of a ring: its local hops (ranks − 1 of them), then the hop out to the next site. */
interface SiteRun {
  locals: number;
  out: Hop;
}

/** A ring over all ranks in site order (r → r+1), or the reverse ring (r → r−1) when `reverse`. */
function ringRuns(f: Fabric, reverse: boolean): SiteRun[] {
  const S = f.ranksPerSite.length;
  const local: Hop = { alpha: f.localAlphaS, rate: f.localBytesPerS };
  if (S === 1) return [{ locals: f.ranksPerSite[0] - 1, out: local }];
  const order = f.ranksPerSite.map((_, s) => (reverse ? S - 1 - s : s));
  return order.map((s, i) => {
    const next = order[(i + 1) % S];
    return { locals: f.ranksPerSite[s] - 1, out: { alpha: f.wanAlphaS[s][next], rate: f.wanBytesPerS[s][next] } };
  });
}

/**
 * A pipelined ring, every hop carrying `perHop` bytes, a rank's chunk in `m` segments of `seg`. Two
 * bounds, the larger wins: the chain of 2(n − 1) consecutive hops a chunk travels (the ring twice,
 * less its cheapest two consecutive hops; its m segments pipelined; plus the wait where a forwarded
 * segment reaches the bottleneck before the rank's own first one has left), and the bottleneck's
 * busy time plus its latency (it starts at once: every rank sends its own chunk first).
 */
function pipelinedRing(runs: SiteRun[], local: Hop, perHop: number, seg: number, m: number): { seconds: number; busy: number } {
  const cost = (h: Hop) => h.alpha + transfer(seg, h.rate);
  let around = 0;
  let cheapestPair = Infinity;
  let bottleneck = -1;
  runs.forEach((run, i) => {
    const before = runs[(i + runs.length - 1) % runs.length].out;
    around += run.locals * cost(local) + cost(run.out);
    if (run.locals >= 2) cheapestPair = Math.min(cheapestPair, 2 * cost(local));
    if (run.locals >= 1) cheapestPair = Math.min(cheapestPair, cost(local) + cost(run.out), cost(before) + cost(local));
    else cheapestPair = Math.min(cheapestPair, cost(before) + cost(run.out));
    const worst = bottleneck < 0 ? local : runs[bottleneck].out;
    if (transfer(perHop, run.out.rate) > transfer(perHop, worst.rate) || (run.out.rate === worst.rate && run.out.alpha > worst.alpha)) bottleneck = i;
  });
  const slow = bottleneck < 0 ? local : runs[bottleneck].out;
  const feeder = bottleneck < 0 || runs[bottleneck].locals > 0 ? local : runs[(bottleneck + runs.length - 1) % runs.length].out;
  const wait = Math.max(0, transfer(seg, slow.rate) - cost(feeder));
  const chain = 2 * around - cheapestPair + (m - 1) * transfer(seg, slow.rate) + wait;
  const busy = transfer(perHop, slow.rate);
  return { seconds: Math.max(chain, busy + slow.alpha), busy };
}

/** Ring all-reduce (reduce-scatter then all-gather, 2(n − 1) steps of bytes/n); `directions` 2: bidirectional, half the buffer each way. */
export function ringCost(f: Fabric, bytes: number, directions: 1 | 2 = 1): Cost {
  const n = totalRanks(f);
  if (n <= 1 || bytes === 0) return NO_COST;
  const perHop = (2 * (n - 1) * bytes) / n / directions;
  const chunk = bytes / n / directions;
  const m = Math.max(1, Math.ceil(chunk / f.segmentBytes));
  const local: Hop = { alpha: f.localAlphaS, rate: f.localBytesPerS };
  let seconds = 0;
  let busy = 0;
  for (const reverse of directions === 2 ? [false, true] : [false]) {
    const one = pipelinedRing(ringRuns(f, reverse), local, perHop, chunk / m, m);
    seconds = Math.max(seconds, one.seconds);
    busy = Math.max(busy, one.busy);
  }
  const reduce = (f.gammaS * (n - 1) * bytes) / n;
  seconds += reduce;
  return { seconds, phases: [seconds], phaseBusy: [busy + reduce], wanBytes: f.ranksPerSite.length > 1 ? perHop : 0 };
}

/**
 * Binomial-tree all-reduce as collectives/algorithms/allreduce-tree.ts runs it: reduce up to rank 0, then
 * broadcast down, segments pipelined through the levels within each phase. A parent receives from (and sends to) each child
 * the whole buffer; a WAN link carries the buffer once per tree edge that crosses it.
 */
export function treeCost(f: Fabric, bytes: number): Cost {
  const n = totalRanks(f);
  if (n <= 1 || bytes === 0) return NO_COST;
  const shape = treeShape(f.ranksPerSite);
  const seg = segmentOf(bytes, f.segmentBytes);
  // Beyond the segment the path already carries, what the busiest link still has to move, per phase.
  let rest = transfer(shape.maxChildren * bytes - seg, f.localBytesPerS);
  let wanBytes = 0;
  for (const [[a, b], edges] of shape.crossings) {
    rest = Math.max(rest, transfer(edges * bytes - seg, Math.min(f.wanBytesPerS[a][b], f.wanBytesPerS[b][a])));
    wanBytes = Math.max(wanBytes, edges * bytes);
  }
  // The longest leaf-to-root path (a rank's parent is itself less its lowest set bit, so parents come first).
  const { siteOf } = shape;
  const depth = new Float64Array(n);
  let path = 0;
  for (let r = 1; r < n; r++) {
    const parent = r & (r - 1);
    const [a, b] = [siteOf[r], siteOf[parent]];
    depth[r] = depth[parent] + (a === b ? f.localAlphaS + transfer(seg, f.localBytesPerS) : f.wanAlphaS[a][b] + transfer(seg, f.wanBytesPerS[a][b]));
    path = Math.max(path, depth[r]);
  }
  // The broadcast starts when the root has reduced the last segment: two pipelines one after the other.
  const reduce = f.gammaS * shape.maxChildren * bytes;
  const seconds = 2 * (path + rest) + reduce;
  return { seconds, phases: [seconds], phaseBusy: [2 * rest + reduce], wanBytes };
}

/** Reduce-scatter (or all-gather) of `bytes` among the ranks of each site, as a ring; the slowest site. */
export function intraSitePhase(f: Fabric, bytes: number): number {
  return Math.max(...f.ranksPerSite.map((L) => (L <= 1 ? 0 : (L - 1) * f.localAlphaS + intraSiteBusyOf(f, L, bytes))));
}

/** What of intraSitePhase keeps the site's NICs and reductions busy: all but its hops' latency. */
export function intraSiteBusy(f: Fabric, bytes: number): number {
  return Math.max(...f.ranksPerSite.map((L) => intraSiteBusyOf(f, L, bytes)));
}

function intraSiteBusyOf(f: Fabric, L: number, bytes: number): number {
  return L <= 1 ? 0 : transfer(((L - 1) * bytes) / L, f.localBytesPerS) + (f.gammaS * (L - 1) * bytes) / L / L;
}

/**
 * The inter-site all-reduce of the hierarchical algorithm: every site holds `bytes` (spread over its
 * ranks after the reduce-scatter). On a mesh each site sends each other site 1/S of it and gets the
 * reduced 1/S back (collectives/algorithms/allreduce-hierarchical.ts: 2·bytes/S on every directed pair); on a
 * loop the sites run a bidirectional ring ((S − 1)/S · bytes each way on every segment).
 */
function interSitePhase(f: Fabric, bytes: number): { seconds: number; busy: number; wanBytes: number } {
  const S = f.ranksPerSite.length;
  if (S <= 1) return { seconds: 0, busy: 0, wanBytes: 0 };
  if (f.wanShape === "loop") {
    const sites: Fabric = { ...f, ranksPerSite: f.ranksPerSite.map(() => 1) };
    const cost = ringCost(sites, bytes, 2);
    return { seconds: cost.seconds, busy: cost.phaseBusy![0], wanBytes: cost.wanBytes };
  }
  // Messages are one site's share of a stripe: chunks of at most HIERARCHICAL_CHUNK_BYTES, cut into a stripe per rank of the largest site.
  const perPair = (2 * bytes) / S;
  const seg = Math.min(HIERARCHICAL_CHUNK_BYTES, bytes) / S / Math.max(...f.ranksPerSite);
  let seconds = 0;
  let busy = 0;
  for (let a = 0; a < S; a++) {
    for (let b = 0; b < S; b++) {
      if (a === b) continue;
      // The reduce-scatter's last share must arrive before its all-gather leaves; the link itself is busy 2·bytes/S.
      const chain = f.wanAlphaS[a][b] + f.wanAlphaS[b][a] + transfer(bytes / S + seg, f.wanBytesPerS[a][b]);
      busy = Math.max(busy, transfer(perPair, f.wanBytesPerS[a][b]));
      seconds = Math.max(seconds, chain, transfer(perPair, f.wanBytesPerS[a][b]) + f.wanAlphaS[a][b]);
    }
  }
  const reduce = (f.gammaS * (S - 1) * bytes) / S / Math.min(...f.ranksPerSite);
  return { seconds: seconds + reduce, busy: busy + reduce, wanBytes: perPair };
}

/** Hierarchical all-reduce: reduce-scatter inside each site, all-reduce between sites, all-gather inside. */
export function hierarchicalCost(f: Fabric, bytes: number): Cost {
  if (totalRanks(f) <= 1 || bytes === 0) return NO_COST;
  const local = intraSitePhase(f, bytes);
  const localBusy = intraSiteBusy(f, bytes);
  const inter = interSitePhase(f, bytes);
  return { seconds: 2 * local + inter.seconds, phases: [local, inter.seconds, local], phaseBusy: [localBusy, inter.busy, localBusy], wanBytes: inter.wanBytes };
}

/** The closed form of each all-reduce longhaul runs and replays (by its ScheduledAlgorithm name); halving-doubling has none yet. */
export const CLOSED_FORMS: Readonly<Record<string, (f: Fabric, bytes: number) => Cost>> = {
  ring: (f, bytes) => ringCost(f, bytes),
  tree: treeCost,
  hierarchical: hierarchicalCost,
};
