/** Ring all-reduce = ring reduce-scatter then ring all-gather, run as one pipelined pass of 2(n-1) steps. */
import { blockBounds, runRing } from "./ring-pass.js";
import type { AllReduceAlgorithm } from "../types.js";

export const ringAllReduce: AllReduceAlgorithm = async (ctx, data, op) => {
  const size = ctx.transport.size;
  await runRing(ctx, data, {
    steps: 2 * (size - 1),
    reduceSteps: size - 1,
    // After n-1 reducing steps rank r holds the finished chunk r+1, which the all-gather half starts from.
    firstChunk: ctx.transport.rank,
    bounds: blockBounds(data.length, size),
    agreedLength: data.length,
    op,
  });
};
