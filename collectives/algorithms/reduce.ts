/**
 * Reduce to a root: ring reduce-scatter (every rank reduces 1/n of the data, all links busy), then
 * every rank sends its finished block to the root. On non-root ranks `data` is used as scratch
 * space and holds partial sums afterwards (torch.distributed also leaves it unspecified).
 */
import type { KernelOp } from "../kernels/index.js";
import { recvIntoTarget, Sends } from "../op-io.js";
import { blockBounds } from "./ring-pass.js";
import { ringReduceScatterInPlace } from "./reducescatter-ring.js";
import type { NumericArray, OpContext } from "../types.js";

const GATHER_STEP = 2;

export async function ringReduce(ctx: OpContext, data: NumericArray, root: number, op: KernelOp): Promise<void> {
  const { size, rank } = ctx.transport;
  await ringReduceScatterInPlace(ctx, data, op);
  const bounds = blockBounds(data.length, size);
  if (rank !== root) {
    const [lo, hi] = bounds(rank);
    const sends = new Sends(ctx);
    sends.send(root, GATHER_STEP, data.subarray(lo, hi));
    await sends.settle();
    return;
  }
  for (let peer = 0; peer < size; peer++) {
    if (peer === root) continue;
    const [lo, hi] = bounds(peer);
    const target = data.subarray(lo, hi);
    await recvIntoTarget(ctx, peer, GATHER_STEP, target, "copy");
  }
}
