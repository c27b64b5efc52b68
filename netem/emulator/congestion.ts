/**
 * One emulated connection's congestion window, by the kernel's rules (model/tcp.ts has the
 * published formulas it is checked against):
 * - starts at 10 segments (RFC 6928) and grows by the bytes acknowledged while below ssthresh
 *   (slow start: doubles each round trip);
 * - above it, CUBIC (RFC 8312bis §4: W(t) = C(t − K)³ + Wmax with the Reno-friendly estimate),
 *   Reno (one segment per round trip), or BBR-like (the window settles at twice the path's
 *   bandwidth-delay product and loss up to BBR_LOSS_TOLERANCE of a round trip's segments is ignored);
 * - a loss event multiplies it by β (0.7 CUBIC, 0.5 Reno), at most once per round trip (the
 *   recovery period of one window);
 * - a retransmission timeout (a link that is down) drops it to one segment, ssthresh to β of it;
 * - slow start after idle (tcp_slow_start_after_idle): nothing in flight for more than an RTO
 *   halves it once per RTO, down to the initial window (Linux tcp_cwnd_restart());
 * - it never exceeds the receive window (`capBytes`), and grows only while the sender is
 *   window-limited (Linux's tcp_is_cwnd_limited).
 */
import {
  BBR_LOSS_TOLERANCE, CUBIC_BETA, CUBIC_C, INITIAL_WINDOW_SEGMENTS, MSS_BYTES, RENO_BETA, rtoMs, windowAfterIdle, type CongestionControl,
} from "../../model/tcp.js";

export interface CongestionOptions {
  readonly cc: CongestionControl;
  /** Receive window: the most the connection may have unacknowledged. */
  readonly capBytes: number;
  /** Round-trip time of the path without queueing, ms. */
  readonly rttMs: number;
  readonly slowStartAfterIdle: boolean;
  /** Bottleneck rate, Mbit/s (BBR's bandwidth estimate); undefined: unshaped. */
  readonly rateMbit?: number;
}

/** RFC 8312bis α for the Reno-friendly region: 3(1 − β)/(1 + β). */
const CUBIC_ALPHA = (3 * (1 - CUBIC_BETA)) / (1 + CUBIC_BETA);
/** BBR's cwnd_gain. */
const BBR_CWND_GAIN = 2;

export class CongestionWindow {
  /** Bytes. */
  cwnd = INITIAL_WINDOW_SEGMENTS * MSS_BYTES;
  ssthresh = Infinity;
  lossEvents = 0;
  timeouts = 0;
  private wMax = 0;
  private epochStart: number | undefined;
  private k = 0;
  private wEst = 0;
  private recoveryUntil = -Infinity;
  private lastSend: number | undefined;
  /** BBR: segments acknowledged and lost in the current round trip. */
  private round = { start: 0, acked: 0, lost: 0 };
  readonly rto: number;

  constructor(readonly options: CongestionOptions) {
    this.rto = rtoMs(options.rttMs, 0);
  }

  /** What may be unacknowledged now. */
  get window(): number {
    return Math.max(MSS_BYTES, Math.min(this.cwnd, this.options.capBytes));
  }

  /** Called when bytes leave; with nothing in flight after more than an RTO of silence, the window restarts. */
  beforeSend(now: number, inflight: number): void {
    if (this.options.slowStartAfterIdle && inflight === 0 && this.lastSend !== undefined && now - this.lastSend > this.rto) {
      const cwnd = Math.min(this.cwnd, this.options.capBytes);
      // tcp_current_ssthresh(): never below ¾ of the window it leaves; an untouched ssthresh (infinite) stays so.
      this.ssthresh = Math.max(this.ssthresh, (3 * cwnd) / 4);
      this.cwnd = windowAfterIdle(cwnd, now - this.lastSend, this.rto);
      this.epochStart = undefined;
    }
    this.lastSend = now;
  }

