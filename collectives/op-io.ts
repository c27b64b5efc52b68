/**
 * Sending and receiving on behalf of one op: deadlines, error context (op, rank, peer) and size
 * checks, so every algorithm file reports failures the same way.
 */
import { CommError } from "../world/comm-error.js";
import { opTag } from "../transports/transport.js";
import { reduceInto, type KernelOp } from "./kernels/index.js";
import type { NumericArray, OpContext } from "./types.js";

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

function timeLeft(ctx: OpContext, peer: number): number {
  const remaining = ctx.deadline - Date.now();
  if (remaining > 0) return remaining;
  throw new CommError(`${ctx.opName} on rank ${ctx.transport.rank} ran past its ${ctx.timeoutMs} ms timeout waiting for peer ${peer}; check that peer is alive or raise timeoutMs`, {
    code: "TIMEOUT",
    rank: ctx.transport.rank,
    peer,
    op: ctx.opName,
  });
}

function checkSize(ctx: OpContext, peer: number, message: Uint8Array, bytes: number | undefined): void {
  if (bytes !== undefined && message.byteLength !== bytes) {
    throw mismatchError(ctx, peer, `peer ${peer} sent ${message.byteLength} bytes where ${bytes} were expected`);
  }
}

/** Receives the next message from `peer` on `step` before the op's deadline; checks its size when `bytes` is given. */
export async function recvFrom(ctx: OpContext, peer: number, step: number, bytes?: number): Promise<Uint8Array> {
  let message: Uint8Array;
  try {
    message = await ctx.transport.recv(peer, opTag(ctx.opSeq, step), timeLeft(ctx, peer));
  } catch (error) {
    throw opError(ctx, peer, error);
  }
  checkSize(ctx, peer, message, bytes);
  return message;
}

/** A typed view of received bytes, copied only if the transport handed back a misaligned buffer. */
export function viewLike<T extends NumericArray>(like: T, bytes: Uint8Array): T {
  const Ctor = like.constructor as new (...args: unknown[]) => T;
  const bpe = like.BYTES_PER_ELEMENT;
  if (bytes.byteOffset % bpe === 0) return new Ctor(bytes.buffer, bytes.byteOffset, bytes.byteLength / bpe);
  return new Ctor(bytes.slice().buffer);
}

/**
 * Receives exactly target.byteLength bytes from `peer` and copies them into `target` ("copy") or
 * reduces them into it with `mode`. Uses the transport's `recvWith` when it has one, so the bytes
 * are read where they landed (a shared slot) with no intermediate buffer.
 */
export async function recvIntoTarget(ctx: OpContext, peer: number, step: number, target: NumericArray, mode: "copy" | KernelOp): Promise<void> {
  const consume = (message: Uint8Array): void => {
    checkSize(ctx, peer, message, target.byteLength);
    const incoming = viewLike(target, message);
    if (mode === "copy") target.set(incoming);
    else reduceInto(target, incoming, mode);
  };
  const { transport } = ctx;
  if (!transport.recvWith) {
    consume(await recvFrom(ctx, peer, step));
    return;
  }
  try {
    await transport.recvWith(peer, opTag(ctx.opSeq, step), timeLeft(ctx, peer), consume);
  } catch (error) {
    throw opError(ctx, peer, error);
  }
}

/**
 * Collects an op's sends: they run concurrently with its receives (the transport queues them), and
 * `settle` awaits them all at the end so a failed send is reported instead of lost.
 */
export class Sends {
  private readonly pending: Promise<unknown>[] = [];
  /** Sends not yet resolved: when none is left, settle needs no deadline timer (the common small-message case). */
  private outstanding = 0;
  private failure: CommError | undefined;

  constructor(private readonly ctx: OpContext) {}

  send(peer: number, step: number, payload: ArrayBufferView): void {
    this.outstanding++;
    const promise = this.ctx.transport.send(peer, opTag(this.ctx.opSeq, step), payload).then(
      () => void this.outstanding--,
      (error: unknown) => {
        this.outstanding--;
        this.failure ??= opError(this.ctx, peer, error);
      },
    );
    this.pending.push(promise);
  }

  /** Waits for every send, but not past the op's deadline (a transport may hold sends back until the peer reads). */
  async settle(): Promise<void> {
    if (this.outstanding === 0) {
      this.pending.length = 0;
      if (this.failure) throw this.failure;
      return;
    }
    let timer: NodeJS.Timeout | undefined;
    const late = new Promise<"late">((resolve) => (timer = setTimeout(() => resolve("late"), Math.max(0, this.ctx.deadline - Date.now()))));
    const outcome = await Promise.race([Promise.all(this.pending), late]);
    clearTimeout(timer);
    this.pending.length = 0;
    if (this.failure) throw this.failure;
    if (outcome === "late") {
      const { transport, opName, timeoutMs } = this.ctx;
      throw new CommError(`${opName} on rank ${transport.rank}: sends not delivered within the ${timeoutMs} ms timeout; a peer stopped reading — check that every rank runs the same ops`, {
        code: "TIMEOUT",
        rank: transport.rank,
        op: opName,
      });
    }
  }

  /** On an error path: let the sends finish in the background; their failures are already caught. */
  abandon(): void {
    this.pending.length = 0;
  }
}
