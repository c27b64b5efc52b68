import type { Topology } from "../world/topology.js";
import type { Transport } from "../transports/transport.js";
import type { Traffic } from "./compression/traffic.js";

/** Element types the collectives reduce. */
export type NumericArray = Float32Array | Float64Array | Int32Array;
export type DTypeName = "float32" | "float64" | "int32";
export type ReduceOp = "sum" | "avg" | "min" | "max" | "prod";

export type AllReduceAlgorithmName = "ring" | "tree" | "halving-doubling" | "hierarchical" | "one-shot" | "auto";

/** Options every op accepts (torch.distributed names, camelCase). */
export interface OpOptions {
  timeoutMs?: number;
}

export interface ReduceOptions extends OpOptions {
  op?: ReduceOp;
}

export interface AllReduceOptions extends ReduceOptions {
  algorithm?: AllReduceAlgorithmName;
  /** Compression (top-k, int8, fp16); see collectives/compression. */
  compress?: unknown;
}

/**
 * What one algorithm file gets to run one op: the transport, the topology, a tag range private to
 * this op, and its deadline. Algorithms never import zeromq.
 */
export interface OpContext {
  readonly transport: Transport;
  readonly topology: Topology;
  /** Unique per op; combine with a step number via `opTag(opSeq, step)`. */
  readonly opSeq: number;
  readonly timeoutMs: number;
  /** Date.now() by which the op must finish; receives wait at most until then. */
  readonly deadline: number;
  /** Name used in errors, e.g. "allReduce". */
  readonly opName: string;
  /** Segment size in bytes for pipelining large buffers (Gloo: 1 MiB). */
  readonly segmentBytes: number;
}

/** In-place all-reduce of `data` with `op` ("avg" is applied by the Communicator as sum then divide). */
export type AllReduceAlgorithm = (ctx: OpContext, data: NumericArray, op: Exclude<ReduceOp, "avg">) => Promise<void>;

/** The op surface a trainer uses (c10d's ProcessGroup, camelCase). Every op rejects with CommError on failure. */
export interface Communicator {
  readonly rank: number;
  readonly size: number;
  readonly topology: Topology;
  allReduce<T extends NumericArray>(data: T, options?: AllReduceOptions): Promise<T>;
  /** `input` holds size equal-or-near-equal blocks (block i = elements [floor(i*n/size), floor((i+1)*n/size))); rank r receives the reduced block r. */
  reduceScatter<T extends NumericArray>(input: T, options?: ReduceOptions): Promise<T>;
  /** Concatenates every rank's `input` in rank order; inputs may differ in length only if `counts` is given. */
  allGather<T extends NumericArray>(input: T, options?: OpOptions & { counts?: number[] }): Promise<T>;
  broadcast<T extends NumericArray>(data: T, root: number, options?: OpOptions): Promise<T>;
  reduce<T extends NumericArray>(data: T, root: number, options?: ReduceOptions): Promise<T>;
  barrier(options?: OpOptions): Promise<void>;
  send(data: NumericArray, peer: number, options?: OpOptions & { tag?: number }): Promise<void>;
  recv<T extends NumericArray>(data: T, peer: number, options?: OpOptions & { tag?: number }): Promise<T>;
  /** The same ops, each returning a Work handle (wait, isCompleted, completedAtMs) instead of a Promise: see work.ts. */
  readonly start: WorkStarter;
  close(): Promise<void>;
  /** Payload bytes this rank sent over the WAN and the LAN so far, when init({ countTraffic: true }) built it. */
  readonly traffic?: Traffic;
}

/** A Work handle (torch's `async_op=True` Work, collectives/work.ts): an op started now, waited on later. */export interface Work<T> {
  /** Resolves with the op's result, or rejects with its CommError. */
  wait(): Promise<T>;
  /** True once the op finished, successfully or not. */
  isCompleted(): boolean;
  /** When the op finished (epoch ms, from the clock of the thread that ran it); undefined while it runs. */
  readonly completedAtMs: number | undefined;
}

/** The op surface again, each op returning a Work (`comm.start.allReduce(grad)`). */
export interface WorkStarter {
  allReduce<T extends NumericArray>(data: T, options?: AllReduceOptions): Work<T>;
  reduceScatter<T extends NumericArray>(input: T, options?: ReduceOptions): Work<T>;
  allGather<T extends NumericArray>(input: T, options?: OpOptions & { counts?: number[] }): Work<T>;
  broadcast<T extends NumericArray>(data: T, root: number, options?: OpOptions): Work<T>;
  reduce<T extends NumericArray>(data: T, root: number, options?: ReduceOptions): Work<T>;
  barrier(options?: OpOptions): Work<void>;
  send(data: NumericArray, peer: number, options?: OpOptions & { tag?: number }): Work<void>;
  recv<T extends NumericArray>(data: T, peer: number, options?: OpOptions & { tag?: number }): Work<T>;
}
