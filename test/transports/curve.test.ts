/**
 * CURVE: a job's links are encrypted and only holders of its keys can join or inject frames.
 * Ports 27300-27399 belong to this file.
 */
import { mkdtempSync, rmSync, writeFileSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { curveKeyPair, Push } from "zeromq";
import { afterAll, describe, expect, it, vi } from "vitest";
import { admitClients, generateCurveKeys, readCurveKeys, z85Encode } from "../../transports/curve.js";
import { encodeHeader, FrameKind } from "../../transports/frames.js";
import { jobToken } from "../../transports/job.js";
import { parseTopology } from "../../world/topology.js";
import { connectZmq } from "../../transports/zmq/connect.js";
import { allReduceExact, zmqWorld } from "./zmq-world.js";

const dir = mkdtempSync(join(tmpdir(), "longhaul-curve-test-"));
afterAll(() => rmSync(dir, { recursive: true, force: true }));

describe("CURVE keys", () => {
  it("z85-encodes raw keys as libzmq does (round trip through a generated pair)", () => {
    const { publicKey } = curveKeyPair();
    const alphabet = "0123456789abcdefghijklmnopqrstuvwxyzABCDEFGHIJKLMNOPQRSTUVWXYZ.-:+=^!/*?&<>()[]{}@%$#";
    // decode Z85 by hand, then encode with the function under test
    const raw = new Uint8Array(32);
    for (let i = 0; i < 8; i++) {
      let value = 0;
      for (let j = 0; j < 5; j++) value = value * 85 + alphabet.indexOf(publicKey[i * 5 + j]);
      for (let k = 0; k < 4; k++) raw[i * 4 + k] = (value >>> (24 - 8 * k)) & 255;
    }
    expect(z85Encode(raw)).toBe(publicKey);
  });

  it("reads a keys file and names a missing or malformed field", () => {
    const good = join(dir, "good.json");
    const keys = generateCurveKeys();
    writeFileSync(good, JSON.stringify(keys));
    expect(readCurveKeys(good)).toEqual(keys);
    const bad = join(dir, "bad.json");
    writeFileSync(bad, JSON.stringify({ ...keys, clientSecretKey: "short" }));
    expect(() => readCurveKeys(bad)).toThrow(/"clientSecretKey" is missing or not a 40-character Z85 key.*longhaul keygen/);
    expect(() => readCurveKeys(join(dir, "absent.json"))).toThrow(/cannot read CURVE keys from .*absent\.json/);
  });
});

describe("the ZAP handler", () => {
  it("released and needed again at once (a failed connect, then a new world) starts cleanly, 50 times", async () => {
    const { clientPublicKey } = generateCurveKeys();
    for (let i = 0; i < 50; i++) (await admitClients(clientPublicKey))();
  });
});

describe("a job with CURVE", () => {
  it("all-reduces exactly over encrypted links", async () => {
    const curve = generateCurveKeys();
    const w = await zmqWorld(3, 27300, { curve, jobId: "curve-job" });
    try {
      expect(await allReduceExact(w.comms, 300_000)).toBe(true);
    } finally {
      await w.close();
    }
  });

  it("refuses a rank with other keys (it cannot connect), and frames from a client without the job's key never arrive", async () => {
    const curve = generateCurveKeys();
    const topology = parseTopology("2");
    const good = connectZmq({ rank: 0, topology, plan: { basePort: 27310 }, curve, jobId: "j", timeoutMs: 3000 });
    const wrong = connectZmq({ rank: 1, topology, plan: { basePort: 27310 }, curve: { ...generateCurveKeys(), clientPublicKey: curve.clientPublicKey, clientSecretKey: curve.clientSecretKey }, jobId: "j", timeoutMs: 3000 });
    const [a, b] = await Promise.allSettled([good, wrong]);
    for (const result of [a, b]) {
      expect(result.status).toBe("rejected");
      expect((result as PromiseRejectedResult).reason.message).toMatch(/did not answer.*with CURVE on, check that every rank has the job's keys/);
    }

    const w = await zmqWorld(2, 27320, { curve, jobId: "j" });
    try {
      // An intruder that knows the server's public key but holds its own client key: ZAP refuses it.
      const intruder = new Push({ linger: 0, curveServerKey: curve.serverPublicKey, ...(({ publicKey, secretKey }) => ({ curvePublicKey: publicKey, curveSecretKey: secretKey }))(curveKeyPair()) });
      const refused = new Promise((resolve) => intruder.events.on("handshake:error:auth", resolve));
      intruder.connect("tcp://127.0.0.1:27320");
      const forgedBye = encodeHeader({ kind: FrameKind.BYE, flags: 0, stripe: 0, stripes: 1, src: 1, seq: 0, tag: 0, total: 0, job: jobToken("j") });
      void intruder.send([forgedBye]);
      await vi.waitFor(() => refused, { timeout: 5000 });
      intruder.close();
      expect(await allReduceExact(w.comms)).toBe(true);
      expect(w.transports[0].dropped.total).toBe(0);
    } finally {
      await w.close();
    }
  });
});
