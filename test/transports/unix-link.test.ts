/**
 * UnixLink alone, over a real Unix socket whose reader is paused: a large send that the kernel has
 * not taken yet is done once the peer acknowledged it — the peer's BYE carries that ACK, and on its
 * own connection it can arrive before this side's write reports back.
 */
import { mkdtempSync, rmSync } from "node:fs";
import net from "node:net";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { afterEach, describe, expect, it } from "vitest";
import { UnixLink } from "../../transports/unix/link.js";
import { CommError } from "../../world/comm-error.js";

const cleanup: Array<() => void> = [];
afterEach(() => {
  for (const undo of cleanup.splice(0)) undo();
});

async function pausedPair(): Promise<net.Socket> {
  const dir = mkdtempSync(join(tmpdir(), "longhaul-unix-link-"));
  const path = join(dir, "s.sock");
  const accepted = new Promise<net.Socket>((resolve) => {
    const server = net.createServer((socket) => {
      socket.pause(); // reads nothing: a large write stays unfinished
      cleanup.push(() => socket.destroy());
      resolve(socket);
    });
    server.listen(path);
    cleanup.push(() => server.close(), () => rmSync(dir, { recursive: true, force: true }));
  });
  const client = net.connect(path);
  cleanup.push(() => client.destroy());
  await Promise.all([accepted, new Promise((resolve) => client.once("connect", resolve))]);
  return client;
}

describe("UnixLink", () => {
  it("resolves a large send the peer acknowledged before the kernel took all of it, and fails only what is unacknowledged", async () => {
    const link = new UnixLink(0, 1, 1n, await pausedPair(), () => undefined, 10_000);
    const states: string[] = ["pending", "pending"];
    const first = link.sendData(7, new Uint8Array(32 << 20)).then(() => (states[0] = "resolved"), () => (states[0] = "rejected"));
    const second = link.sendData(8, new Uint8Array(32 << 20)).then(() => (states[1] = "resolved"), () => (states[1] = "rejected"));
    await new Promise((resolve) => setImmediate(resolve));
    expect(states).toEqual(["pending", "pending"]); // 64 MiB cannot have gone into a paused socket's buffers
    link.acknowledged(1); // the peer has frame 0
    await new Promise((resolve) => setImmediate(resolve));
    expect(states).toEqual(["resolved", "pending"]);
    link.destroy(() => new CommError("gone", { code: "PEER_LOST" }));
    await second;
    expect(states[1]).toBe("rejected");
  });
});
