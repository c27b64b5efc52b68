/**
 * The emulator carries a connection's end behind the bytes still in its delay line and one link
 * delay after it left, as a real link would: a side that writes and closes at once loses nothing,
 * and its peer does not learn of the close before the data. Ports 23700-23799 belong to this file.
 */
import { createServer, connect, type Socket } from "node:net";
import { describe, expect, it, vi } from "vitest";
import { fromDistance } from "../../netem/distance.js";
import { type Emulator } from "../../netem/emulator/emulator.js";
import { startWorldEmulator } from "../../launch/world-emulator.js";
import { distanceKm } from "../../netem/regions.js";
import { proxyPort, type AddressPlan } from "../../world/addresses.js";
import { parseTopology } from "../../world/topology.js";

const topology = parseTopology("new-york:1,asuncion:1");
const oneWayMs = fromDistance(distanceKm("new-york", "asuncion")).delayMs;

/**
 * A "rank" behind the emulator accepts one connection and hands its socket to `far`; the dialing
 * side counts the bytes that arrive and reports when its connection ended (ms after `far` called end).
 */
async function throughEmulator(basePort: number, far: (socket: Socket, emulator: Emulator, clientGot: () => number) => Promise<void>) {
  const plan: AddressPlan = { basePort, emulate: true };
  const emulator = await startWorldEmulator({ topology, plan, rateMbit: 100 });
  let received = 0;
  let endedAt = 0;
  const server = createServer((socket) => {
    socket.on("error", () => undefined);
    void far(socket, emulator, () => received).then(() => (endedAt = Date.now()));
  });
  await new Promise<void>((resolve) => server.listen(basePort + 1, "127.0.0.1", resolve));
  try {
    const client = connect({ host: "127.0.0.1", port: proxyPort(topology, plan, 0, 1) });
    client.on("data", (chunk) => (received += chunk.length));
    client.on("error", () => undefined);
    const closedAt = await new Promise<number>((resolve) => {
      client.on("end", () => resolve(Date.now()));
      client.on("close", () => resolve(Date.now()));
    });
    client.destroy();
    return { received, endedAfterMs: closedAt - endedAt };
  } finally {
    server.close();
    await emulator.close();
  }
}

const written = (socket: Socket, bytes: number) => new Promise<void>((resolve) => socket.write(Buffer.alloc(bytes, 7), () => resolve()));

describe("the emulator's delay line and a connection's end", () => {
  it("a FIN right after 4 MiB reaches the other side after all 4 MiB (100 Mbit/s, new-york↔asuncion)", async () => {
    const r = await throughEmulator(23700, async (s) => {
      await written(s, 4 << 20);
      s.end();
    });
    expect(r.received).toBe(4 << 20);
  });

  it("a FIN with nothing in flight still takes one link delay to arrive", async () => {
    const r = await throughEmulator(23720, async (s, _e, got) => {
      await written(s, 1);
      await vi.waitFor(() => expect(got()).toBe(1), { timeout: 5000, interval: 5 });
      s.end();
    });
    expect(r.received).toBe(1);
    expect(r.endedAfterMs).toBeGreaterThan(oneWayMs * 0.8);
  });

  it("a reset after the emulator took the bytes: the bytes still arrive, then the end", async () => {
    const r = await throughEmulator(23740, async (s, emulator) => {
      await written(s, 64 * 1024);
      await vi.waitFor(() => expect(emulator.stats().heldBytes).toBe(64 * 1024), { timeout: 5000, interval: 1 });
      s.resetAndDestroy();
    });
    expect(r.received).toBe(64 * 1024);
  });
});
