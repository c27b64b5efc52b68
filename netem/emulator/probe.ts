import { rtoMs, steadyRateBps, transferTimeS, windowAfterIdle, windowFromRmem, type CongestionControl, type PathShape } from "../../model/tcp.js";
import { NetemError } from "../errors.js";
import type { LinkProfile } from "../profile.js";
import { DEFAULT_QUEUE_MS, DEFAULT_WINDOW_BYTES } from "./emulator.js";
import { LinkShaper } from "./link.js";
import { Gauge } from "./pipe.js";
import { startTraffic } from "./probe-traffic.js";
import { openRoute } from "./route.js";
import { Scheduler } from "./scheduler.js";
import type { TcpOptions } from "./tcp-options.js";

export interface ProbeOptions {
  readonly forward: LinkProfile;
  readonly reverse?: LinkProfile;
  /** Parallel streams for the throughput part (default: enough windows to fill the bandwidth-delay product). */
  readonly streams?: number;
  /** Bytes to send (default 1.5 s at the rate, or 64 MiB unshaped). */
  readonly bytes?: number;
  readonly pings?: number;
  /** Receive window (default: the TCP options' tcp_rmem max × RECEIVE_WINDOW_FRACTION, 3 MiB). */
  readonly windowBytes?: number;
  /** The connections' congestion control, idle restart and receive buffer (default Linux's). */
  readonly tcp?: TcpOptions;
  readonly timeoutMs?: number;
  /** Also time `bytes` on one warm connection after this much silence (slow start after idle). */
  readonly idleMs?: number;
  /** Bytes that warm that connection first (default: four receive windows, past slow start on a clean path). */
  readonly warmBytes?: number;
  /** Run the load side in the emulator's thread instead of a worker thread. */
  readonly sameThread?: boolean;
  /** Listening ports of the sink and the proxy (default: any free port). */
  readonly ports?: { readonly sink: number; readonly proxy: number };
}

export interface ProbeResult {
  /** Median round trip of small messages. */
  rttMs: number;
  /** Fastest round trip: load on the machine only ever adds to it. */
  rttMinMs: number;
  expectedRttMs: number;
  /** Time from connect() to the first echo: connection set-up plus one round trip. */
  firstEchoMs: number;
  throughputMbit: number;
  /**
   * What TCP's published behaviour gives for this transfer (model/tcp.ts transferTimeS: slow
   * start from 10 segments, the congestion control's loss response, window/RTT, the rate shared by
   * the streams), from the first byte's arrival to the last; null for an unshaped link.
   */
  expectedMbit: number | null;
  /** Throughput over the second half of the bytes: on a transfer long enough, past slow start and the losses that bring its overshoot down. */
  steadyMbit: number;
  /** The congestion control's steady rate for these streams (model/tcp.ts steadyRateBps: the least of RFC 8312bis / Mathis / BBR's, window/RTT and the rate); null unshaped. */
  expectedSteadyMbit: number | null;
  streams: number;
  bytes: number;
  peakHeldBytes: number;
  reordered: boolean;
  meanLateMs: number;
  /** With `idleMs`: one warm connection after the silence, beside TCP's formula. */
  idle?: IdleResult;
}

export interface IdleResult {
  idleMs: number;
  warmBytes: number;
  bytes: number;
  /** From the first byte written after the silence to the last byte received. */
  ms: number;
  /** transferTimeS from the window Linux's rule leaves after the silence (halved per RTO, never below 10 segments; untouched with it off). */
  expectedMs: number;
  /** The same bytes on a fresh connection (from 10 segments), for comparison. */
  expectedColdMs: number;
  slowStartAfterIdle: boolean;
  rtoMs: number;
}

/** `streams` connections each moving `bytes` at its share of the rate, timed from the first byte's arrival (as the probe measures). */
function expectedThroughputMbit(cc: CongestionControl, path: PathShape, bytes: number, streams: number): number {
  const seconds = transferTimeS(cc, path, bytes) - path.rttS / 2;
  return (streams * bytes * 8) / seconds / 1e6;
}

