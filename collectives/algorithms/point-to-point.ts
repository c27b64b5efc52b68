/**
 * send/recv between two ranks. They use op sequence 0 with the user's tag as the step, apart from
 * the collectives' sequence numbers, because only the two ranks involved call them.
 */
import { recvIntoTarget, Sends } from "../op-io.js";
import type { NumericArray, OpContext } from "../types.js";

export const P2P_OP_SEQ = 0;

export async function sendTo(ctx: OpContext, data: NumericArray, peer: number, tag: number): Promise<void> {
  const sends = new Sends(ctx);
  sends.send(peer, tag, data);
  await sends.settle();
}

/** Receives exactly data.byteLength bytes into `data`; a message of another size is a MISMATCH. */
export async function recvInto(ctx: OpContext, data: NumericArray, peer: number, tag: number): Promise<void> {
  await recvIntoTarget(ctx, peer, tag, data, "copy");
}
