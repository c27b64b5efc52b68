/**
 * A rank's side of the elastic protocol: a Dealer to the lighthouse that heartbeats on a timer,
 * asks to join at each step boundary (resending until answered: the lighthouse may not have been
 * up yet, or a frame may be lost on a reset) and passes the lighthouse's aborts on.
 */
import { randomUUID } from "node:crypto";
import { Dealer } from "zeromq";
import { CommError } from "../../world/comm-error.js";
import { decode, ELASTIC_HEARTBEAT_MS, encode, type FromLighthouse, type QuorumMessage, type ToLighthouse } from "./messages.js";

/** How long a join waits for its quorum before the rank gives up (ms; LONGHAUL_ELASTIC_QUORUM_MS). */
export const DEFAULT_QUORUM_TIMEOUT_MS = 120_000;

export interface MemberOptions {
  address: string;
  rank: number;
  heartbeatMs?: number;
  quorumTimeoutMs?: number;
  /** The lighthouse says a member of `epoch` was lost. */
  onAbort?: (epoch: number, lost: number[]) => void;
}

export class ElasticMember {
  private readonly dealer: Dealer;
  private readonly incarnation = randomUUID();
  private seq = 0;
  private waiting?: { seq: number; resolve: (q: QuorumMessage) => void };
  private lastWait = "";
  private readonly timer: NodeJS.Timeout;
  private closed = false;
  private onBye?: () => void;
  /** One send at a time: a ZeroMQ socket refuses a second concurrent send. */
  private sending: Promise<void> = Promise.resolve();

  constructor(private readonly options: MemberOptions) {
    this.dealer = new Dealer({ linger: 0, sendTimeout: options.heartbeatMs ?? ELASTIC_HEARTBEAT_MS, routingId: `rank-${options.rank}-${this.incarnation.slice(0, 8)}` });
    this.dealer.connect(options.address);
    this.timer = setInterval(() => this.beat(), options.heartbeatMs ?? ELASTIC_HEARTBEAT_MS);
    this.timer.unref();
    this.beat();
    void this.read();
  }

  /**
   * Asks for the next quorum with `step` outer steps done; resolves with it. Rejects with a
   * MEMBERSHIP CommError when none forms within the quorum timeout (the lighthouse is gone, or this
   * rank is on the minority side of a partition), naming the lighthouse's last reason.
   */
  join(step: number, healthy: boolean): Promise<QuorumMessage> {
    const seq = ++this.seq;
    const message: ToLighthouse = { t: "join", rank: this.options.rank, incarnation: this.incarnation, seq, step, healthy };
    const timeoutMs = this.options.quorumTimeoutMs ?? DEFAULT_QUORUM_TIMEOUT_MS;
    return new Promise<QuorumMessage>((resolve, reject) => {
      const resend = setInterval(() => this.post(message), this.options.heartbeatMs ?? ELASTIC_HEARTBEAT_MS);
      const timeout = setTimeout(() => {
        clearInterval(resend);
        this.waiting = undefined;
        reject(new CommError(`rank ${this.options.rank} found no quorum within ${timeoutMs} ms at ${this.options.address}${this.lastWait ? ` (the lighthouse said: ${this.lastWait})` : " (no answer: is the lighthouse up and reachable?)"}; this rank stops rather than train on alone`, { code: "MEMBERSHIP", op: "join" }));
      }, timeoutMs);
      this.waiting = {
        seq,
        resolve: (quorum) => {
          clearInterval(resend);
          clearTimeout(timeout);
          this.waiting = undefined;
          resolve(quorum);
        },
      };
      this.post(message);
    });
  }

  /**
   * Tells the lighthouse this rank is done (nobody waits for it) and closes once it confirmed. A
   * lighthouse that does not answer within two heartbeats is gone: it would take the silence for a
   * loss anyway.
   */
  async leave(): Promise<void> {
    const confirmed = new Promise<void>((resolve) => (this.onBye = resolve));
    const resend = setInterval(() => this.post({ t: "leave", rank: this.options.rank }), this.options.heartbeatMs ?? ELASTIC_HEARTBEAT_MS);
    this.post({ t: "leave", rank: this.options.rank });
    let timer: NodeJS.Timeout | undefined;
    const bound = new Promise<void>((resolve) => (timer = setTimeout(resolve, 2 * (this.options.heartbeatMs ?? ELASTIC_HEARTBEAT_MS))));
    await Promise.race([confirmed, bound]);
    clearInterval(resend);
    clearTimeout(timer);
    this.close();
  }

  close(): void {
    if (this.closed) return;
    this.closed = true;
    clearInterval(this.timer);
    this.dealer.close();
  }

  private beat(): void {
    this.post({ t: "hb", rank: this.options.rank });
  }

  private post(message: ToLighthouse): void {
    if (this.closed) return;
    // A send waits while the lighthouse is not connected; a failed one is made good by the next beat or resend.
    this.sending = this.sending.then(() => this.dealer.send(encode(message))).catch(() => undefined);
  }

  private async read(): Promise<void> {
    try {
      for await (const [frame] of this.dealer) {
        const message = decode<FromLighthouse>(frame);
        if (!message) continue;
        if (message.t === "quorum") this.waiting?.resolve(message);
        else if (message.t === "wait") this.lastWait = message.reason;
        else if (message.t === "abort") this.options.onAbort?.(message.epoch, message.lost);
        else if (message.t === "bye") this.onBye?.();
      }
    } catch {
      // closed
    }
  }
}
