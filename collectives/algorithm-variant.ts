/**
 * Puts the algorithm that runs an op into the op's tags (transports/op-variants.ts), so that ranks
 * that pick different algorithms for one op fail with MISMATCH from the first message; and when a
 * rank finds that out, it tells every peer, so every rank fails with MISMATCH, not some with a TIMEOUT.
 */
import { CommError } from "../world/comm-error.js";
import { POISON_VARIANT, VARIANT_CONFLICT, variantOf } from "../transports/op-variants.js";
import { opTag } from "../transports/transport.js";
import type { AllReduceAlgorithm, OpContext } from "./types.js";

/** The context of `ctx`'s op as run by algorithm `name` (ctx.opSeq is the op's first slot). */
export function withVariant(ctx: OpContext, name: string): OpContext {
  return { ...ctx, opSeq: ctx.opSeq + variantOf(name) };
}

/** `algorithm`, with its name in every tag it sends and receives. */
export function tagged(name: string, algorithm: AllReduceAlgorithm): AllReduceAlgorithm {
  return (ctx, data, op) => algorithm(withVariant(ctx, name), data, op);
}

/** Whether `error` (or what it wraps) says the ranks run different algorithms for one op. */
export function isVariantConflict(error: unknown): boolean {
  for (let e = error; e instanceof Error; e = e.cause) if (e.cause === VARIANT_CONFLICT) return true;
  return false;
}

/** Tells every peer that op `ctx` failed this way (fire and forget: a peer that is gone needs no telling). */
export function poisonOp(ctx: OpContext, error: CommError): void {
  const reason = new TextEncoder().encode(error.message.slice(0, 500));
  for (let peer = 0; peer < ctx.transport.size; peer++) {
    if (peer !== ctx.transport.rank) ctx.transport.send(peer, opTag(ctx.opSeq + POISON_VARIANT, 0), reason).catch(() => undefined);
  }
}
