/**
 * Message schedules of each all-reduce, for the cost model: who sends how many bytes to whom, in
 * what order, and how much each step reduces. They mirror the algorithm files (same trees, same
 * partners, same stripes, same size thresholds), so the simulator in cost-sim.ts replays what the
 * code does. A lane is one sequential thread of an algorithm on one rank (hierarchical runs one per
 * chunk and stripe at once); a message is matched to its receive by key.
 */
import type { Topology } from "../world/topology.js";
import { chunkCount, HALVING_DOUBLING_SHORT_BYTES, HIERARCHICAL_EXCHANGE_MAX_BYTES, largestPowerOfTwo, stripeCount, stripeOwner } from "./algorithm-shapes.js";
import { binomialTree } from "./tree-shape.js";

export interface Send { to: number; bytes: number; key: string }
/** A step's sends leave when the lane reaches it; then the lane waits for its receives and reduces. */
export interface Step { sends: Send[]; recvs: Array<{ from: number; key: string }>; reduceBytes: number }
export interface Lane { rank: number; steps: Step[] }
export type Schedule = Lane[];
export type ScheduledAlgorithm = "ring" | "tree" | "halving-doubling" | "hierarchical";

const step = (sends: Send[] = [], recvs: Step["recvs"] = [], reduceBytes = 0): Step => ({ sends, recvs, reduceBytes });
const segs = (bytes: number, segmentBytes: number) => Math.max(1, Math.ceil(bytes / segmentBytes));

/** The pipelined ring: 2(n−1) steps of one n-th of the buffer, forwarded segment by segment. */
function ring(topology: Topology, bytes: number, segmentBytes: number): Schedule {
  const n = topology.size;
  const chunk = bytes / n;
  const m = segs(chunk, segmentBytes);
  const seg = chunk / m;
  return Array.from({ length: n }, (_, r) => {
    const right = (r + 1) % n;
    const left = (r - 1 + n) % n;
    const steps = [step(Array.from({ length: m }, (_, j) => ({ to: right, bytes: seg, key: `0.${j}` })))];
    for (let s = 0; s < 2 * (n - 1); s++) {
      for (let j = 0; j < m; j++) {
        steps.push(step([], [{ from: left, key: `${s}.${j}` }], s < n - 1 ? seg : 0));
        if (s + 1 < 2 * (n - 1)) steps.push(step([{ to: right, bytes: seg, key: `${s + 1}.${j}` }]));
      }
    }
    return { rank: r, steps };
  });
}

function tree(topology: Topology, bytes: number, segmentBytes: number): Schedule {
  const m = segs(bytes, segmentBytes);
  const seg = bytes / m;
  return Array.from({ length: topology.size }, (_, r) => {
    const { parent, children } = binomialTree(r, topology.size);
    const steps: Step[] = [];
    for (let j = 0; j < m; j++) {
      steps.push(step([], children.map((c) => ({ from: c, key: `u${j}` })), children.length * seg));
      if (parent >= 0) steps.push(step([{ to: parent, bytes: seg, key: `u${j}` }]));
    }
    for (let j = 0; j < m; j++) {
      if (parent >= 0) steps.push(step([], [{ from: parent, key: `d${j}` }]));
      steps.push(step([...children].reverse().map((c) => ({ to: c, bytes: seg, key: `d${j}` }))));
    }
    return { rank: r, steps };
  });
}

function halvingDoubling(topology: Topology, bytes: number): Schedule {
  const n = topology.size;
  const pow = largestPowerOfTwo(n);
  const rem = n - pow;
  const real = (nr: number) => (nr < rem ? nr * 2 + 1 : nr + rem);
  const short = bytes <= HALVING_DOUBLING_SHORT_BYTES;
  return Array.from({ length: n }, (_, r) => {
    if (r < 2 * rem && r % 2 === 0) return { rank: r, steps: [step([{ to: r + 1, bytes, key: "fold" }], [{ from: r + 1, key: "unfold" }])] };
    const steps: Step[] = r < 2 * rem ? [step([], [{ from: r - 1, key: "fold" }], bytes)] : [];
    const newRank = r < 2 * rem ? r >> 1 : r - rem;
    const sizes: number[] = [];
    let size = bytes;
    for (let mask = 1; mask < pow; mask <<= 1) {
      const partner = real(newRank ^ mask);
      const give = short ? bytes : size / 2;
      steps.push(step([{ to: partner, bytes: give, key: `x${mask}` }], [{ from: partner, key: `x${mask}` }], give));
      sizes.push(give);
      if (!short) size /= 2;
    }
    for (let mask = pow >> 1; mask >= 1 && !short; mask >>= 1) {
      const partner = real(newRank ^ mask);
      const held = sizes.pop() ?? 0;
      steps.push(step([{ to: partner, bytes: held, key: `g${mask}` }], [{ from: partner, key: `g${mask}` }]));
    }
    if (r < 2 * rem) steps.push(step([{ to: r - 1, bytes, key: "unfold" }]));
    return { rank: r, steps };
  });
}

