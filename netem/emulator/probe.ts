import { NetemError } from "../errors.js";
import type { LinkProfile } from "../profile.js";
import { DEFAULT_QUEUE_MS, DEFAULT_WINDOW_BYTES } from "./emulator.js";
import { LinkShaper } from "./link.js";
import { Gauge } from "./pipe.js";
import { startTraffic } from "./probe-traffic.js";
import { openRoute } from "./route.js";
import { Scheduler } from "./scheduler.js";

export interface ProbeOptions {
  readonly forward: LinkProfile;
  readonly reverse?: LinkProfile;
  /** Parallel streams for the throughput part (default: enough windows to fill the bandwidth-delay product). */
  readonly streams?: number;
  /** Bytes to send (default 1.5 s at the rate, or 64 MiB unshaped). */
  readonly bytes?: number;
  readonly pings?: number;
  readonly windowBytes?: number;
  readonly timeoutMs?: number;
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
  expectedMbit: number | null;
  streams: number;
  bytes: number;
  peakHeldBytes: number;
  reordered: boolean;
  meanLateMs: number;
}

/** Sends traffic through one emulated link on loopback and measures RTT and throughput. */
export async function probeLink(options: ProbeOptions): Promise<ProbeResult> {
  const reverseProfile = options.reverse ?? options.forward;
  const expectedRttMs = options.forward.delayMs + reverseProfile.delayMs;
  const window = options.windowBytes ?? DEFAULT_WINDOW_BYTES;
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
    sched, gauge, windowBytes: window, queueMs: DEFAULT_QUEUE_MS,
  }).catch(async (error: unknown) => {
    await traffic.close();
    throw error;
  });
  const timeoutMs = options.timeoutMs ?? 120_000;
  let timer: NodeJS.Timeout | undefined;
  const timeout = new Promise<never>((_, reject) => {
    timer = setTimeout(() => reject(new NetemError(`probe did not finish within ${timeoutMs} ms`, { code: "EMULATOR" })), timeoutMs);
  });
  try {
    const run = async (): Promise<ProbeResult> => {
      const ping = await traffic.ping(route.port, options.pings ?? 15);
      const perStream = Math.ceil(bytes / streams);
      const t = await traffic.bulk(route.port, streams, perStream);
      const throughputMbit = ((t.bytes - t.firstChunk) * 8) / ((t.lastAt - t.firstAt) * 1000);
      const windowLimit = (streams * window * 8) / (expectedRttMs * 1000);
      const expectedMbit = rate === undefined ? null : Math.min(rate, expectedRttMs > 0 ? windowLimit : rate);
      return { rttMs: ping.rttMs, rttMinMs: ping.rttMinMs, expectedRttMs, firstEchoMs: ping.firstEchoMs, throughputMbit, expectedMbit,
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

