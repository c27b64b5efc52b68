/**
 * Two-hop all-reduce for short buffers, the latency path of the hierarchical algorithm: every rank
 * sends its buffer to each rank of its region (one local hop) and sums its region in local-rank
 * order; then every rank receives each other region's sum from one rank of that region (one WAN
 * hop) and adds the region sums in region order. Fixed orders make every rank's result bitwise
 * equal. Cost: one intra-region latency plus the largest one-way WAN latency, where the tree pays
 * 2·log2(n) hops and the ring 2(n−1); bytes grow with the rank count, hence only short buffers.
 */
import type { Region } from "../../world/topology.js";
import { posted, recvArray, withSends } from "./exchange.js";
import { reduceInto, type KernelOp } from "../kernels/index.js";
import { Sends } from "../op-io.js";
import type { NumericArray, OpContext } from "../types.js";

const STEP_LOCAL = 1;
const STEP_WAN = 2;

/** Sums the contributions in the given order into a fresh array. */
function sumInOrder(like: NumericArray, parts: NumericArray[], op: KernelOp): NumericArray {
  const total = new (like.constructor as new (length: number) => NumericArray)(like.length);
  total.set(parts[0]);
  for (let i = 1; i < parts.length; i++) reduceInto(total, parts[i], op);
  return total;
}

/** Ranks of `to` that rank `local` of a region of `fromSize` ranks serves: local indices ≡ local (mod fromSize). */
function servedBy(to: Region, local: number, fromSize: number): number[] {
  return to.ranks.filter((_, m) => m % fromSize === local);
}

export async function allReduceExchange(ctx: OpContext, data: NumericArray, op: KernelOp): Promise<void> {
  const me = ctx.transport.rank;
  const home = ctx.topology.regionOf(me);
  const local = ctx.topology.localRank(me);
  const localSends = new Sends(ctx);
  const wanSends = new Sends(ctx);
  const total = await withSends(wanSends, () =>
    withSends(localSends, async () => {
      for (const peer of home.ranks) if (peer !== me) localSends.send(peer, STEP_LOCAL, data);
      const parts = home.ranks.map((peer) => (peer === me ? Promise.resolve(data) : posted(recvArray(ctx, peer, STEP_LOCAL, data, data.length))));
      const regionSum = sumInOrder(data, await Promise.all(parts), op);
      const others = ctx.topology.regions.filter((r) => r.index !== home.index);
      for (const r of others) for (const peer of servedBy(r, local, home.ranks.length)) wanSends.send(peer, STEP_WAN, regionSum);
      const sums = ctx.topology.regions.map((r) =>
        r.index === home.index ? Promise.resolve(regionSum) : posted(recvArray(ctx, r.ranks[local % r.ranks.length], STEP_WAN, data, data.length)),
      );
      return sumInOrder(data, await Promise.all(sums), op);
    }),
  );
  data.set(total); // only after the local sends of `data` settled
}
