/**
 * What the main thread and the communication thread say to each other. Buffers travel as
 * SharedArrayBuffer references (never copied by postMessage); each op carries its id and a
 * completion slot (see slots.ts), so several ops may be in flight without mixing.
 */
import type { DTypeName } from "../collectives/types.js";
import { CommError, type CommErrorCode } from "../world/comm-error.js";

/** A typed array lying in shared memory, as the other thread rebuilds it. */
export interface SharedView {
  buffer: SharedArrayBuffer;
  byteOffset: number;
  length: number;
  dtype: DTypeName;
}

/** Where the comm thread marks an op finished: its state and completion time, at `index` of two tables in shared memory. */
export interface SlotRef {
  states: Int32Array;
  times: Float64Array;
  index: number;
}

export type OpName = "allReduce" | "reduceScatter" | "allGather" | "broadcast" | "reduce" | "barrier" | "send" | "recv";

export interface OpRequest {
  kind: "op";
  id: number;
  op: OpName;
  slot: SlotRef;
  /** The op's data (in place) or input. */
  data?: SharedView;
  /** Where reduceScatter and allGather write their result. */
  out?: SharedView;
  /** root for broadcast/reduce, peer for send/recv. */
  rank?: number;
  options: Record<string, unknown>;
}

/** "abort": the process is exiting; close the sockets now (then set the exit flag). */
export type ToWorker = OpRequest | { kind: "close" } | { kind: "abort" };

/** What the thread starts with: the init options and the flag it sets once its sockets are closed. */
export interface ThreadData {
  options: Record<string, unknown>;
  socketsClosed: Int32Array;
  /** With countTraffic: the thread's Traffic counts, TRAFFIC_FIELDS in order, updated as each op ends. */
  traffic?: Float64Array;
}

export const TRAFFIC_FIELDS = ["wanBytes", "lanBytes", "wanMessages", "lanMessages"] as const;

export type FromWorker =
  | { kind: "ready"; rank: number; size: number; topology: string }
  | { kind: "failed"; error: WireError }
  | { kind: "done"; id: number; error?: WireError }
  | { kind: "closed"; error?: WireError }
  /** An uncaught error in the thread: its sockets are closed and it exits. */
  | { kind: "crashed"; error: WireError };

/** A CommError (or any error) as plain fields that survive structured cloning. */
export interface WireError {
  message: string;
  name: string;
  code?: CommErrorCode;
  rank?: number;
  peer?: number;
  op?: string;
  stack?: string;
}

export function toWire(error: unknown): WireError {
  if (error instanceof CommError) return { message: error.message, name: error.name, code: error.code, rank: error.rank, peer: error.peer, op: error.op, stack: error.stack };
  if (error instanceof Error) return { message: error.message, name: error.name, stack: error.stack };
  return { message: String(error), name: "Error" };
}

/** Rebuilds the error on this side: a CommError with the same code, rank, peer, op and message. */
export function fromWire(wire: WireError): Error {
  if (wire.code === undefined) {
    const error = new Error(wire.message);
    error.name = wire.name;
    return withStack(error, wire.stack);
  }
  return withStack(new CommError(wire.message, { code: wire.code, rank: wire.rank, peer: wire.peer, op: wire.op }), wire.stack);
}

function withStack(error: Error, stack: string | undefined): Error {
  if (stack) error.stack = `${stack}\n    (in the communication thread)`;
  return error;
}
