import { CommError } from "../../world/comm-error.js";
import { opTag } from "../../transports/transport.js";
import type { NumericArray, OpContext, ReduceOp } from "../types.js";
import { createCodec, decodeAdd } from "./codec.js";
import { errorFeedbackFor } from "./error-feedback.js";
import { frame, unframe } from "./frame.js";
import { chunkBounds, gatherAmongLeaders, reduceScatterAmongLeaders } from "./leader-exchange.js";
import { parseCompress } from "./types.js";

const TO_LEADER = 0;
const TO_MEMBERS = 2;

/**
 * Compressed all-reduce, region-aware: every rank compresses its own buffer (top-k with error
 * feedback, int8 or fp16); the first rank of each region sums its region's payloads and compresses
 * the sum (a union of sparse sets, or a re-quantised sum); region leaders exchange them — an
 * all-gather for sparse sets, a reduce-scatter + all-gather of quantised chunks for dense ones —
 * so the WAN only ever carries compressed bytes; each leader hands the resulting payloads to its
 * members. Every rank decodes the same bytes in the same order: results are bit-identical.
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
  const sparse = options.kind === "topk";
  let payloads: Uint8Array[];
  if (transport.rank !== leader) {
    await transport.send(leader, opTag(opSeq, TO_LEADER), mine);
    payloads = unframe(await transport.recv(leader, opTag(opSeq, TO_MEMBERS), timeoutMs), topology.regions.length);
  } else {
    const members = region.ranks.slice(1);
    const received = await Promise.all(members.map((m) => transport.recv(m, opTag(opSeq, TO_LEADER), timeoutMs)));
    const regionSumOf = (): Float32Array => {
      const sum = new Float32Array(data.length);
      for (const bytes of [mine, ...received]) decodeAdd(bytes, sum);
      return sum;
    };
    // A region of one rank forwards its own payload as is: no second rounding.
    const regionPayload = members.length > 0 && sparse ? codec.encodeSum(regionSumOf()) : mine;
    const leaders = topology.regions.map((r) => r.ranks[0]);
    payloads = sparse ? await gatherAmongLeaders(ctx, leaders, regionPayload) : await reduceScatterAmongLeaders(ctx, leaders, regionSumOf(), codec);
    const framed = frame(payloads);
    await Promise.all(members.map((m) => transport.send(m, opTag(opSeq, TO_MEMBERS), framed)));
  }
  const result = new Float32Array(data.length);
  if (sparse) for (const bytes of payloads) decodeAdd(bytes, result);
  else payloads.forEach((bytes, i) => decodeAdd(bytes, result.subarray(...chunkBounds(data.length, payloads.length, i))));
  if (op === "avg") for (let i = 0; i < result.length; i++) result[i] /= topology.size;
  data.set(result);
}
