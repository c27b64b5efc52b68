/** Ring reduce-scatter: n-1 reducing steps; rank r ends with the reduced block r of `data` (block i = [floor(i*n/size), floor((i+1)*n/size))). */
import type { KernelOp } from "../kernels/index.js";
import { blockBounds, runRing } from "./ring-pass.js";
import type { NumericArray, OpContext } from "../types.js";

/** Reduces in place: block `rank` of `data` holds the result; other blocks are left partially reduced (scratch). */
export async function ringReduceScatterInPlace(ctx: OpContext, data: NumericArray, op: KernelOp): Promise<void> {
  const { size, rank } = ctx.transport;
  await runRing(ctx, data, {
    steps: size - 1,
    reduceSteps: size - 1,
    // Starting one chunk behind makes the chunk finished at the last step this rank's own block.
    firstChunk: (rank + size - 1) % size,
    bounds: blockBounds(data.length, size),
    agreedLength: data.length,
    op,
  });
}
