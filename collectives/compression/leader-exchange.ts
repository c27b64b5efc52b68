import { opTag } from "../../transports/transport.js";
import type { OpContext } from "../types.js";
import { decodeAdd, type Codec } from "./codec.js";

const BETWEEN_LEADERS = 1;
const CHUNK_GATHER = 3;

/** [start, end) of region-leader `i`'s share of an n-element buffer split among `parts` leaders. */
export function chunkBounds(n: number, parts: number, i: number): [number, number] {
  return [Math.floor((i * n) / parts), Math.floor(((i + 1) * n) / parts)];
}

/**
 * Sparse payloads: every leader sends its region payload to every other leader (an all-gather).
 * A sparse set cannot be reduce-scattered without its union growing, so this is the cheapest
 * exchange for it. Returns the payloads in region order; each decodes into the whole buffer.
 */
export async function gatherAmongLeaders(ctx: OpContext, leaders: number[], mine: Uint8Array): Promise<Uint8Array[]> {
  const { transport, opSeq, timeoutMs } = ctx;
  const tag = opTag(opSeq, BETWEEN_LEADERS);
  const others = leaders.filter((l) => l !== transport.rank);
  const [, received] = await Promise.all([
    Promise.all(others.map((peer) => transport.send(peer, tag, mine))),
    Promise.all(others.map((peer) => transport.recv(peer, tag, timeoutMs))),
  ]);
  return leaders.map((l) => (l === transport.rank ? mine : received[others.indexOf(l)]));
}

/**
 * Dense (quantised) region sums: reduce-scatter then all-gather among leaders, so each WAN link
 * carries 2(R-1)/R of a compressed buffer instead of of them. Leader i sums chunk i of every
 * region in region order and compresses it once; everyone decodes those same bytes. Returns the
 * final chunk payloads in chunk order; payload i decodes into chunk i.
 */
export async function reduceScatterAmongLeaders(ctx: OpContext, leaders: number[], regionSum: Float32Array, codec: Codec): Promise<Uint8Array[]> {
  const { transport, opSeq, timeoutMs } = ctx;
  const parts = leaders.length;
  const me = leaders.indexOf(transport.rank);
  const chunk = (data: Float32Array, i: number) => data.subarray(...chunkBounds(data.length, parts, i));
  const scatterTag = opTag(opSeq, BETWEEN_LEADERS);
  const mineEncoded = leaders.map((_, i) => codec.encodeSum(chunk(regionSum, i)));
  const others = leaders.map((l, i) => [l, i] as const).filter(([l]) => l !== transport.rank);
  const [, incoming] = await Promise.all([
    Promise.all(others.map(([peer, i]) => transport.send(peer, scatterTag, mineEncoded[i]))),
    Promise.all(others.map(([peer]) => transport.recv(peer, scatterTag, timeoutMs))),
  ]);
  const myChunk = new Float32Array(chunk(regionSum, me).length);
  leaders.forEach((l, r) => decodeAdd(l === transport.rank ? mineEncoded[me] : incoming[others.findIndex(([p]) => p === l)], myChunk));
  const reduced = codec.encodeSum(myChunk);
  const gatherTag = opTag(opSeq, CHUNK_GATHER);
  const [, gathered] = await Promise.all([
    Promise.all(others.map(([peer]) => transport.send(peer, gatherTag, reduced))),
    Promise.all(others.map(([peer]) => transport.recv(peer, gatherTag, timeoutMs))),
  ]);
  return leaders.map((l) => (l === transport.rank ? reduced : gathered[others.findIndex(([p]) => p === l)]));
}
