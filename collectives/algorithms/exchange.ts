/**
 * Segmented transfers shared by the tree, halving-doubling and hierarchical all-reduces, built on
 * op-io's deadline-aware receive and send collector: a transfer is cut into segments so a receiver
 * reduces one segment while the next is still on the wire. Messages of one (peer, tag) arrive in
 * send order, so all segments of one transfer share a step.
 */
import { reduceInto, type KernelOp } from "../kernels/index.js";
import { recvFrom, type Sends } from "../op-io.js";
import { viewLike } from "./ring-pass.js";
import type { NumericArray, OpContext } from "../types.js";

/** Segment boundaries of `count` elements; a zero-length transfer is one empty segment (so lengths are still checked). */
export function segmentRanges(count: number, elementBytes: number, segmentBytes: number): Array<[number, number]> {
  const per = Math.max(1, Math.floor(segmentBytes / elementBytes));
  const out: Array<[number, number]> = [];
  for (let lo = 0; lo < count; lo += per) out.push([lo, Math.min(count, lo + per)]);
  return out.length > 0 ? out : [[0, 0]];
}

/**
 * Marks a promise awaited later as handled, so that when an earlier await throws, its later
 * rejection is not reported as unhandled; awaiting the returned promise still throws.
 */
export function posted<T>(promise: Promise<T>): Promise<T> {
  promise.catch(() => undefined);
  return promise;
}

/** Receives one message of exactly `count` elements of `like`'s type. */
export async function recvArray<T extends NumericArray>(ctx: OpContext, peer: number, step: number, like: T, count: number): Promise<T> {
  return viewLike(like, await recvFrom(ctx, peer, step, count * like.BYTES_PER_ELEMENT));
}

/** Queues `view` to `peer` segment by segment on `sends`. */
export function sendSegments(sends: Sends, peer: number, step: number, view: NumericArray, segmentBytes: number): void {
  for (const [lo, hi] of segmentRanges(view.length, view.BYTES_PER_ELEMENT, segmentBytes)) sends.send(peer, step, view.subarray(lo, hi));
}

function postSegments(ctx: OpContext, peer: number, step: number, dst: NumericArray): Array<[number, Promise<NumericArray>]> {
  return segmentRanges(dst.length, dst.BYTES_PER_ELEMENT, ctx.segmentBytes).map(([lo, hi]) => [lo, posted(recvArray(ctx, peer, step, dst, hi - lo))]);
}

/** Receives `dst.length` elements from `peer` in segments and reduces each into `dst` as it lands. */
export async function recvReduceSegments(ctx: OpContext, peer: number, step: number, dst: NumericArray, op: KernelOp): Promise<void> {
  for (const [lo, pending] of postSegments(ctx, peer, step, dst)) {
    const incoming = await pending;
    reduceInto(dst.subarray(lo, lo + incoming.length), incoming, op);
  }
}

/** Receives `dst.length` elements from `peer` in segments and copies them into `dst`. */
export async function recvCopySegments(ctx: OpContext, peer: number, step: number, dst: NumericArray): Promise<void> {
  for (const [lo, pending] of postSegments(ctx, peer, step, dst)) dst.set(await pending, lo);
}

/** Runs `body` with a send collector; settles the sends on success and abandons them on failure. */
export async function withSends<T>(sends: Sends, body: () => Promise<T>): Promise<T> {
  try {
    const result = await body();
    await sends.settle();
    return result;
  } catch (error) {
    sends.abandon();
    throw error;
  }
}
