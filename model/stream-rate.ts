/**
 * What the connections of one WAN pair can move, for every user of the cost model: the closed
 * forms (fabric-of-links.ts), the replay (cost-sim.ts) and the planner (plan/world.ts,
 * plan/strategies.ts). One place, so `auto`, the bench's predictedUs and `longhaul plan` agree.
 * The TCP rules themselves are model/tcp.ts's closed forms; this file applies them to a pair:
 * - steady state: each connection moves the least of window/RTT and its congestion control's loss
 *   response (steadyRateBps); the pair moves the least of its shared bottleneck and the sum of its
 *   connections;
 * - an op after an idle gap longer than the RTO (net.ipv4.tcp_slow_start_after_idle = 1, Linux's
 *   default): each connection starts from the window idle restart left (windowAfterIdle) and pays
 *   transferTimeS's slow start back up instead of the steady rate.
 */
import type { LinkProfile } from "./profile.js";
import { rtoMs, steadyRateBps, transferTimeS, windowAfterIdle, type CongestionControl } from "./tcp.js";

/** How the model's connections behave as TCP; the defaults are Linux's (and the emulator's). */
export interface ConnectionSettings {
  readonly cc: CongestionControl;
  /** net.ipv4.tcp_slow_start_after_idle. */
  readonly slowStartAfterIdle: boolean;
}

export const LINUX_CONNECTIONS: ConnectionSettings = { cc: "cubic", slowStartAfterIdle: true };

/** One directed WAN pair as its connections see it. */
export interface PairPath {
  /** Round trip, s. */
  readonly rttS: number;
  /** The pair's shared bottleneck, bytes/s (Infinity: unshaped). */
  readonly rateBps: number;
  /** Receive window cap of one connection, bytes (Infinity: none, as RDMA or a tuned host). */
  readonly windowBytes: number;
  /** Segment loss, 0..1. */
  readonly loss: number;
  /** Connections that share the bottleneck (streams, flows). */
  readonly connections: number;
}

/** Mean segment loss of a profile, 0..1: its random loss, or its Gilbert-Elliott chain's long-run mean (netem's defaults: 1-h 100%, 1-k 0%). */
export function profileLoss(profile: LinkProfile | undefined): number {
  if (!profile) return 0;
  const ge = profile.gilbertElliott;
  if (ge) {
    const bad = ge.p + ge.r > 0 ? ge.p / (ge.p + ge.r) : 0;
    return (bad * (ge.lossBadPct ?? 100) + (1 - bad) * (ge.lossGoodPct ?? 0)) / 100;
  }
  return (profile.lossPct ?? 0) / 100;
}

/** One connection's steady rate on the path, before the bottleneck is shared: window/RTT or the loss response, bytes/s. */
export function connectionRateBps(cc: CongestionControl, path: PairPath): number {
  if (!(path.rttS > 0)) return Infinity;
  return steadyRateBps(cc, { rttS: path.rttS, rateBps: Infinity, windowBytes: path.windowBytes, loss: path.loss });
}

/**
 * Bytes one connection keeps in flight in steady state (the replay's per-connection window): the
 * receive window, or less where loss holds the congestion window below it. Exactly `windowBytes`
 * without loss.
 */
export function connectionWindowBytes(cc: CongestionControl, path: PairPath): number {
  if (!(path.loss > 0) || !(path.rttS > 0)) return path.windowBytes;
  return Math.min(path.windowBytes, connectionRateBps(cc, { ...path, windowBytes: Infinity }) * path.rttS);
}

/** What the pair moves, bytes/s: its bottleneck, or its connections together where they cannot fill it. */
export function pairRateBps(cc: CongestionControl, path: PairPath): number {
  const perConnection = path.rttS > 0 ? connectionWindowBytes(cc, path) / path.rttS : Infinity;
  return Math.min(path.rateBps, path.connections * perConnection);
}

/** Linux's RTO on a path of this round trip (SRTT + max(4·RTTVAR, 200 ms); RTTVAR from jitter, 0 on a steady path), s. */
export function pathRtoS(rttS: number, rttvarS = 0): number {
  return rtoMs(rttS * 1000, rttvarS * 1000) / 1000;
}

/** The window a connection holding `windowBytes` restarts from after `idleS` without sending (halved per RTO, never below 10 segments). */
export function restartWindowBytes(windowBytes: number, idleS: number, rttS: number): number {
  return windowAfterIdle(windowBytes, idleS * 1000, pathRtoS(rttS) * 1000);
}

/** Whether an op after `idleS` of silence finds its connections restarted. */
export function restarts(settings: ConnectionSettings, idleS: number, rttS: number): boolean {
  return settings.slowStartAfterIdle && rttS > 0 && idleS > pathRtoS(rttS);
}

/** One connection of the pair, with its fair share of the bottleneck as its rate (its window and loss limit it further). */
function connectionPath(path: PairPath) {
  return { rttS: path.rttS, rateBps: path.rateBps / Math.max(1, path.connections), windowBytes: path.windowBytes, loss: path.loss };
}

/**
 * Extra seconds `bytes` on this pair take when they follow `idleS` of silence, over the same bytes
 * on warm connections: each connection carries its share from its restarted window
 * (transferTimeS from restartWindowBytes) instead of from its steady window. 0 without slow start
 * after idle, for a gap within the RTO, or where the window is unbounded.
 */
export function idleRestartS(settings: ConnectionSettings, path: PairPath, bytes: number, idleS: number): number {
  if (bytes <= 0 || !restarts(settings, idleS, path.rttS)) return 0;
  const one = connectionPath(path);
  const steadyWindow = steadyRateBps(settings.cc, one) * path.rttS;
  if (!Number.isFinite(steadyWindow)) return 0;
  const share = bytes / Math.max(1, path.connections);
  const start = restartWindowBytes(steadyWindow, idleS, path.rttS);
  return Math.max(0, transferTimeS(settings.cc, one, share, start) - transferTimeS(settings.cc, one, share, steadyWindow));
}

/**
 * The replay's view of the same slow start: seconds after a connection restarted from
 * `startWindowBytes` before it may have sent `sentBytes` in all, its window doubling each round
 * trip up to `capWindowBytes` (transferTimeS's rounds, without the last round's flight and
 * serialization, which the replay adds per message).
 */
export function slowStartReleaseS(sentBytes: number, startWindowBytes: number, capWindowBytes: number, rttS: number): number {
  if (sentBytes <= 0 || !(rttS > 0)) return 0;
  // Without loss and rate the congestion control does not enter transferTimeS: the cap is the window.
  return transferTimeS("cubic", { rttS, rateBps: Infinity, windowBytes: capWindowBytes, loss: 0 }, sentBytes, startWindowBytes) - rttS / 2;
}
