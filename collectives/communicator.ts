/**
 * The Communicator: argument checks, one op sequence number per collective (so the messages of
 * successive ops never mix), ops run one at a time in issue order (c10d semantics: every rank
 * issues the same collectives in the same order), a deadline per op, and "avg" as sum then divide.
 */
import { CommError } from "../world/comm-error.js";
import type { Topology } from "../world/topology.js";
import { variantBase } from "../transports/op-variants.js";
import { CountingTransport, type Traffic } from "./compression/traffic.js";
import type { Transport } from "../transports/transport.js";
import { getAllReduceAlgorithm, allReduceAlgorithmNames } from "./registry.js";
import { isVariantConflict, poisonOp, withVariant } from "./algorithm-variant.js";
import { countOffsets, ringAllGatherInPlace } from "./algorithms/allgather-ring.js";
import { disseminationBarrier } from "./algorithms/barrier.js";
import { sharedBarrier } from "./algorithms/barrier-shared.js";
import { allReduceCompressed } from "./compression/allreduce-compressed.js";
import { chainBroadcast } from "./algorithms/broadcast.js";
import { P2P_OP_SEQ, recvInto, sendTo } from "./algorithms/point-to-point.js";
import { allocArray } from "./kernels/index.js";
import { ringReduce } from "./algorithms/reduce.js";
import { ringReduceScatterInPlace } from "./algorithms/reducescatter-ring.js";
import { blockBounds } from "./algorithms/ring-pass.js";
import type { AllReduceOptions, Communicator, NumericArray, OpContext, OpOptions, ReduceOp, ReduceOptions } from "./types.js";
import { Validator } from "./validate.js";
import { promiseWorkStarter } from "./work.js";

export interface CommunicatorOptions {
  /** Default per-op timeout (ms); each op may override it. */
  timeoutMs?: number;
  /** Pipelining segment size in bytes (Gloo uses 1 MiB). */
  segmentBytes?: number;
}

export const DEFAULT_TIMEOUT_MS = 60_000;
export const DEFAULT_SEGMENT_BYTES = 1 << 20;

/** avg = sum, then divide by the world size; Int32Array results truncate toward zero. */
function finishAvg(data: NumericArray, size: number): void {
  if (data instanceof Int32Array) for (let i = 0; i < data.length; i++) data[i] = Math.trunc(data[i] / size);
  else for (let i = 0; i < data.length; i++) data[i] /= size;
}

class RingCommunicator implements Communicator {
  readonly rank: number;
  readonly size: number;
  readonly start = promiseWorkStarter(this);
  /** The counts of a CountingTransport underneath (init({ countTraffic: true })). */
  readonly traffic?: Traffic;
  private readonly check: Validator;
  private readonly timeoutMs: number;
  private readonly segmentBytes: number;
  private nextSeq = 1;
  private tail: Promise<unknown> = Promise.resolve();
  private closed = false;

  constructor(
    private readonly transport: Transport,
    readonly topology: Topology,
    options: CommunicatorOptions,
  ) {
    this.rank = transport.rank;
    this.size = transport.size;
    if (transport instanceof CountingTransport) this.traffic = transport.traffic;
    this.check = new Validator(this.rank, this.size);
    this.timeoutMs = this.check.timeout("createCommunicator", options.timeoutMs, DEFAULT_TIMEOUT_MS);
    const segment = options.segmentBytes ?? DEFAULT_SEGMENT_BYTES;
    if (!Number.isInteger(segment) || segment < 64) this.check.fail("createCommunicator", `segmentBytes must be an integer >= 64, got ${segment}`);
    this.segmentBytes = segment;
    if (topology.size !== transport.size) this.check.fail("createCommunicator", `topology "${topology.spec}" has ${topology.size} ranks but the transport has ${transport.size}`);
  }

  allReduce<T extends NumericArray>(data: T, options: AllReduceOptions = {}): Promise<T> {
    const op = "allReduce";
    this.check.data(op, data);
    const reduceOp = this.check.reduceOp(op, options.op);
    const name = options.algorithm ?? "auto";
    const algorithm = getAllReduceAlgorithm(name);
    if (!algorithm) this.check.fail(op, `unknown algorithm "${name}"; choose one of ${allReduceAlgorithmNames().join(", ")}`);
    if (options.compress !== undefined) return this.run(op, options, async (ctx) => (await allReduceCompressed(withVariant(ctx, "compressed"), data, options.compress, reduceOp), data));
    return this.run(op, options, async (ctx) => {
      await algorithm(ctx, data, reduceOp === "avg" ? "sum" : reduceOp);
      return this.finish(data, reduceOp);
    });
  }

