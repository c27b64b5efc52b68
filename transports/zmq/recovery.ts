import { probeEndpoint } from "./probe.js";

export interface RecoveryEvents {
  /** Stream `stream` is connected again: its ZMTP handshake succeeded after a drop. */
  back(stream: number): void;
  /** The link will not come back: nothing listens at the peer's endpoint any more, or it stayed down past the bound. */
  lost(why: string): void;
}

/**
 * The state of one peer link's connections after the handshake. ZeroMQ redials a dropped connection
 * by itself; this notes which streams are down, says when each is back (so the link can send again
 * what the peer had not acknowledged), and decides when the link is lost instead: at once when a
 * dial probe finds nothing listening at the endpoint (a direct link to a process that died), else
 * when it stayed down for `boundMs` (the op timeout: a flap shorter than that costs time, not the op).
 */
export class LinkRecovery {
  private readonly down = new Set<number>();
  private deadline: NodeJS.Timeout | undefined;
  private probing = false;
  private watching = false;
  private ended = false;

  constructor(
    private readonly endpoint: string,
    private readonly boundMs: number,
    private readonly events: RecoveryEvents,
  ) {}

  /** From the handshake on, a drop is a flap to recover from (before it, the peer is still starting). */
  watch(): void {
    this.watching = true;
  }

  get recovering(): boolean {
    return this.down.size > 0;
  }

  dropped(stream: number): void {
    if (!this.watching || this.ended) return;
    this.down.add(stream);
    if (!this.deadline) {
      this.deadline = setTimeout(() => this.lose(`its link stayed down for ${this.boundMs} ms`), this.boundMs);
      this.deadline.unref(); // a pending op holds the process; this only bounds the wait
    }
    this.probe();
  }

  /** ZeroMQ failed a redial and will try again: worth asking whether anything listens there still. */
  retried(): void {
    if (this.recovering) this.probe();
  }

  handshake(stream: number): void {
    if (this.ended || !this.down.delete(stream)) return;
    if (this.down.size === 0) this.clearDeadline();
    this.events.back(stream);
  }

  stop(): void {
    this.ended = true;
    this.clearDeadline();
  }

  private probe(): void {
    if (this.probing || this.ended) return;
    this.probing = true;
    void probeEndpoint(this.endpoint).then((answer) => {
      this.probing = false;
      if (answer === "refused" && this.recovering) this.lose("nothing listens at its endpoint any more: its process is gone");
    });
  }

  private lose(why: string): void {
    if (this.ended) return;
    this.stop();
    this.events.lost(why);
  }

  private clearDeadline(): void {
    clearTimeout(this.deadline);
    this.deadline = undefined;
  }
}
