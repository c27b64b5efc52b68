/** Dissemination barrier: ceil(log2 n) rounds; in round k rank r signals r+2^k and waits for r-2^k. */
import { recvFrom, Sends } from "../op-io.js";
import type { OpContext } from "../types.js";

const EMPTY = new Uint8Array(0);

export async function disseminationBarrier(ctx: OpContext): Promise<void> {
  const { size, rank } = ctx.transport;
  const sends = new Sends(ctx);
  try {
    for (let distance = 1, round = 0; distance < size; distance *= 2, round++) {
      sends.send((rank + distance) % size, round, EMPTY);
      await recvFrom(ctx, (rank - distance + size) % size, round, 0);
    }
    await sends.settle();
  } catch (error) {
    sends.abandon();
    throw error;
  }
}