  /**
   * `bytes` acknowledged at `now`, of which `lostSegments` had to be retransmitted (a fast
   * retransmit: the loss is seen with the ack). `limited`: the sender had more to send than the
   * window allowed, or used at least half of it.
   */
  onAck(bytes: number, lostSegments: number, now: number, limited: boolean): void {
    if (this.options.cc === "bbr") this.countRound(bytes, lostSegments, now);
    if (lostSegments > 0 && this.lossCounts(now)) this.reduce(now);
    if (!limited || now < this.recoveryUntil) return;
    if (this.cwnd < this.ssthresh) this.cwnd = Math.min(this.cwnd + bytes, this.ssthresh);
    else this.avoid(bytes, now);
    this.cwnd = Math.min(this.cwnd, this.options.capBytes, this.bbrTarget());
  }

  /** A retransmission timeout: one segment, ssthresh at β of the window. */
  onTimeout(now: number): void {
    this.timeouts++;
    const cwnd = Math.min(this.cwnd, this.options.capBytes);
    this.ssthresh = Math.max(2 * MSS_BYTES, cwnd * this.beta());
    this.wMax = cwnd;
    this.cwnd = MSS_BYTES;
    this.epochStart = undefined;
    this.recoveryUntil = now;
  }

  private beta(): number {
    return this.options.cc === "reno" ? RENO_BETA : CUBIC_BETA;
  }

  private lossCounts(now: number): boolean {
    if (now < this.recoveryUntil) return false;
    if (this.options.cc !== "bbr") return true;
    const { acked, lost } = this.round;
    return acked > 0 && lost / acked > BBR_LOSS_TOLERANCE;
  }

  private reduce(now: number): void {
    this.lossEvents++;
    const cwnd = Math.min(this.cwnd, this.options.capBytes);
    // Fast convergence (RFC 8312bis §4.7): a window that fell short of the last Wmax releases bandwidth.
    this.wMax = this.options.cc === "cubic" && cwnd < this.wMax ? (cwnd * (1 + CUBIC_BETA)) / 2 : cwnd;
    this.cwnd = Math.max(2 * MSS_BYTES, cwnd * (this.options.cc === "bbr" ? RENO_BETA : this.beta()));
    this.ssthresh = this.cwnd;
    this.epochStart = undefined;
    this.recoveryUntil = now + this.options.rttMs;
  }

  private avoid(bytes: number, now: number): void {
    const segments = this.cwnd / MSS_BYTES;
    const acked = bytes / MSS_BYTES;
    if (this.options.cc === "reno") {
      this.cwnd += (MSS_BYTES * acked) / segments;
      return;
    }
    if (this.options.cc === "bbr") {
      this.cwnd += bytes; // probes up to its target as in startup; the target clamps it
      return;
    }
    if (this.epochStart === undefined) {
      this.epochStart = now;
      const wMaxSegments = this.wMax / MSS_BYTES;
      this.k = segments < wMaxSegments ? Math.cbrt((wMaxSegments - segments) / CUBIC_C) : 0;
      this.wMax = Math.max(this.wMax, this.cwnd);
      this.wEst = segments;
    }
    const rttS = this.options.rttMs / 1000;
    const t = (now - this.epochStart) / 1000;
    const target = Math.min(1.5 * segments, CUBIC_C * Math.pow(t + rttS - this.k, 3) + this.wMax / MSS_BYTES);
    this.wEst += (CUBIC_ALPHA * acked) / segments;
    const next = this.wEst > target ? this.wEst : segments + (Math.max(0, target - segments) * acked) / segments;
    this.cwnd = next * MSS_BYTES;
  }

  /** BBR's window: twice the bandwidth-delay product (Infinity for the other algorithms or an unshaped path). */
  private bbrTarget(): number {
    const rate = this.options.rateMbit;
    if (this.options.cc !== "bbr" || rate === undefined) return Infinity;
    return Math.max(4 * MSS_BYTES, BBR_CWND_GAIN * ((rate * 1e6) / 8) * (this.options.rttMs / 1000));
  }

  private countRound(bytes: number, lostSegments: number, now: number): void {
    if (now - this.round.start > this.options.rttMs) this.round = { start: now, acked: 0, lost: 0 };
    this.round.acked += Math.max(1, Math.ceil(bytes / MSS_BYTES));
    this.round.lost += lostSegments;
  }
}
