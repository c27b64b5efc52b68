/**
 * The only thing collectives see of the network (Gloo's transport::Pair, NCCL's primitives).
 *
 * A buffer handed to `send` must not be modified until the returned promise resolves; zeromq.js
 * may send large buffers zero-copy. `recv` resolves with the payload bytes of the next message
 * from `peer` carrying `tag`; its `byteOffset` is 8-byte aligned so any typed array can be laid
 * over it. Messages between one (peer, tag) pair arrive in the order they were sent.
 */
import type { HostLinks } from "../world/env.js";
import type { SharedArena } from "./threads/shared-arena.js";

export interface Transport {
  readonly rank: number;
  readonly size: number;
  send(peer: number, tag: number, payload: ArrayBufferView): Promise<void>;
  recv(peer: number, tag: number, timeoutMs: number): Promise<Uint8Array>;
  /**
   * Optional: like `recv`, but lends the bytes to `consume` and may reuse their memory once it
   * returns (the threads transport passes a view of a shared slot: no copy, no allocation).
   */
  recvWith?(peer: number, tag: number, timeoutMs: number, consume: (bytes: Uint8Array) => void): Promise<void>;
  /** True when the ranks are threads of one process (copies are memcpy, no kernel): "auto" then follows a measured rule, not the socket cost model. */
  readonly inProcess?: boolean;
  /** Optional: memory all ranks share (the threads transport), for one-shot small all-reduces and barriers. */
  readonly shared?: SharedArena;
  /** "unix": every peer is a process of this host behind a Unix socket, so "auto" models those links, not ZeroMQ's. */
  readonly hostLinks?: HostLinks;
  close(): Promise<void>;
}

/** Tags are non-negative safe integers; collectives compose them from an op sequence and a step. */
export const TAG_STEPS_PER_OP = 1 << 20;

export function opTag(opSeq: number, step: number): number {
  return opSeq * TAG_STEPS_PER_OP + step;
}

export function bytesOf(view: ArrayBufferView): Uint8Array {
  return view instanceof Uint8Array ? view : new Uint8Array(view.buffer, view.byteOffset, view.byteLength);
}
