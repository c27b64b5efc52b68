/**
 * The closing handshake between real processes: a rank that sends and closes at once, with no sleep
 * anywhere, loses nothing — over loopback and over an emulated 7,700 km / 100 Mbit/s link.
 * Ports 27400-27499 belong to this file.
 */
import { execa } from "execa";
import { describe, expect, it } from "vitest";

const MAIN = new URL("../../dist/cli/main.js", import.meta.url).pathname;
const FIXTURE = new URL("../fixtures/send-then-close.mjs", import.meta.url).pathname;

async function sendThenClose(bytes: number, basePort: number, emulate: string[]) {
  const r = await execa("node", [MAIN, "launch", "--topology", "new-york:1,asuncion:1", "--base-port", String(basePort), ...emulate, "--", "node", FIXTURE, String(bytes)], { reject: false, timeout: 60_000 });
  const lines = r.stdout.split("\n").filter((l) => l.includes("{")).map((l) => JSON.parse(l.slice(l.indexOf("{"))) as Record<string, number>);
  return { code: r.exitCode, stderr: r.stderr, sender: lines.find((l) => l.rank === 0), receiver: lines.find((l) => l.rank === 1) };
}

describe("send, then close at once", () => {
  it.each([
    ["loopback, 64 MiB (zero-copy, confirmed by ACK)", 64 << 20, 27400, []],
    ["emulated new-york↔asuncion at 100 Mbit/s, 16 MiB (copied: the send resolved long before the bytes arrived)", 16 << 20, 27410, ["--emulate", "--rate", "100mbit"]],
  ])("%s: the peer receives every byte and close() returns after it did", async (_name, bytes, port, emulate) => {
    for (let run = 0; run < 2; run++) {
      const r = await sendThenClose(bytes as number, port as number, emulate as string[]);
      expect(r.code, r.stderr).toBe(0);
      expect(r.receiver).toEqual({ rank: 1, received: bytes, wrong: 0 });
      if (emulate.length > 0) expect(r.sender!.closeMs).toBeGreaterThan(((bytes as number) * 8) / 100e6 * 1000 * 0.9); // it waited for the link
    }
  });
});
