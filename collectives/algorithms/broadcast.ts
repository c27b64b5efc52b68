/**
 * Broadcast as a pipelined chain root → root+1 → … → root-1, segment by segment, so a large buffer
 * crosses every link once and all links work at the same time (bandwidth-optimal, like NCCL's
 * ring broadcast). The last rank acknowledges to the root, so a length or dtype mismatch rejects on
 * every rank, the root included.
 */
import { dtypeOf } from "../kernels/index.js";
import { recvIntoTarget, Sends } from "../op-io.js";
import { RingGuard } from "./ring-guard.js";
import type { NumericArray, OpContext } from "../types.js";

const DATA_STEP = 1;

export async function chainBroadcast(ctx: OpContext, data: NumericArray, root: number): Promise<void> {
  const { size, rank } = ctx.transport;
  if (size === 1) return;
  const position = (rank - root + size) % size;
  const prev = (rank - 1 + size) % size;
  const isLast = position === size - 1;
  const next = isLast ? root : (rank + 1) % size;
  const sends = new Sends(ctx);
  const guard = new RingGuard(ctx, sends, prev, next, data.length, dtypeOf(data));
  const segElems = Math.max(1, Math.floor(ctx.segmentBytes / data.BYTES_PER_ELEMENT));
  try {
    if (position === 0) {
      guard.announce();
      for (let a = 0; a < data.length || a === 0; a += segElems) sends.send(next, DATA_STEP, data.subarray(a, a + segElems));
      await sends.settle();
      await guard.check(0); // the last rank's acknowledgement
      return;
    }
    await guard.check(1);
    if (!isLast) guard.announce();
    for (let a = 0; a < data.length || a === 0; a += segElems) {
      const target = data.subarray(a, a + segElems);
      await recvIntoTarget(ctx, prev, DATA_STEP, target, "copy");
      if (!isLast) sends.send(next, DATA_STEP, target);
    }
    if (isLast) guard.announce();
    await sends.settle();
  } catch (error) {
    sends.abandon();
    throw error;
  }
}
