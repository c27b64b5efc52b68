/**
 * One-shot all-reduce over shared memory (NCCL's and TensorRT-LLM's one-shot kernel for small
 * buffers inside a node): every rank copies its buffer into its slot of the shared arena, waits
 * once for all ranks to arrive, then reduces every slot into its own buffer. One synchronisation
 * instead of log2(p) message round trips; each rank reads (p−1)·n bytes, so it only pays for small
 * buffers. Ranks reduce in rank order, so every rank gets bit-identical floats.
 *
 * Needs ranks that share memory: the threads transport built with a shared arena.
 */
import { CommError } from "../../world/comm-error.js";
import type { SharedArena } from "../../transports/threads/shared-arena.js";
import { bytesOf } from "../../transports/transport.js";
import { dtypeOf, reduceInto } from "../kernels/index.js";
import { mismatchError } from "../op-io.js";
import type { AllReduceAlgorithm, NumericArray, OpContext } from "../types.js";

const TYPE_CODES = { float32: 1, float64: 2, int32: 3 } as const;
const TYPE_NAMES = ["?", "float32", "float64", "int32"];

function describe(header: Int32Array): string {
  return `${header[0]} bytes of ${TYPE_NAMES[header[1]] ?? "?"}`;
}

export const allReduceOneShot: AllReduceAlgorithm = async (ctx, data, op) => {
  const arena = usableArena(ctx, data);
  const generation = arena.begin();
  const mine = arena.slot(arena.rank, generation);
  mine.header[0] = data.byteLength;
  mine.header[1] = TYPE_CODES[dtypeOf(data)];
  mine.payload.set(bytesOf(data));
  arena.arrive(generation);
  await arena.waitForAll(generation, ctx.deadline, ctx.opName);
  const Ctor = data.constructor as new (buffer: ArrayBufferLike, offset: number, length: number) => NumericArray;
  for (let owner = 0; owner < arena.size; owner++) {
    const { header, payload } = arena.slot(owner, generation);
    if (header[0] !== mine.header[0] || header[1] !== mine.header[1]) {
      throw mismatchError(ctx, owner, `rank ${owner} passed ${describe(header)}, this rank ${describe(mine.header)}`);
    }
    const theirs = new Ctor(payload.buffer, payload.byteOffset, data.length);
    if (owner === 0) data.set(theirs);
    else reduceInto(data, theirs, op);
  }
};

function usableArena(ctx: OpContext, data: NumericArray): SharedArena {
  const arena = ctx.transport.shared;
  const { rank } = ctx.transport;
  if (!arena) {
    throw new CommError(`${ctx.opName} on rank ${rank}: algorithm "one-shot" needs ranks that share memory (ThreadTransport with { shared: createSharedArena(size) }); use "auto" or another algorithm`, { code: "UNSUPPORTED", rank, op: ctx.opName });
  }
  if (data.byteLength > arena.slotBytes) {
    throw new CommError(`${ctx.opName} on rank ${rank}: algorithm "one-shot" takes at most ${arena.slotBytes} bytes per rank (the shared arena's slot), got ${data.byteLength}; use "auto", or a larger slotBytes in createSharedArena`, { code: "INVALID_ARGUMENT", rank, op: ctx.opName });
  }
  return arena;
}
