/**
 * Hierarchical all-reduce for ranks spread over regions (NCCL's and NeMo's multi-datacenter scheme):
 * reduce-scatter inside each region, all-reduce of the shards across regions, all-gather inside
 * each region. Shards are "stripes": the buffer is cut into S = (largest region's rank count)
 * stripes, and in a region of L ranks stripe k belongs to local rank k mod L. So with equal regions
 * local rank i talks to local rank i of every other region, each pair of regions carries L streams
 * at once, and uneven regions (new-york:3,london:1,asuncion:2) still line up stripe by stripe.
 *
 * Across regions a stripe's owners run a direct reduce-scatter + all-gather: one message to every
 * other region per phase, so every region pair's link works in parallel (a ring over regions
 * would use only R of the R(R−1) directed links) and only two WAN latencies are paid. Large
 * buffers are cut into chunks that all run at once, so one chunk's intra-region steps overlap
 * another's WAN transfer. Short buffers take a two-hop path instead (see allReduceExchange).
 */
import type { Region } from "../../world/topology.js";
import { allReduceExchange } from "./allreduce-exchange.js";
import { posted, recvCopySegments, recvReduceSegments, sendSegments, withSends } from "./exchange.js";
import type { KernelOp } from "../kernels/index.js";
import { Sends } from "../op-io.js";
import { blockBounds } from "./ring-pass.js";
import type { AllReduceAlgorithm, NumericArray, OpContext } from "../types.js";
import { chunkCount, HIERARCHICAL_CHUNK_BYTES, HIERARCHICAL_EXCHANGE_MAX_BYTES, stripeCount, stripeOwner } from "../../model/algorithm-shapes.js";

/** The shapes live in the model layer (the cost model counts them too); re-exported for old importers. */
export { chunkCount, HIERARCHICAL_CHUNK_BYTES, HIERARCHICAL_EXCHANGE_MAX_BYTES, stripeCount, stripeOwner };
const PHASES = 4; // intra reduce-scatter, WAN reduce-scatter, WAN all-gather, intra all-gather

export const allReduceHierarchical: AllReduceAlgorithm = async (ctx, data, op) => {
  if (ctx.transport.size === 1) return;
  if (data.byteLength <= HIERARCHICAL_EXCHANGE_MAX_BYTES) return allReduceExchange(ctx, data, op);
  return allReduceStriped(ctx, data, op);
};

/** The reduce-scatter / cross-region / all-gather path, whatever the size. */
export const allReduceStriped: AllReduceAlgorithm = async (ctx, data, op) => {
  if (ctx.transport.size === 1) return;
  const chunks = blockBounds(data.length, chunkCount(data.byteLength));
  const stripes = stripeCount(ctx.topology.regions);
  const sends = new Sends(ctx);
  await withSends(sends, async () => {
    const work: Promise<void>[] = [];
    for (let c = 0; c < chunkCount(data.byteLength); c++) {
      const chunk = data.subarray(...chunks(c));
      const stripe = blockBounds(chunk.length, stripes);
      for (let k = 0; k < stripes; k++) work.push(posted(stripeAllReduce(ctx, chunk.subarray(...stripe(k)), op, k, 1 + (c * stripes + k) * PHASES, sends)));
    }
    await Promise.all(work);
  });
};

/** All-reduce of one stripe of one chunk; `step` is the first of its PHASES private tag steps. */
async function stripeAllReduce(ctx: OpContext, stripe: NumericArray, op: KernelOp, k: number, step: number, sends: Sends): Promise<void> {
  const me = ctx.transport.rank;
  const home = ctx.topology.regionOf(me);
  const owner = stripeOwner(home, k);
  if (owner !== me) {
    sendSegments(sends, owner, step, stripe, ctx.segmentBytes);
    return recvCopySegments(ctx, owner, step + 3, stripe);
  }
  for (const peer of home.ranks) if (peer !== me) await recvReduceSegments(ctx, peer, step, stripe, op);
  await crossRegions(ctx, stripe, op, k, step + 1, home, sends);
  for (const peer of home.ranks) if (peer !== me) sendSegments(sends, peer, step + 3, stripe, ctx.segmentBytes);
}

/** Direct reduce-scatter + all-gather of `stripe` among its owners, one per region. */
async function crossRegions(ctx: OpContext, stripe: NumericArray, op: KernelOp, k: number, step: number, home: Region, sends: Sends): Promise<void> {
  const regions = ctx.topology.regions;
  const block = (r: number) => stripe.subarray(...blockBounds(stripe.length, regions.length)(r));
  const others = regions.filter((r) => r.index !== home.index);
  for (const r of others) sendSegments(sends, stripeOwner(r, k), step, block(r.index), ctx.segmentBytes);
  const mine = block(home.index);
  await Promise.all(others.map((r) => posted(recvReduceSegments(ctx, stripeOwner(r, k), step, mine, op))));
  for (const r of others) sendSegments(sends, stripeOwner(r, k), step + 1, mine, ctx.segmentBytes);
  await Promise.all(others.map((r) => posted(recvCopySegments(ctx, stripeOwner(r, k), step + 1, block(r.index)))));
}
