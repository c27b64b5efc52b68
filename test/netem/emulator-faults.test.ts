/**
 * Link faults through a real emulator between real TCP sockets on loopback: a down link stalls and
 * then delivers everything in order on TCP's retransmission clock; a partition resets open
 * connections and refuses new ones until it lifts; rate and delay impairments change what a
 * connection sees while they last. Ports 23900-23949 belong to this file.
 */
import { connect, createServer, type Server, type Socket } from "node:net";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { type Emulator } from "../../netem/emulator/emulator.js";
import { startWorldEmulator } from "../../launch/world-emulator.js";
import { proxyPort, type AddressPlan } from "../../world/addresses.js";
import { parseTopology } from "../../world/topology.js";
import { rtoMs } from "../../model/tcp.js";

const topology = parseTopology("a:1,b:1");
const plan: AddressPlan = { basePort: 23900, emulate: true };
const ONE_WAY_MS = 10;
const RTO_MS = rtoMs(2 * ONE_WAY_MS, 0); // 220 ms

/** Rank 1's listener: records what arrives on each connection, and echoes when asked. */
interface Sink {
  readonly server: Server;
  readonly received: Buffer[];
  arrivedAt: number[];
  echo: boolean;
}

function startSink(): Promise<Sink> {
  const sink: Sink = { server: undefined as unknown as Server, received: [], arrivedAt: [], echo: false };
  const server = createServer((socket) => {
    socket.on("data", (chunk: Buffer) => {
      sink.received.push(chunk);
      sink.arrivedAt.push(performance.now());
      if (sink.echo) socket.write(chunk);
    });
    socket.on("error", () => undefined); // a partition resets this side too
  });
  Object.assign(sink, { server });
  return new Promise((resolve) => server.listen(23901, "127.0.0.1", () => resolve(sink)));
}

function dial(): Promise<Socket> {
  return new Promise((resolve, reject) => {
    const s: Socket = connect({ port: proxyPort(topology, plan, 0, 1), host: "127.0.0.1", noDelay: true }, () => resolve(s));
    s.once("error", reject);
  });
}

/** The emulator's handshake holds the client's first bytes until the SYN-ACK is back; one echo proves the pipe is open. */
async function echoOnce(socket: Socket, payload = "ping"): Promise<number> {
  const t0 = performance.now();
  await new Promise((resolve) => {
    socket.once("data", resolve);
    socket.write(payload);
  });
  return performance.now() - t0;
}

const sleep = (ms: number) => new Promise((resolve) => setTimeout(resolve, ms));
const bothWays = (emulator: Emulator, key: string, impairment: Parameters<Emulator["impair"]>[3]) => {
  emulator.impair(0, 1, key, impairment);
  emulator.impair(1, 0, key, impairment);
};

describe("emulator under link faults", () => {
  let emulator: Emulator;
  let sink: Sink;
  beforeAll(async () => {
    sink = await startSink();
    emulator = await startWorldEmulator({ topology, plan, profiles: () => ({ delayMs: ONE_WAY_MS }) });
  });
  afterAll(async () => {
    await emulator.close();
    await new Promise((resolve) => sink.server.close(resolve));
  });

  it("down: nothing crosses while it lasts, the connection stays open, and every byte arrives in order on the retransmission clock after", async () => {
    sink.echo = true;
    const socket = await dial();
    await echoOnce(socket);
    sink.echo = false;
    sink.received.length = 0;
    sink.arrivedAt.length = 0;
    let closed = false;
    socket.on("close", () => (closed = true));
    const payload = Buffer.alloc(256 * 1024, 0).map((_, i) => i % 251);
    bothWays(emulator, "down", { down: true });
    const sentAt = performance.now();
    socket.write(payload);
    await sleep(600);
    expect(sink.received).toHaveLength(0);
    expect(closed).toBe(false);
    bothWays(emulator, "down", undefined);
    const liftedAt = performance.now();
    while (Buffer.concat(sink.received).length < payload.length && performance.now() - liftedAt < 5000) await sleep(20);
    expect(Buffer.concat(sink.received).equals(payload)).toBe(true);
    // Retransmissions leave at RTO, 3·RTO, 7·RTO… after the send: the first after the lift (660 ms
    // for a 600 ms cut) carries the data; a sender that ignored the cut would deliver at once.
    const first = sink.arrivedAt[0] - sentAt;
    expect(first).toBeGreaterThan(3 * RTO_MS);
    expect(first).toBeLessThan(7 * RTO_MS + 500);
    expect(closed).toBe(false);
    socket.destroy();
  });

  it("partition: open connections are reset, new ones refused while it lasts, and connections work again after", async () => {
    sink.echo = true;
    const socket = await dial();
    await echoOnce(socket);
    const reset = new Promise<string>((resolve) => {
      socket.once("error", (error: NodeJS.ErrnoException) => resolve(error.code ?? "error"));
      socket.once("close", () => resolve("close"));
    });
    emulator.impair(0, 1, "cut", { partition: true }); // one direction is enough to cut the route
    expect(await reset).toBe("ECONNRESET");
    const refused = await dial().then(
      (s) => new Promise<string>((resolve) => {
        s.once("error", (error: NodeJS.ErrnoException) => resolve(error.code ?? "error"));
        s.once("data", () => resolve("data"));
        s.write("ping");
      }),
      (error: NodeJS.ErrnoException) => error.code ?? "error",
    );
    expect(refused).toBe("ECONNRESET");
    emulator.impair(0, 1, "cut", undefined);
    const again = await dial();
    expect(await echoOnce(again)).toBeGreaterThan(2 * ONE_WAY_MS - 1);
    again.destroy();
  });

  it("delay and rate: an added delay lengthens the round trip; a rate dip slows a transfer to the dipped rate", async () => {
    sink.echo = true;
    const socket = await dial();
    await echoOnce(socket);
    const before = Math.min(await echoOnce(socket), await echoOnce(socket));
    bothWays(emulator, "spike", { extraDelayMs: 40 });
    const during = Math.min(await echoOnce(socket), await echoOnce(socket));
    bothWays(emulator, "spike", undefined);
    expect(before).toBeLessThan(2 * ONE_WAY_MS + 15);
    expect(during).toBeGreaterThan(2 * (ONE_WAY_MS + 40) - 1);

    // 512 KiB at 8 Mbit/s takes at least 0.52 s at the bottleneck, whatever the machine's load.
    sink.echo = false;
    sink.received.length = 0;
    emulator.impair(0, 1, "dip", { rateMbit: 8 });
    const bytes = 512 * 1024;
    const t0 = performance.now();
    socket.write(Buffer.alloc(bytes, 7));
    while (Buffer.concat(sink.received).length < bytes && performance.now() - t0 < 10_000) await sleep(10);
    const seconds = (performance.now() - t0) / 1000;
    emulator.impair(0, 1, "dip", undefined);
    expect(Buffer.concat(sink.received).length).toBe(bytes);
    expect(seconds).toBeGreaterThan((bytes * 8) / 8e6 * 0.98);
    socket.destroy();
  });
});