/** Sends traffic through one emulated link on loopback and measures RTT and throughput. */
export async function probeLink(options: ProbeOptions): Promise<ProbeResult> {
  const reverseProfile = options.reverse ?? options.forward;
  const expectedRttMs = options.forward.delayMs + reverseProfile.delayMs;
  const window = options.windowBytes ?? (options.tcp?.rmemMaxBytes !== undefined ? windowFromRmem(options.tcp.rmemMaxBytes) : DEFAULT_WINDOW_BYTES);
  const cc = options.tcp?.cc ?? "cubic";
  const rate = options.forward.rateMbit;
  const bdp = rate === undefined ? 0 : (rate * 1e6 / 8) * (expectedRttMs / 1000);
  const streams = options.streams ?? Math.max(1, Math.ceil((1.25 * bdp) / window));
  const bytes = options.bytes ?? (rate === undefined ? 64 << 20 : Math.round((rate * 1e6 / 8) * 1.5));
  const sched = new Scheduler();
  const gauge = new Gauge();
  const traffic = await startTraffic(options.ports?.sink ?? 0, options.sameThread);
  const route = await openRoute({
    listenHost: "127.0.0.1", listenPort: options.ports?.proxy ?? 0, targetHost: "127.0.0.1", targetPort: traffic.sinkPort,
    forward: new LinkShaper(options.forward, expectedRttMs), reverse: new LinkShaper(reverseProfile, expectedRttMs),
    sched, gauge, windowBytes: window, queueMs: DEFAULT_QUEUE_MS, cc, slowStartAfterIdle: options.tcp?.slowStartAfterIdle,
  }).catch(async (error: unknown) => {
    await traffic.close();
    throw error;
  });
  const perStream = Math.ceil(bytes / streams);
  const path: PathShape = { rttS: expectedRttMs / 1000, rateBps: rate === undefined ? Infinity : (rate * 1e6) / 8 / streams, windowBytes: window, loss: (options.forward.lossPct ?? 0) / 100 };
  // A long lossy transfer takes what TCP's loss response allows: three times the expectation, never under two minutes.
  const timeoutMs = options.timeoutMs ?? Math.max(120_000, 3000 * transferTimeS(cc, path, perStream) + 30_000);
  let timer: NodeJS.Timeout | undefined;
  const timeout = new Promise<never>((_, reject) => {
    timer = setTimeout(() => reject(new NetemError(`probe did not finish within ${Math.round(timeoutMs / 1000)} s (three times what TCP's formulas give for it): the machine may be too loaded for this rate; try fewer --bytes or a lower --rate`, { code: "EMULATOR" })), timeoutMs);
  });
  try {
    const idleRun = async (idleBytes: number): Promise<IdleResult> => {
      const warmBytes = options.warmBytes ?? 4 * window;
      const t = await traffic.afterIdle(route.port, warmBytes, options.idleMs!, idleBytes);
      const slowStartAfterIdle = options.tcp?.slowStartAfterIdle ?? true;
      const rto = rtoMs(expectedRttMs, 0);
      const warmWindow = Math.min(window, steadyRateBps(cc, path) * path.rttS);
      const startWindow = slowStartAfterIdle ? windowAfterIdle(warmWindow, t.idleMs, rto) : warmWindow;
      return { idleMs: t.idleMs, warmBytes, bytes: t.bytes, ms: t.ms, expectedMs: 1000 * transferTimeS(cc, path, idleBytes, startWindow),
        expectedColdMs: 1000 * transferTimeS(cc, path, idleBytes), slowStartAfterIdle, rtoMs: rto };
    };
    const run = async (): Promise<ProbeResult> => {
      const ping = await traffic.ping(route.port, options.pings ?? 15);
      const t = await traffic.bulk(route.port, streams, perStream);
      const throughputMbit = ((t.bytes - t.firstChunk) * 8) / ((t.lastAt - t.firstAt) * 1000);
      const steadyMbit = ((t.bytes / 2) * 8) / ((t.lastAt - t.halfAt) * 1000);
      const expectedMbit = rate === undefined ? null : expectedThroughputMbit(cc, path, perStream, streams);
      const expectedSteadyMbit = rate === undefined ? null : (streams * steadyRateBps(cc, path) * 8) / 1e6;
      const idle = options.idleMs === undefined ? undefined : await idleRun(perStream);
      return { idle, rttMs: ping.rttMs, rttMinMs: ping.rttMinMs, expectedRttMs, firstEchoMs: ping.firstEchoMs, throughputMbit, expectedMbit, steadyMbit, expectedSteadyMbit,
        streams, bytes: perStream * streams, peakHeldBytes: gauge.peak, reordered: t.reordered,
        meanLateMs: sched.lateness.sumMs / Math.max(1, sched.lateness.count) };
    };
    return await Promise.race([run(), timeout]);
  } finally {
    clearTimeout(timer);
    await route.close();
    await traffic.close();
    sched.close();
  }
}

