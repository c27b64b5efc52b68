import { createServer, connect, type Server, type Socket } from "node:net";
import { performance } from "node:perf_hooks";
import { NetemError } from "../errors.js";
import type { LinkProfile } from "../profile.js";
import { DEFAULT_QUEUE_MS, DEFAULT_WINDOW_BYTES } from "./emulator.js";
import { LinkShaper } from "./link.js";
import { Gauge } from "./pipe.js";
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

const PING_BYTES = 64;

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
  const sink = await startSink(options.ports?.sink ?? 0);
  const route = await openRoute({
    listenHost: "127.0.0.1", listenPort: options.ports?.proxy ?? 0, targetHost: "127.0.0.1", targetPort: sink.port,
    forward: new LinkShaper(options.forward, expectedRttMs), reverse: new LinkShaper(reverseProfile, expectedRttMs),
    sched, gauge, windowBytes: window, queueMs: DEFAULT_QUEUE_MS,
  }).catch(async (error: unknown) => {
    await sink.close();
    throw error;
  });
  const timeoutMs = options.timeoutMs ?? 120_000;
  let timer: NodeJS.Timeout | undefined;
  const timeout = new Promise<never>((_, reject) => {
    timer = setTimeout(() => reject(new NetemError(`probe did not finish within ${timeoutMs} ms`, { code: "EMULATOR" })), timeoutMs);
  });
  try {
    const run = async (): Promise<ProbeResult> => {
      const ping = await pingPong(route.port, options.pings ?? 15);
      const perStream = Math.ceil(bytes / streams);
      await Promise.all(Array.from({ length: streams }, () => sendBulk(route.port, perStream)));
      const t = sink.transfer;
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
    await sink.close();
    sched.close();
  }
}

function connected(port: number): Promise<Socket> {
  return new Promise((resolve, reject) => {
    const socket = connect({ host: "127.0.0.1", port, noDelay: true }, () => resolve(socket));
    socket.once("error", reject);
  });
}

/** Median round trip of small messages on one connection (after its set-up). */
async function pingPong(port: number, count: number): Promise<{ rttMs: number; rttMinMs: number; firstEchoMs: number }> {
  const start = performance.now();
  const socket = await connected(port);
  socket.write("E");
  const samples: number[] = [];
  let firstEchoMs = 0;
  for (let i = 0; i <= count; i++) {
    const sent = performance.now();
    await new Promise<void>((resolve) => {
      let got = 0;
      const onData = (chunk: Buffer): void => {
        got += chunk.length;
        if (got >= PING_BYTES) {
          socket.off("data", onData);
          resolve();
        }
      };
      socket.on("data", onData);
      socket.write(Buffer.alloc(PING_BYTES, i));
    });
    if (i === 0) firstEchoMs = performance.now() - start;
    else samples.push(performance.now() - sent);
  }
  socket.destroy();
  samples.sort((a, b) => a - b);
  return { rttMs: samples[Math.floor(samples.length / 2)], rttMinMs: samples[0], firstEchoMs };
}

/** Sends `bytes` whose uint32 at every 4 KiB boundary holds its word index (so the sink can check order), then closes. */
async function sendBulk(port: number, bytes: number): Promise<void> {
  const socket = await connected(port);
  socket.write("S");
  const blockBytes = 1 << 20;
  for (let sent = 0; sent < bytes; sent += blockBytes) {
    // Only the word at each 4 KiB boundary is stamped (with its word index): cheap at 1 Gbit/s.
    const block = Buffer.alloc(Math.min(blockBytes, bytes - sent));
    for (let p = 0; p + 4 <= block.length; p += 4096) block.writeUInt32LE(((sent + p) / 4) >>> 0, p);
    if (!socket.write(block)) await new Promise((resolve) => socket.once("drain", resolve));
  }
  await new Promise<void>((resolve) => socket.end(resolve));
  await new Promise((resolve) => socket.once("close", resolve));
}

interface Sink {
  port: number;
  transfer: { bytes: number; firstChunk: number; firstAt: number; lastAt: number; reordered: boolean };
  close(): Promise<void>;
}

/** Echoes connections that start with "E"; counts (and checks the byte pattern of) those that start with "S". */
async function startSink(port: number): Promise<Sink> {
  const transfer = { bytes: 0, firstChunk: 0, firstAt: 0, lastAt: 0, reordered: false };
  const server: Server = createServer({ noDelay: true }, (socket) => {
    let mode = "";
    let offset = 0;
    socket.on("data", (chunk: Buffer) => {
      if (mode === "") {
        mode = String.fromCharCode(chunk[0]);
        chunk = chunk.subarray(1);
      }
      if (mode === "E") {
        socket.write(chunk);
        return;
      }
      const now = performance.now();
      if (transfer.bytes === 0) {
        transfer.firstAt = now;
        transfer.firstChunk = chunk.length;
      }
      // Spot-check the word at each 4 KiB boundary: word k holds k, whatever the chunking.
      for (let p = Math.ceil(offset / 4096) * 4096; p + 4 <= offset + chunk.length && p - offset >= 0; p += 4096) {
        if (chunk.readUInt32LE(p - offset) !== (p / 4) >>> 0) transfer.reordered = true;
      }
      offset += chunk.length;
      transfer.bytes += chunk.length;
      transfer.lastAt = now;
    });
    socket.on("error", () => socket.destroy());
  });
  await new Promise<void>((resolve, reject) => {
    server.once("error", (cause) => reject(new NetemError(`probe sink cannot listen on 127.0.0.1:${port} (${(cause as Error).message})`, { code: "EMULATOR", cause })));
    server.listen(port, "127.0.0.1", resolve);
  });
  const address = server.address();
  return {
    port: typeof address === "object" && address ? address.port : 0,
    transfer,
    close: () => new Promise((resolve) => server.close(() => resolve())),
  };
}
