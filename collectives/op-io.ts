/**
 * Sending and receiving on behalf of one op: deadlines, error context (op, rank, peer) and size
 * checks, so every algorithm file reports failures the same way.
 */
import { CommError } from "../transports/errors.js";
import { opTag } from "../transports/transport.js";
import type { OpContext } from "./types.js";

/** Wraps a transport failure so it names the op, this rank and the peer, and keeps the cause. */
export function opError(ctx: OpContext, peer: number, error: unknown): CommError {
  if (error instanceof CommError && error.op === ctx.opName) return error;
  const code = error instanceof CommError ? error.code : "PEER_LOST";
  const what = error instanceof Error ? error.message : String(error);
  return new CommError(`${ctx.opName} on rank ${ctx.transport.rank} failed talking to peer ${peer}: ${what}`, {
    code,
    rank: ctx.transport.rank,
    peer,
    op: ctx.opName,
    cause: error,
  });
}

export function mismatchError(ctx: OpContext, peer: number, detail: string): CommError {
  return new CommError(
    `${ctx.opName} on rank ${ctx.transport.rank}: ${detail}; every rank must call ${ctx.opName} with the same length and dtype, in the same order`,
    { code: "MISMATCH", rank: ctx.transport.rank, peer, op: ctx.opName },
  );
}

/** Receives the next message from `peer` on `step` before the op's deadline; checks its size when `bytes` is given. */
export async function recvFrom(ctx: OpContext, peer: number, step: number, bytes?: number): Promise<Uint8Array> {
  const remaining = ctx.deadline - Date.now();
  if (remaining <= 0) {
    throw new CommError(`${ctx.opName} on rank ${ctx.transport.rank} ran past its ${ctx.timeoutMs} ms timeout waiting for peer ${peer}; check that peer is alive or raise timeoutMs`, {
      code: "TIMEOUT",
      rank: ctx.transport.rank,
      peer,
      op: ctx.opName,
    });
  }
  let message: Uint8Array;
  try {
    message = await ctx.transport.recv(peer, opTag(ctx.opSeq, step), remaining);
  } catch (error) {
    throw opError(ctx, peer, error);
  }
  if (bytes !== undefined && message.byteLength !== bytes) {
    throw mismatchError(ctx, peer, `peer ${peer} sent ${message.byteLength} bytes where ${bytes} were expected`);
  }
  return message;
}

/**
 * Collects an op's sends: they run concurrently with its receives (the transport queues them), and
 * `settle` awaits them all at the end so a failed send is reported instead of lost.
 */
export class Sends {
  private readonly pending: Promise<unknown>[] = [];
  private failure: CommError | undefined;

  constructor(private readonly ctx: OpContext) {}

  send(peer: number, step: number, payload: ArrayBufferView): void {
    const promise = this.ctx.transport.send(peer, opTag(this.ctx.opSeq, step), payload).catch((error: unknown) => {
      this.failure ??= opError(this.ctx, peer, error);
    });
    this.pending.push(promise);
  }

  async settle(): Promise<void> {
    await Promise.all(this.pending);
    this.pending.length = 0;
    if (this.failure) throw this.failure;
  }

  /** On an error path: let the sends finish in the background; their failures are already caught. */
  abandon(): void {
    this.pending.length = 0;
  }
}
