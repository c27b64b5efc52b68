/** Ring all-gather: rank r's block starts in place in `out`; n-1 steps pass every block once round the ring. */
import { runRing } from "./ring-pass.js";
import type { NumericArray, OpContext } from "../types.js";

/** Element offsets of each rank's block: offsets[i]..offsets[i+1]. */
export function countOffsets(counts: readonly number[]): number[] {
  const offsets = [0];
  for (const c of counts) offsets.push(offsets[offsets.length - 1] + c);
  return offsets;
}

/** `out` holds every rank's block at `offsets`; this rank's block must already be in place. */
export async function ringAllGatherInPlace(ctx: OpContext, out: NumericArray, offsets: readonly number[]): Promise<void> {
  const size = ctx.transport.size;
  await runRing(ctx, out, {
    steps: size - 1,
    reduceSteps: 0,
    firstChunk: ctx.transport.rank,
    bounds: (i) => [offsets[i], offsets[i + 1]],
    agreedLength: out.length,
    op: "sum",
  });
}