  reduceScatter<T extends NumericArray>(input: T, options: ReduceOptions = {}): Promise<T> {
    const op = "reduceScatter";
    this.check.data(op, input, "input");
    const reduceOp = this.check.reduceOp(op, options.op);
    return this.run(op, options, async (ctx) => {
      // A registered scratch copy: the reductions then stage only the incoming operand.
      const scratch = allocArray(input.constructor as Float32ArrayConstructor, input.length) as unknown as T;
      scratch.set(input);
      await ringReduceScatterInPlace(ctx, scratch, reduceOp === "avg" ? "sum" : reduceOp);
      const [lo, hi] = blockBounds(input.length, this.size)(this.rank);
      return this.finish(scratch.slice(lo, hi) as T, reduceOp);
    });
  }

  allGather<T extends NumericArray>(input: T, options: OpOptions & { counts?: number[] } = {}): Promise<T> {
    const op = "allGather";
    this.check.data(op, input, "input");
    const counts = options.counts === undefined ? new Array<number>(this.size).fill(input.length) : this.check.counts(op, options.counts, input.length);
    return this.run(op, options, async (ctx) => {
      const offsets = countOffsets(counts);
      const out = new (input.constructor as new (n: number) => T)(offsets[this.size]);
      out.set(input, offsets[this.rank]);
      await ringAllGatherInPlace(ctx, out, offsets);
      return out;
    });
  }

  broadcast<T extends NumericArray>(data: T, root: number, options: OpOptions = {}): Promise<T> {
    const op = "broadcast";
    this.check.data(op, data);
    this.check.rankArg(op, "root", root);
    return this.run(op, options, async (ctx) => {
      await chainBroadcast(ctx, data, root);
      return data;
    });
  }

  reduce<T extends NumericArray>(data: T, root: number, options: ReduceOptions = {}): Promise<T> {
    const op = "reduce";
    this.check.data(op, data);
    this.check.rankArg(op, "root", root);
    const reduceOp = this.check.reduceOp(op, options.op);
    return this.run(op, options, async (ctx) => {
      await ringReduce(ctx, data, root, reduceOp === "avg" ? "sum" : reduceOp);
      return this.rank === root ? this.finish(data, reduceOp) : data;
    });
  }

  barrier(options: OpOptions = {}): Promise<void> {
    const arena = this.transport.shared;
    return this.run("barrier", options, (ctx) => (arena ? sharedBarrier(ctx, arena) : disseminationBarrier(ctx)));
  }

  send(data: NumericArray, peer: number, options: OpOptions & { tag?: number } = {}): Promise<void> {
    const op = "send";
    this.check.data(op, data);
    this.check.rankArg(op, "peer", peer, false);
    const tag = this.check.tag(op, options.tag);
    return this.run(op, options, (ctx) => sendTo(ctx, data, peer, tag), P2P_OP_SEQ);
  }

  recv<T extends NumericArray>(data: T, peer: number, options: OpOptions & { tag?: number } = {}): Promise<T> {
    const op = "recv";
    this.check.data(op, data);
    this.check.rankArg(op, "peer", peer, false);
    const tag = this.check.tag(op, options.tag);
    return this.run(op, options, async (ctx) => {
      await recvInto(ctx, data, peer, tag);
      return data;
    }, P2P_OP_SEQ);
  }

  async close(): Promise<void> {
    if (this.closed) return;
    this.closed = true;
    await this.tail;
    await this.transport.close();
  }

  private finish<T extends NumericArray>(data: T, reduceOp: ReduceOp): T {
    if (reduceOp === "avg") finishAvg(data, this.size);
    return data;
  }

  /** Queues `body` behind the ops issued before it; the sequence number is taken now, at issue time. */
  private run<R>(opName: string, options: OpOptions, body: (ctx: OpContext) => Promise<R>, fixedSeq?: number): Promise<R> {
    if (this.closed) {
      return Promise.reject(new CommError(`${opName} on rank ${this.rank}: the communicator is closed; create a new one`, { code: "CLOSED", rank: this.rank, op: opName }));
    }
    const timeoutMs = this.check.timeout(opName, options.timeoutMs, this.timeoutMs);
    const opSeq = variantBase(fixedSeq ?? this.nextSeq++);
    const started = this.tail.then(() => {
      const ctx = { transport: this.transport, topology: this.topology, opSeq, timeoutMs, deadline: Date.now() + timeoutMs, opName, segmentBytes: this.segmentBytes };
      return body(ctx).catch((error: unknown) => {
        // Ranks that run different algorithms for this op: make sure every rank hears of it.
        if (error instanceof CommError && isVariantConflict(error)) poisonOp(ctx, error);
        throw error;
      });
    });
    this.tail = started.catch(() => undefined);
    return started;
  }
}

/** A Communicator over any Transport (ZeroMQ, in-memory, threads); `topology.size` must equal `transport.size`. */
export function createCommunicator(transport: Transport, topology: Topology, options: CommunicatorOptions = {}): Communicator {
  return new RingCommunicator(transport, topology, options);
}
