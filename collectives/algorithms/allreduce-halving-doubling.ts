/**
 * Rabenseifner's all-reduce: recursive-halving reduce-scatter, then recursive-doubling all-gather
 * (Gloo's allreduce_halving_doubling, MPICH's long-message allreduce). 2·log2(p) steps moving
 * 2·(p−1)/p of the buffer per rank. Short buffers use plain recursive doubling (log2(p) steps,
 * whole buffer each), as MPICH does. Partners 1 apart go first, so the halving steps that move the
 * most bytes stay inside a region (ranks are region-contiguous) and the WAN sees the small ones.
 *
 * A world that is not a power of two first folds: of the first 2·rem ranks, each even rank hands
 * its buffer to the odd rank after it and waits for the result, leaving p = 2^⌊log2 n⌋ active ranks.
 */
import { recvArray, recvCopySegments, recvReduceSegments, sendSegments, withSends } from "./exchange.js";
import { reduceInto, type KernelOp } from "../kernels/index.js";
import { Sends } from "../op-io.js";
import type { AllReduceAlgorithm, NumericArray, OpContext } from "../types.js";
import { HALVING_DOUBLING_SHORT_BYTES, largestPowerOfTwo } from "../../model/algorithm-shapes.js";

/** The thresholds live in the model layer (the cost model replays them too); re-exported for old importers. */
export { HALVING_DOUBLING_SHORT_BYTES, largestPowerOfTwo };

const STEP_FOLD = 1;
const STEP_UNFOLD = 2;
const STEP_EXCHANGE = 3; // + step index; 32 steps is enough for any rank count
const STEP_GATHER = 40; // + step index

type Mode = "by-size" | "halving" | "doubling";

export const allReduceHalvingDoubling: AllReduceAlgorithm = (ctx, data, op) => run(ctx, data, op, "by-size");
/** Always Rabenseifner, whatever the size (tests; the cost model's "halving" branch). */
export const allReduceRabenseifner: AllReduceAlgorithm = (ctx, data, op) => run(ctx, data, op, "halving");
/** Always plain recursive doubling of the whole buffer. */
export const allReduceRecursiveDoubling: AllReduceAlgorithm = (ctx, data, op) => run(ctx, data, op, "doubling");

async function run(ctx: OpContext, data: NumericArray, op: KernelOp, mode: Mode): Promise<void> {
  const { rank, size } = ctx.transport;
  if (size === 1) return;
  const pow = largestPowerOfTwo(size);
  const rem = size - pow;
  const sends = new Sends(ctx);
  await withSends(sends, async () => {
    if (rank < 2 * rem && rank % 2 === 0) {
      // Folded out: the odd neighbour reduces for us and returns the result.
      sendSegments(sends, rank + 1, STEP_FOLD, data, ctx.segmentBytes);
      return recvCopySegments(ctx, rank + 1, STEP_UNFOLD, data);
    }
    if (rank < 2 * rem) await recvReduceSegments(ctx, rank - 1, STEP_FOLD, data, op);
    const active = { newRank: rank < 2 * rem ? rank >> 1 : rank - rem, pow, real: (nr: number) => (nr < rem ? nr * 2 + 1 : nr + rem) };
    const short = mode === "doubling" || (mode === "by-size" && data.byteLength <= HALVING_DOUBLING_SHORT_BYTES);
    if (short) await recursiveDoubling(ctx, data, op, active, sends);
    else await halvingThenDoubling(ctx, data, op, active, sends);
    if (rank < 2 * rem) sendSegments(sends, rank - 1, STEP_UNFOLD, data, ctx.segmentBytes);
  });
}

interface Active {
  newRank: number;
  pow: number;
  real(newRank: number): number;
}

async function recursiveDoubling(ctx: OpContext, data: NumericArray, op: KernelOp, a: Active, sends: Sends): Promise<void> {
  for (let mask = 1, step = 0; mask < a.pow; mask <<= 1, step++) {
    const partner = a.real(a.newRank ^ mask);
    sends.send(partner, STEP_EXCHANGE + step, data.slice()); // a copy: `data` changes below
    reduceInto(data, await recvArray(ctx, partner, STEP_EXCHANGE + step, data, data.length), op);
  }
}

async function halvingThenDoubling(ctx: OpContext, data: NumericArray, op: KernelOp, a: Active, sends: Sends): Promise<void> {
  let lo = 0;
  let hi = data.length;
  const parents: Array<[number, number, number]> = []; // [lo, hi, mid] of each halved range
  for (let mask = 1, step = 0; mask < a.pow; mask <<= 1, step++) {
    const partner = a.real(a.newRank ^ mask);
    const mid = lo + Math.floor((hi - lo) / 2);
    const keepLow = (a.newRank & mask) === 0;
    const [keepLo, keepHi, giveLo, giveHi] = keepLow ? [lo, mid, mid, hi] : [mid, hi, lo, mid];
    sendSegments(sends, partner, STEP_EXCHANGE + step, data.subarray(giveLo, giveHi), ctx.segmentBytes);
    await recvReduceSegments(ctx, partner, STEP_EXCHANGE + step, data.subarray(keepLo, keepHi), op);
    parents.push([lo, hi, mid]);
    [lo, hi] = [keepLo, keepHi];
  }
  for (let mask = a.pow >> 1, step = parents.length - 1; mask >= 1; mask >>= 1, step--) {
    const partner = a.real(a.newRank ^ mask);
    const [parentLo, parentHi, mid] = parents[step];
    const [otherLo, otherHi] = (a.newRank & mask) === 0 ? [mid, parentHi] : [parentLo, mid]; // the partner's half
    sendSegments(sends, partner, STEP_GATHER + step, data.subarray(lo, hi), ctx.segmentBytes);
    await recvCopySegments(ctx, partner, STEP_GATHER + step, data.subarray(otherLo, otherHi));
    [lo, hi] = [parentLo, parentHi];
  }
}
