/** The two ends of opening a Unix link: a rank dials the peer it reads from, and reads the HELLO of each peer that dials it. */
import net from "node:net";
import { encodeFrameInto, FrameKind, HEADER_BYTES, type FrameHeader } from "../frames.js";
import { FrameStreamReader } from "../frame-stream.js";
import { MAX_AGREEMENT_BYTES } from "../job.js";

export interface DialHandlers {
  /** Memory for an incoming message of `bytes` payload bytes. */
  allocate(bytes: number): Uint8Array;
  frame(header: FrameHeader, payload: Uint8Array): void;
  /** The peer sent something that is not a frame of ours. */
  garbled(why: string): void;
  /** The connection is open; `socket` carries the HELLO handed to dialSocket and the peer's frames. */
  opened(socket: net.Socket): void;
  /** It closed: whether it ever `opened`, whether the peer `answered` on it, whether it was `refused` (nothing listened at the path). */
  closed(how: { opened: boolean; answered: boolean; refused: boolean }): void;
}

/**
 * Dials a peer's socket file and reads its frames: the kernel reads large payloads straight into
 * the message's own memory (`onread` with the frame reader's buffers). The first thing written is
 * the dialer's HELLO.
 */
export function dialSocket(path: string, hello: () => Buffer, handlers: DialHandlers): void {
  let answered = false;
  const frame = (header: FrameHeader, payload: Uint8Array): void => {
    answered = true;
    handlers.frame(header, payload);
  };
  const reader = new FrameStreamReader(handlers.allocate, frame, handlers.garbled);
  let refused = false;
  let opened = false;
  const socket = net.connect({
    path,
    onread: {
      buffer: () => reader.nextBuffer(),
      callback: (bytes: number) => {
        reader.onRead(bytes);
        return true; // false would pause reading
      },
    },
  });
  socket.unref();
  socket.once("connect", () => {
    opened = true;
    handlers.opened(socket);
    socket.write(hello());
  });
  socket.on("error", (error: NodeJS.ErrnoException) => (refused = error.code === "ECONNREFUSED" || error.code === "ENOENT"));
  socket.once("close", () => handlers.closed({ opened, answered, refused }));
}

/** A dialer's HELLO: who it is, what it agrees to, and (`next`) how many of the peer's DATA frames it has. */
export function helloFrame(rank: number, size: number, job: bigint, next: number, agreement: Uint8Array): Buffer {
  const header = { kind: FrameKind.HELLO, flags: 0, stripe: 0, stripes: 1, src: rank, seq: next, tag: size, total: agreement.byteLength, job };
  return encodeFrameInto(header, agreement, Buffer.allocUnsafe(HEADER_BYTES + agreement.byteLength));
}

/**
 * Reads the HELLO a dialing peer opens with (nothing is allocated for more than an agreement can be
 * before it proved its job), hands it to `hello`; garbage is refused (`refuse`) and the socket closed.
 */
export function readHello(socket: net.Socket, hello: (header: FrameHeader, payload: Uint8Array) => void, refuse: (why: string) => void): void {
  socket.unref();
  socket.on("error", () => undefined);
  const reader = new FrameStreamReader(
    (bytes) => new Uint8Array(bytes),
    (header, payload) => {
      socket.off("data", feed);
      hello(header, payload);
    },
    (why) => {
      refuse(`connection refused: it sent ${why}`);
      socket.destroy();
    },
    MAX_AGREEMENT_BYTES,
  );
  const feed = (data: Buffer): void => reader.feed(data);
  socket.on("data", feed);
}

/** Why a connection's first frame is not a HELLO of this job from a rank `known` says this rank links to, if it is not. */
export function helloRefusal(h: FrameHeader, job: bigint, known: (src: number) => boolean): string | undefined {
  if (h.kind !== FrameKind.HELLO) return "connection refused: its first frame was not a HELLO";
  if (h.job !== job) return "connection of another job refused (is another job using this socket folder?)";
  if (!Number.isInteger(h.src) || !known(h.src)) return "connection from an unknown rank refused";
  return undefined;
}