function exchange(topology: Topology, bytes: number): Schedule {
  return Array.from({ length: topology.size }, (_, r) => {
    const home = topology.regionOf(r);
    const local = topology.localRank(r);
    const peers = home.ranks.filter((p) => p !== r);
    const others = topology.regions.filter((g) => g.index !== home.index);
    const served = others.flatMap((g) => g.ranks.filter((_, m) => m % home.ranks.length === local));
    return {
      rank: r,
      steps: [
        step(peers.map((p) => ({ to: p, bytes, key: "local" })), peers.map((p) => ({ from: p, key: "local" })), peers.length * bytes),
        step(served.map((p) => ({ to: p, bytes, key: "wan" })), others.map((g) => ({ from: g.ranks[local % g.ranks.length], key: "wan" })), others.length * bytes),
      ],
    };
  });
}

function striped(topology: Topology, bytes: number): Schedule {
  const chunks = chunkCount(bytes);
  const stripes = stripeCount(topology.regions);
  const R = topology.regions.length;
  const stripeBytes = bytes / chunks / stripes;
  const lanes: Schedule = [];
  for (let c = 0; c < chunks; c++) {
    for (let k = 0; k < stripes; k++) {
      const key = (phase: number) => `c${c}k${k}p${phase}`;
      for (const home of topology.regions) {
        const owner = stripeOwner(home, k);
        const locals = home.ranks.filter((p) => p !== owner);
        for (const r of locals) lanes.push({ rank: r, steps: [step([{ to: owner, bytes: stripeBytes, key: key(0) }], [{ from: owner, key: key(3) }])] });
        const peers = topology.regions.filter((g) => g.index !== home.index).map((g) => stripeOwner(g, k));
        const sub = stripeBytes / R;
        lanes.push({
          rank: owner,
          steps: [
            step([], locals.map((p) => ({ from: p, key: key(0) })), locals.length * stripeBytes),
            step(peers.map((p) => ({ to: p, bytes: sub, key: key(1) })), peers.map((p) => ({ from: p, key: key(1) })), peers.length * sub),
            step(peers.map((p) => ({ to: p, bytes: sub, key: key(2) })), peers.map((p) => ({ from: p, key: key(2) }))),
            step(locals.map((p) => ({ to: p, bytes: stripeBytes, key: key(3) }))),
          ],
        });
      }
    }
  }
  return lanes;
}

/** The dissemination barrier: in round k rank r signals r+2^k and waits for r−2^k (empty messages). */
export function barrierSchedule(topology: Topology): Schedule {
  const n = topology.size;
  return Array.from({ length: n }, (_, r) => {
    const steps: Step[] = [];
    for (let d = 1; d < n; d *= 2) steps.push(step([{ to: (r + d) % n, bytes: 0, key: `b${d}` }], [{ from: (r - d + n) % n, key: `b${d}` }]));
    return { rank: r, steps };
  });
}

/** The schedule `algorithm` follows for a buffer of `bytes` on `topology`. */
export function scheduleOf(algorithm: ScheduledAlgorithm, topology: Topology, bytes: number, segmentBytes: number): Schedule {
  if (topology.size === 1) return [];
  switch (algorithm) {
    case "ring":
      return ring(topology, bytes, segmentBytes);
    case "tree":
      return tree(topology, bytes, segmentBytes);
    case "halving-doubling":
      return halvingDoubling(topology, bytes);
    case "hierarchical":
      return bytes <= HIERARCHICAL_EXCHANGE_MAX_BYTES ? exchange(topology, bytes) : striped(topology, bytes);
  }
}
