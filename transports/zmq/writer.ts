import type { Push } from "zeromq";

/**
 * The single writer of one ZeroMQ socket. zeromq.js throws EBUSY synchronously when a second
 * send starts before the first resolved, so every send of this socket goes through one promise
 * chain, in call order; several sends may be queued at once.
 */
export class SocketWriter {
  private tail: Promise<void> = Promise.resolve();
  private queued = 0;

  constructor(readonly socket: Push) {}

  send(frames: Array<Uint8Array>): Promise<void> {
    // Fast path when idle: the previous send has resolved, so calling send now cannot hit EBUSY.
    const start = this.queued === 0 ? this.sendNow(frames) : this.tail.then(() => this.socket.send(frames));
    this.queued++;
    const sent = start.finally(() => {
      this.queued--;
    });
    this.tail = sent.catch(() => undefined);
    return sent;
  }

  private sendNow(frames: Array<Uint8Array>): Promise<void> {
    try {
      return this.socket.send(frames);
    } catch (error) {
      return Promise.reject(error);
    }
  }

  /** Sends waiting behind the current one (for diagnostics and tests). */
  get depth(): number {
    return this.queued;
  }

  /** Resolves once every send queued so far has been handed to ZeroMQ (or failed). */
  drained(): Promise<void> {
    return this.tail;
  }
}
