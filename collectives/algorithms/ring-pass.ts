/**
 * The engine shared by ring all-reduce, reduce-scatter and all-gather (Gloo's allreduce_ring,
 * NCCL's ring primitives): `steps` ring steps in which every rank sends one chunk to its right
 * neighbour and receives another from its left; the first `reduceSteps` reduce what arrives into
 * `data`, later steps copy it. The chunk received at step s is the chunk sent at step s+1, so each
 * chunk is cut into segments (Gloo: 1 MiB) and every segment is forwarded as soon as it has been
 * reduced: sending one segment overlaps reducing the next, and nothing bigger than a segment is
 * staged — the outgoing segments are views of `data` itself.
 */
import { dtypeOf, type KernelOp } from "../kernels/index.js";
import { recvIntoTarget, Sends } from "../op-io.js";
import { RingGuard } from "./ring-guard.js";
import type { NumericArray, OpContext } from "../types.js";

const DATA_STEP = 1;

export interface RingPlan {
  readonly steps: number;
  readonly reduceSteps: number;
  /** Chunk this rank sends at step 0; the chunk it sends at step s is (firstChunk - s) mod size. */
  readonly firstChunk: number;
  /** Element range [lo, hi) of chunk c within data. */
  readonly bounds: (chunk: number) => readonly [number, number];
  /** Length every rank must agree on (checked through the ring's step headers). */
  readonly agreedLength: number;
  readonly op: KernelOp;
}

/** Block i of n elements split over `parts`: [floor(i*n/parts), floor((i+1)*n/parts)). */
export function blockBounds(n: number, parts: number): (i: number) => readonly [number, number] {
  return (i) => [Math.floor((i * n) / parts), Math.floor(((i + 1) * n) / parts)];
}

/** Re-exported for algorithm files that import it from here. */
export { viewLike } from "../op-io.js";

export async function runRing(ctx: OpContext, data: NumericArray, plan: RingPlan): Promise<void> {
  const { size, rank } = ctx.transport;
  if (size === 1 || plan.steps === 0) return;
  const left = (rank - 1 + size) % size;
  const right = (rank + 1) % size;
  const segElems = Math.max(1, Math.floor(ctx.segmentBytes / data.BYTES_PER_ELEMENT));
  const sends = new Sends(ctx);
  const guard = new RingGuard(ctx, sends, left, right, plan.agreedLength, dtypeOf(data));
  const chunkAt = (step: number) => (((plan.firstChunk - step) % size) + size) % size;
  try {
    guard.announce();
    const [lo0, hi0] = plan.bounds(chunkAt(0));
    for (let a = lo0; a < hi0 || a === lo0; a += segElems) sends.send(right, DATA_STEP, data.subarray(a, Math.min(hi0, a + segElems)));
    for (let step = 0; step < plan.steps; step++) {
      await guard.check(plan.steps - step - 1);
      const [lo, hi] = plan.bounds(chunkAt(step + 1));
      const forward = step + 1 < plan.steps;
      for (let a = lo; a < hi || a === lo; a += segElems) {
        const b = Math.min(hi, a + segElems);
        const target = data.subarray(a, b);
        await recvIntoTarget(ctx, left, DATA_STEP, target, step < plan.reduceSteps ? plan.op : "copy");
        if (!forward) continue;
        if (a === lo) guard.announce();
        sends.send(right, DATA_STEP, target);
      }
    }
    await sends.settle();
  } catch (error) {
    sends.abandon();
    throw error;
  }
}
