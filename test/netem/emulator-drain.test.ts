import { connect, createServer, type AddressInfo } from "node:net";
import { describe, expect, it } from "vitest";
import { startEmulator } from "../../netem/emulator/emulator.js";

const PORT = 26991; // this file's own

// A sender that writes and ends at once (a rank that closed and exited) leaves its last bytes in
// the emulator's delay line; closing the emulator then must deliver them, not drop them.
describe("closing the emulator", () => {
  it("delivers what a connection still holds in its delay line", async () => {
    let received = 0;
    let ended!: () => void;
    const gotEnd = new Promise<void>((resolve) => (ended = resolve));
    const target = createServer((socket) => {
      socket.write("r"); // reaches the client once both pipes exist
      socket.on("data", (chunk: Buffer) => (received += chunk.length));
      socket.on("end", () => ended());
    });
    await new Promise<void>((resolve) => target.listen(0, "127.0.0.1", resolve));
    const targetPort = (target.address() as AddressInfo).port;
    const emulator = await startEmulator({
      routes: [{ listenHost: "127.0.0.1", listenPort: PORT, targetHost: "127.0.0.1", targetPort, src: 0, dst: 1 }],
      profile: () => ({ delayMs: 150 }),
    });
    const client = connect({ host: "127.0.0.1", port: PORT });
    await new Promise<void>((resolve) => client.once("data", () => resolve()));
    const bytes = 8 * 1024; // within the initial window: one chunk into the delay line
    client.end(Buffer.alloc(bytes, 7));
    // Close once the emulator holds the bytes (read from the sender, 150 ms from the target).
    while (emulator.stats().links.reduce((sum, l) => sum + l.bytes, 0) < bytes) await new Promise((resolve) => setImmediate(resolve));
    await emulator.close();
    await gotEnd;
    expect(received).toBe(bytes);
    target.close();
  });
});
