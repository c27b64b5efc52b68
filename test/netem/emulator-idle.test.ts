/**
 * Slow start after idle through a real emulator between real TCP sockets on loopback, at 8,000 km
 * and 1 Gbit/s: a warm connection that has been silent for many RTOs moves 4 MiB as slowly as a
 * fresh one (Linux's tcp_slow_start_after_idle=1, the default), and with the sysctl off it moves
 * them in one window. Ports 23950-23969 belong to this file.
 */
import { connect, createServer, type Server, type Socket } from "node:net";
import { afterEach, describe, expect, it } from "vitest";
import { type Emulator } from "../../netem/emulator/emulator.js";
import { startWorldEmulator } from "../../launch/world-emulator.js";
import { proxyPort, type AddressPlan } from "../../world/addresses.js";
import { parseTopology } from "../../world/topology.js";
import { rtoMs, transferTimeS, windowFromRmem } from "../../model/tcp.js";

const topology = parseTopology("a:1,b:1");
const plan: AddressPlan = { basePort: 23950, emulate: true };
const ONE_WAY_MS = 66.72; // 8,000 km
const RTT_MS = 2 * ONE_WAY_MS;
const RATE_MBIT = 1000;
// 16 MiB of tcp_rmem: an 8 MiB window holds the whole 4 MiB transfer once the connection is warm.
const RMEM_BYTES = 16 << 20;
const MESSAGE = 4 << 20;
// More than ten RTOs (each 333 ms here): ten halvings take any window down to the 10-segment floor.
const IDLE_MS = 4000;

/** Rank 1's listener: counts bytes and notes when the count reached each target. */
interface Sink {
  readonly server: Server;
  bytes: number;
  waiters: Array<{ bytes: number; resolve: (at: number) => void }>;
}

function startSink(): Promise<Sink> {
  const sink: Sink = { server: undefined as unknown as Server, bytes: 0, waiters: [] };
  const server = createServer((socket) => {
    socket.on("data", (chunk: Buffer) => {
      if (sink.bytes === 0 && chunk[0] === 0x45) socket.write("E"); // the handshake's echo
      sink.bytes += chunk.length;
      const now = performance.now();
      sink.waiters = sink.waiters.filter((w) => (sink.bytes >= w.bytes ? (w.resolve(now), false) : true));
    });
    socket.on("error", () => undefined);
  });
  Object.assign(sink, { server });
  return new Promise((resolve) => server.listen(23951, "127.0.0.1", () => resolve(sink)));
}

async function dial(sink: Sink): Promise<Socket> {
  sink.bytes = 0;
  const socket = await new Promise<Socket>((resolve, reject) => {
    const s: Socket = connect({ port: proxyPort(topology, plan, 0, 1), host: "127.0.0.1", noDelay: true }, () => resolve(s));
    s.once("error", reject);
  });
  // The emulator holds a client's first bytes until its SYN-ACK is back: one echo and the pipe is open.
  await new Promise((resolve) => {
    socket.once("data", resolve);
    socket.write("E");
  });
  return socket;
}

/** Milliseconds from writing `bytes` to the sink holding them. */
async function timedSend(sink: Sink, socket: Socket, bytes: number): Promise<number> {
  const target = sink.bytes + bytes;
  const arrived = new Promise<number>((resolve) => sink.waiters.push({ bytes: target, resolve }));
  const t0 = performance.now();
  socket.write(Buffer.alloc(bytes, 7));
  return (await arrived) - t0;
}

const sleep = (ms: number) => new Promise((resolve) => setTimeout(resolve, ms));

describe("emulator: slow start after idle (8,000 km, 1 Gbit/s, one connection)", () => {
  let emulator: Emulator | undefined;
  let sink: Sink | undefined;
  afterEach(async () => {
    await emulator?.close();
    if (sink) await new Promise((resolve) => sink!.server.close(resolve));
  });

  async function run(slowStartAfterIdle: boolean): Promise<{ cold: number; afterIdle: number }> {
    sink = await startSink();
    emulator = await startWorldEmulator({
      topology, plan, profiles: () => ({ delayMs: ONE_WAY_MS, rateMbit: RATE_MBIT }),
      tcp: { slowStartAfterIdle, rmemMaxBytes: RMEM_BYTES },
    });
    const fresh = await dial(sink);
    const cold = await timedSend(sink, fresh, MESSAGE);
    fresh.destroy();
    const warm = await dial(sink);
    await timedSend(sink, warm, 16 << 20); // grows the window to the receive window's cap
    await sleep(IDLE_MS);
    const afterIdle = await timedSend(sink, warm, MESSAGE);
    warm.destroy();
    return { cold, afterIdle };
  }

  it("on (Linux's default): after more than ten RTOs of silence a warm connection is as slow as a fresh one", async () => {
    expect(IDLE_MS).toBeGreaterThan(10 * rtoMs(RTT_MS, 0));
    const { cold, afterIdle } = await run(true);
    // From 10 segments: about 8 round trips, ≈1.1 s (model/tcp.ts, slow start doubling per RTT).
    const formulaMs = transferTimeS("cubic", { rttS: RTT_MS / 1000, rateBps: (RATE_MBIT * 1e6) / 8, windowBytes: windowFromRmem(RMEM_BYTES) }, MESSAGE) * 1000;
    expect(formulaMs).toBeGreaterThan(6 * RTT_MS);
    expect(Math.abs(cold - formulaMs)).toBeLessThan(1.5 * RTT_MS);
    expect(Math.abs(afterIdle - cold)).toBeLessThan(1.5 * RTT_MS);
  }, 30_000);

  it("off (--no-slow-start-after-idle): the warm window survives the silence and 4 MiB take about one trip plus serialisation", async () => {
    const { cold, afterIdle } = await run(false);
    const serialisationMs = (MESSAGE * 8) / (RATE_MBIT * 1e3);
    expect(afterIdle).toBeGreaterThan(ONE_WAY_MS + serialisationMs - 5);
    expect(afterIdle).toBeLessThan(RTT_MS + serialisationMs);
    expect(cold).toBeGreaterThan(afterIdle + 4 * RTT_MS);
  }, 30_000);
});
