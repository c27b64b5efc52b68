/**
 * Binomial-tree all-reduce: reduce to rank 0, then broadcast back (MPICH's short-message reduce +
 * bcast). 2·⌈log2 n⌉ latency steps instead of the ring's 2(n−1), so it wins where latency dominates.
 * Ranks are region-contiguous, so the first levels (partners 1, 2, … apart) stay inside a region
 * and only the top levels cross the WAN. Segments pipeline through the levels.
 */
import { posted, recvArray, segmentRanges, withSends } from "./exchange.js";
import { reduceInto, type KernelOp } from "../kernels/index.js";
import { binomialTree } from "../../model/tree-shape.js";
import { Sends } from "../op-io.js";
import type { AllReduceAlgorithm, NumericArray, OpContext } from "../types.js";

/** The tree shape lives in the pure model layer (the cost model counts it too); re-exported for old importers. */
export { binomialTree };

const STEP_REDUCE = 1;
const STEP_BROADCAST = 2;

export const allReduceTree: AllReduceAlgorithm = async (ctx, data, op) => {
  const { rank, size } = ctx.transport;
  if (size === 1) return;
  const tree = binomialTree(rank, size);
  const ranges = segmentRanges(data.length, data.BYTES_PER_ELEMENT, ctx.segmentBytes);
  const sends = new Sends(ctx);
  await withSends(sends, async () => {
    await reduceUp(ctx, data, op, ranges, tree, sends);
    await broadcastDown(ctx, data, ranges, tree, sends);
  });
};

type Tree = ReturnType<typeof binomialTree>;

async function reduceUp(ctx: OpContext, data: NumericArray, op: KernelOp, ranges: Array<[number, number]>, tree: Tree, sends: Sends): Promise<void> {
  // Post every receive at once; reduce children in a fixed order so the root's result is deterministic.
  const incoming = tree.children.map((child) => ranges.map(([lo, hi]) => posted(recvArray(ctx, child, STEP_REDUCE, data, hi - lo))));
  for (let s = 0; s < ranges.length; s++) {
    const segment = data.subarray(...ranges[s]);
    for (const perChild of incoming) reduceInto(segment, await perChild[s], op);
    if (tree.parent >= 0) sends.send(tree.parent, STEP_REDUCE, segment);
  }
}

async function broadcastDown(ctx: OpContext, data: NumericArray, ranges: Array<[number, number]>, tree: Tree, sends: Sends): Promise<void> {
  const { parent, children } = tree;
  const incoming = parent >= 0 ? ranges.map(([lo, hi]) => posted(recvArray(ctx, parent, STEP_BROADCAST, data, hi - lo))) : [];
  const farthestFirst = [...children].reverse(); // the farthest child roots the largest subtree
  for (let s = 0; s < ranges.length; s++) {
    let segment = data.subarray(...ranges[s]);
    if (parent >= 0) {
      segment = await incoming[s];
      data.set(segment, ranges[s][0]); // forward the received bytes; our copy into `data` is independent
    }
    for (const child of farthestFirst) sends.send(child, STEP_BROADCAST, segment);
  }
}
