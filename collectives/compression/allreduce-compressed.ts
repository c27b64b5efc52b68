import { CommError } from "../../transports/errors.js";
import { opTag } from "../../transports/transport.js";
import type { NumericArray, OpContext, ReduceOp } from "../types.js";
import { createCodec, decodeAdd } from "./codec.js";
import { errorFeedbackFor } from "./error-feedback.js";
import { frame, unframe } from "./frame.js";
import { parseCompress } from "./types.js";

const TO_LEADER = 0;
const BETWEEN_LEADERS = 1;
const TO_MEMBERS = 2;

/**
 * Compressed all-reduce, region-aware: every rank compresses its own buffer (top-k with error
 * feedback, int8 or fp16); the first rank of each region sums its region's payloads and compresses
 * the sum once more (a union of sparse sets, or a re-quantised sum); region leaders all-gather those
 * region payloads, so a WAN link carries one compressed payload per region per direction, never
 * a dense buffer; each leader hands the set of region payloads to its members. Every rank decodes
 * the same bytes in region order, so all ranks end with bit-identical results.
 */
export async function allReduceCompressed(ctx: OpContext, data: NumericArray, compress: unknown, op: ReduceOp): Promise<void> {
  const options = parseCompress(compress);
  if (!(data instanceof Float32Array) || (op !== "sum" && op !== "avg")) {
    throw new CommError(`compressed allReduce supports Float32Array with op "sum" or "avg", got ${data.constructor.name} "${op}"; drop compress for other types`, {
      code: "UNSUPPORTED", rank: ctx.transport.rank, op: ctx.opName,
    });
  }
  const { transport, topology, opSeq, timeoutMs } = ctx;
  const region = topology.regionOf(transport.rank);
  const leader = region.ranks[0];
  const codec = createCodec(options, errorFeedbackFor(transport));
  const mine = codec.encode(data);
  let payloads: Uint8Array[];
  if (transport.rank !== leader) {
    await transport.send(leader, opTag(opSeq, TO_LEADER), mine);
    payloads = unframe(await transport.recv(leader, opTag(opSeq, TO_MEMBERS), timeoutMs), topology.regions.length);
  } else {
    const members = region.ranks.slice(1);
    const received = await Promise.all(members.map((m) => transport.recv(m, opTag(opSeq, TO_LEADER), timeoutMs)));
    let regionPayload = mine;
    if (members.length > 0) {
      const sum = new Float32Array(data.length);
      for (const bytes of [mine, ...received]) decodeAdd(bytes, sum);
      regionPayload = codec.encodeSum(sum);
    }
    const others = topology.regions.filter((r) => r.index !== region.index).map((r) => r.ranks[0]);
    const tag = opTag(opSeq, BETWEEN_LEADERS);
    const [, fromOthers] = await Promise.all([
      Promise.all(others.map((peer) => transport.send(peer, tag, regionPayload))),
      Promise.all(others.map((peer) => transport.recv(peer, tag, timeoutMs))),
    ]);
    payloads = topology.regions.map((r) => (r.index === region.index ? regionPayload : fromOthers[others.indexOf(r.ranks[0])]));
    const framed = frame(payloads);
    await Promise.all(members.map((m) => transport.send(m, opTag(opSeq, TO_MEMBERS), framed)));
  }
  const result = new Float32Array(data.length);
  for (const bytes of payloads) decodeAdd(bytes, result);
  if (op === "avg") for (let i = 0; i < result.length; i++) result[i] /= topology.size;
  data.set(result);
}
