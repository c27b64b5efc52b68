/**
 * What one TCP connection can do on a WAN path, in closed form: the published formulas that the
 * emulator's congestion window (netem/emulator/congestion.ts) is checked against and the cost model
 * and planner use. Sources:
 * - initial window 10 segments: RFC 6928; slow start doubles the window each round trip (RFC 5681);
 * - CUBIC: RFC 8312bis (C = 0.4, β = 0.7; average window eq. in §5.1 and the Reno-friendly region);
 * - Reno: Mathis et al. 1997, W = sqrt(3/2) / sqrt(p) ≈ 1.22/√p segments per round trip;
 * - idle restart: Linux tcp_cwnd_restart() (net.ipv4.tcp_slow_start_after_idle = 1): the window
 *   halves once per RTO of idle, down to the initial window;
 * - RTO: Linux __tcp_set_rto(): SRTT + max(4·RTTVAR, 200 ms rto_min);
 * - receive window: tcp_rmem max 6 MiB by default; the window advertised is half of the buffer
 *   (tcp_adv_win_scale = 1 before Linux 6.6; 6.6+ starts from the same 0.5 and then measures
 *   len/truesize of the arriving packets, typically 0.5–0.66).
 */

/** Payload bytes of one segment (1500-byte MTU minus IP and TCP headers with timestamps). */
export const MSS_BYTES = 1448;
/** RFC 6928. */
export const INITIAL_WINDOW_SEGMENTS = 10;
/** Linux net.ipv4.tcp_rmem max. */
export const DEFAULT_TCP_RMEM_MAX = 6 * 1024 * 1024;
/** Share of the receive buffer advertised as window (see above). */
export const RECEIVE_WINDOW_FRACTION = 0.5;
/** The largest window one connection may have in flight by default: 3 MiB. */
export const DEFAULT_WINDOW_BYTES = DEFAULT_TCP_RMEM_MAX * RECEIVE_WINDOW_FRACTION;
/** Linux TCP_RTO_MIN. */
export const RTO_MIN_MS = 200;

export type CongestionControl = "cubic" | "reno" | "bbr";

/** The variables that carry these settings to ranks, launched nodes and containers (a command's flags win). */
export const TCP_ENV = {
  cc: "LONGHAUL_CC",
  /** 0 turns slow start after idle off, like net.ipv4.tcp_slow_start_after_idle=0. */
  slowStartAfterIdle: "LONGHAUL_SLOW_START_AFTER_IDLE",
  rmemMax: "LONGHAUL_TCP_RMEM_MAX",
} as const;
export const CONGESTION_CONTROLS: readonly CongestionControl[] = ["cubic", "reno", "bbr"];

export const CUBIC_C = 0.4;
export const CUBIC_BETA = 0.7;
export const RENO_BETA = 0.5;
/** Loss rate below which BBR does not reduce its window (BBRv1 ignores loss; v2 reacts above ~2%, we take 15% as the issue states its tolerance). */
export const BBR_LOSS_TOLERANCE = 0.15;

/** Receive window from a receive-buffer limit. */
export function windowFromRmem(rmemMaxBytes: number): number {
  return Math.floor(rmemMaxBytes * RECEIVE_WINDOW_FRACTION);
}

/** Linux's retransmission timeout from the smoothed RTT and its variation (ms). */
export function rtoMs(srttMs: number, rttvarMs: number): number {
  return srttMs + Math.max(4 * rttvarMs, RTO_MIN_MS);
}

/** Mathis: Reno's average window in segments at segment loss rate p (0..1). */
export function renoWindowSegments(p: number): number {
  return Math.sqrt(1.5 / p);
}

/** RFC 8312bis: CUBIC's average window in segments, the larger of its cubic and Reno-friendly regions. */
export function cubicWindowSegments(p: number, rttS: number): number {
  const cubic = Math.pow((CUBIC_C * (3 + CUBIC_BETA)) / (4 * (1 - CUBIC_BETA)), 0.25) * Math.pow(rttS, 0.75) / Math.pow(p, 0.75);
  // The Reno-friendly region with α = 3(1−β)/(1+β) averages sqrt(α(1+β)/(2(1−β)p)) = sqrt(3/(2p)), Reno's own.
  return Math.max(cubic, renoWindowSegments(p));
}

export interface PathShape {
  /** Round-trip time, s. */
  readonly rttS: number;
  /** Bottleneck rate, bytes/s (Infinity: unshaped). */
  readonly rateBps: number;
  /** Receive window cap, bytes. */
  readonly windowBytes: number;
  /** Segment loss rate, 0..1. */
  readonly loss?: number;
}

/** Steady throughput of one connection, bytes/s: the least of the rate, window/RTT and the loss response. */
export function steadyRateBps(cc: CongestionControl, path: PathShape): number {
  const windowRate = path.windowBytes / path.rttS;
  const p = path.loss ?? 0;
  let lossRate = Infinity;
  if (p > 0 && cc !== "bbr") {
    const w = cc === "cubic" ? cubicWindowSegments(p, path.rttS) : renoWindowSegments(p);
    lossRate = (w * MSS_BYTES) / path.rttS;
  }
  if (p > BBR_LOSS_TOLERANCE && cc === "bbr") lossRate = (renoWindowSegments(p) * MSS_BYTES) / path.rttS;
  return Math.min(path.rateBps, windowRate, lossRate);
}

/**
 * Time from the first byte sent to the last byte received for `bytes` on a connection whose window
 * starts at `startWindowBytes` (10 segments fresh, or what idle restart left) and doubles each round
 * trip up to the path's steady window.
 */
export function transferTimeS(cc: CongestionControl, path: PathShape, bytes: number, startWindowBytes = INITIAL_WINDOW_SEGMENTS * MSS_BYTES): number {
  if (bytes <= 0) return 0;
  const capBytes = Math.max(MSS_BYTES, steadyRateBps(cc, path) * path.rttS);
  let window = Math.min(startWindowBytes, capBytes);
  let left = bytes;
  let time = 0;
  while (left > window) {
    left -= window;
    time += path.rttS;
    window = Math.min(2 * window, capBytes);
  }
  // The rounds before the last are each one ack clock; the last one's bytes arrive a one-way delay
  // plus their serialization after it starts.
  return time + path.rttS / 2 + (Number.isFinite(path.rateBps) ? left / path.rateBps : 0);
}

/** The window left after `idleMs` without sending, Linux's rule: halved per RTO elapsed, never below the initial window. */
export function windowAfterIdle(windowBytes: number, idleMs: number, rto: number): number {
  const restart = Math.min(windowBytes, INITIAL_WINDOW_SEGMENTS * MSS_BYTES);
  let window = windowBytes;
  for (let left = idleMs - rto; left > 0 && window > restart; left -= rto) window /= 2;
  return Math.max(window, restart);
}
